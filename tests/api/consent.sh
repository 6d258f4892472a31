#!/bin/sh
# People and safeguards: relationships, written consents and the consent
# check on every outbound contact (Cognus's charter, section 8). An advocate
# is spoken to only with current consent for that case; consent for one
# enquiry does not cover another; withdrawal and expiry end it, judged at
# the contact's own time; a parent needs the young person's own consent
# once they are 18. A refused contact stores nothing and is audited.
. "$(dirname "$0")/lib.sh"
start_server
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
# person JSON: recorded by an administrator for Cognus (unless it names a
# service), as the Cognus staff below must see them.
person() { call POST /api/v1/people "$(echo "$1" | jq -c '{service: "cognus/enquiries"} + .')" -H "$A"; json .id; }
new_case() {
    call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2026-03-02T10:00","subject":"'"$1"'","requester":{"name":"'"$2"'","email":"'"$3"'"}}' -H "$A"
    json .id
}
contact() { call POST "/api/v1/cases/$1/contacts" "$2" -H "$A"; }
count() { call GET "/api/v1/cases/$1" '' -H "$A"; json "[(.contacts | length), .version] | join(\" \")"; }

sam=$(person '{"name":"Sam Lee","email":"sam@example.org","date_of_birth":"2007-03-04"}')
priya=$(person '{"name":"Priya Lee","email":"priya@example.org"}')
alex=$(person '{"name":"Alex Khan","email":"alex@advocacy.example"}')
kim=$(person '{"name":"Kim Lee","email":"kim@example.org","date_of_birth":"2009-06-01"}')
one=$(new_case "Transport to college" "Sam Lee" "sam@example.org")
two=$(new_case "Exam arrangements" "Sam Lee" "sam@example.org")
three=$(new_case "School place" "Kim Lee" "kim@example.org")
call GET "/api/v1/cases/$one" '' -H "$A"
expect ".person_id == $sam" "the case is about Sam, found by email"

# --- Relationships ---
call POST "/api/v1/people/$priya/relationships" '{"kind":"parent","other_id":'"$sam"',"note":"Mother"}' -H "$A"
expect_status 201 "Priya is recorded as Sam's parent"
expect ".kind == \"parent\" and .person_name == \"Priya Lee\" and .other_name == \"Sam Lee\" and .note == \"Mother\"" "the relationship reads back with names"
call POST "/api/v1/people/$priya/relationships" '{"kind":"parent","other_id":'"$sam"'}' -H "$A"
expect_status 409 "the same relationship twice"
call POST "/api/v1/people/$priya/relationships" '{"kind":"parent","other_id":'"$kim"'}' -H "$A"
expect_status 201 "Priya is Kim's parent too"
call POST "/api/v1/people/$alex/relationships" '{"kind":"advocate","other_id":'"$sam"'}' -H "$A"
expect_status 201 "Alex is Sam's advocate"
call POST "/api/v1/people/$alex/relationships" '{"kind":"friend","other_id":'"$sam"'}' -H "$A"
expect_status 400 "an unknown kind"
expect '.fields == ["kind"] and (.detail | test("parent, carer, advocate"))' "the kinds are listed"
call POST "/api/v1/people/$alex/relationships" '{"kind":"advocate","other_id":'"$alex"'}' -H "$A"
expect_status 400 "related to oneself"
call POST "/api/v1/people/$alex/relationships" '{"kind":"advocate","other_id":999999}' -H "$A"
expect_status 400 "related to nobody"
expect '.fields == ["other_id"]' "other_id is named"
call POST "/api/v1/people/$alex/relationships" '{"kind":"contact-at"}' -H "$A"
expect_status 400 "a contact at no organisation"
expect '.fields == ["organisation_id"]' "organisation_id is named"
call POST "/api/v1/organisations" '{"name":"Advocacy Trust","kind":"agency"}' -H "$A"
org=$(json .id)
call POST "/api/v1/people/$alex/relationships" '{"kind":"contact-at","organisation_id":'"$org"',"colour":"red"}' -H "$A"
expect_status 400 "an unknown member"
call POST "/api/v1/people/$alex/relationships" '{"kind":"contact-at","organisation_id":'"$org"'}' -H "$A"
expect_status 201 "Alex is a contact at the Advocacy Trust"
expect '.organisation_name == "Advocacy Trust" and .other_id == null' "with the organisation's name"
at_org=$(json .id)
call DELETE "/api/v1/relationships/$at_org" '' -H "$A"
expect_status 204 "a relationship is removed"
call DELETE "/api/v1/relationships/$at_org" '' -H "$A"
expect_status 404 "and is gone"

# --- An advocate without consent is refused, and nothing is stored ---
before=$(count "$one")
contact "$one" '{"direction":"outbound","channel":"phone","summary":"Told Alex about the transport decision","with_person_id":'"$alex"'}'
expect_status 409 "an outbound contact with the advocate, without consent"
expect '(.type | endswith("/consent-required")) and .fields == ["with_person_id"]' "the problem names consent"
expect ".detail == \"Case $one is about Sam Lee (19). Alex Khan is their advocate, so we need Sam Lee's written consent, current and covering this case, before we speak to Alex Khan about it; record it under Sam Lee's record, Consents.\"" "the sentence says what is missing and where to record it"
checks=$((checks + 1))
[ "$(count "$one")" = "$before" ] || fail "a refused contact stored nothing (was $before, now $(count "$one"))"
call GET "/api/v1/audit?case=$one" '' -H "$A"
expect '[.audit[] | select(.action == "consent-refused" and .object == "case")] | length == 1' "the refusal is audited on the case"
call GET "/api/v1/audit?limit=1000" '' -H "$A"
expect "[.audit[] | select(.action == \"consent-refused\" and .object == \"person\" and .object_id == $alex)] | length == 1" "and on the person we would have told"

# --- Consent: validation ---
for bad in '{"grantee_id":'"$alex"',"scope":"case","evidence":"Letter","given_on":"2026-11-01"}|case_id' \
           '{"grantee_id":'"$alex"',"scope":"all","case_id":'"$one"',"evidence":"Letter","given_on":"2026-11-01"}|case_id' \
           '{"grantee_id":'"$alex"',"scope":"some","evidence":"Letter","given_on":"2026-11-01"}|scope' \
           '{"grantee_id":'"$alex"',"scope":"all","evidence":"Letter","given_on":"2026-02-30"}|given_on' \
           '{"grantee_id":'"$alex"',"scope":"all","evidence":"Letter","given_on":"2099-01-01"}|given_on' \
           '{"grantee_id":'"$alex"',"scope":"all","evidence":"Letter","given_on":"2026-11-01","expires_on":"2026-11-01"}|expires_on' \
           '{"grantee_id":'"$alex"',"scope":"all","given_on":"2026-11-01"}|evidence' \
           '{"grantee_id":'"$sam"',"scope":"all","evidence":"Letter","given_on":"2026-11-01"}|grantee_id' \
           '{"grantee_id":999999,"scope":"all","evidence":"Letter","given_on":"2026-11-01"}|grantee_id' \
           '{"grantee_id":'"$alex"',"scope":"case","case_id":'"$three"',"evidence":"Letter","given_on":"2026-11-01"}|case_id'; do
    field=${bad##*|}
    call POST "/api/v1/people/$sam/consents" "${bad%|*}" -H "$A"
    expect_status 400 "a consent that does not hold: ${bad%|*}"
    expect ".fields == [\"$field\"]" "$field is named: ${bad%|*}"
done
call POST "/api/v1/people/$sam/consents" '{"grantee_id":'"$alex"',"scope":"all","evidence":"Letter","given_on":"2026-11-01","attachment":"x"}' -H "$A"
expect_status 400 "an unknown member of a consent"

# --- With Sam's written consent for this case, yes; for another case, no ---
call POST "/api/v1/people/$sam/consents" '{"grantee_id":'"$alex"',"scope":"case","case_id":'"$one"',"evidence":"Signed consent form dated 1 November 2026, scanned to the case file","given_on":"2026-11-01"}' -H "$A"
expect_status 201 "Sam's consent for Alex about case one is recorded"
expect ".id > 0 and .grantor_id == $sam and .grantee_id == $alex and .scope == \"case\" and .case_id == $one and .state == \"current\" and .expires_on == null" "it reads back, current"
for_one=$(json .id)
contact "$one" '{"direction":"outbound","channel":"phone","at":"2026-11-20T10:00","summary":"Told Alex about the transport decision","with_person_id":'"$alex"'}'
expect_status 201 "the advocate may be told about case one"
expect ".contacts[-1].with_person_id == $alex and .contacts[-1].who == \"Alex Khan\"" "the contact records whom it was with"
contact "$two" '{"direction":"outbound","channel":"phone","at":"2026-11-20T10:00","summary":"Exam access","with_person_id":'"$alex"'}'
expect_status 409 "consent for one enquiry does not cover another"
expect ".detail | test(\"covers case $one only\")" "the sentence says which case it covers"
call GET "/api/v1/cases/$one/contacts-allowed" '' -H "$A"
expect_status 200 "who may be spoken to about case one"
expect ".people[0].person_id == $sam and .people[0].allowed" "the person the case is about comes first"
expect "[.people[] | select(.person_id == $alex)][0] | .allowed and .basis == \"consent\" and .consent_id == $for_one" "the advocate, by that consent"
expect "[.people[] | select(.person_id == $priya)][0] | (.allowed | not) and .role == \"parent\" and .reason == \"Sam Lee is 19; Sam Lee's own consent is needed\"" "the parent, not without Sam's consent"

# --- Withdrawn: at once, and kept; a contact before the withdrawal still stands ---
call POST "/api/v1/consents/$for_one/withdraw" '{}' -H "$A"
expect_status 400 "a withdrawal says why"
call POST "/api/v1/consents/$for_one/withdraw" '{"reason":"Sam phoned to withdraw it"}' -H "$A"
expect_status 200 "the consent is withdrawn"
expect '.state == "withdrawn" and .withdrawn_reason == "Sam phoned to withdraw it" and .withdrawn_at != null' "it is kept, withdrawn"
call POST "/api/v1/consents/$for_one/withdraw" '{"reason":"again"}' -H "$A"
expect_status 409 "withdrawn once"
contact "$one" '{"direction":"outbound","channel":"email","summary":"Update for Alex","with_person_id":'"$alex"'}'
expect_status 409 "refused after withdrawal"
expect '.detail | test("was withdrawn on")' "the sentence says it was withdrawn"
contact "$one" '{"direction":"outbound","channel":"email","at":"2026-11-21T10:00","summary":"Logged late: the letter of the 21st","with_person_id":'"$alex"'}'
expect_status 201 "a contact made while the consent stood is judged at its own time"

# --- Expired: consent for every matter, in the past ---
call POST "/api/v1/people/$sam/consents" '{"grantee_id":'"$alex"',"scope":"all","evidence":"Email from Sam, 5 January 2026","given_on":"2026-01-05","expires_on":"2026-06-30"}' -H "$A"
expect_status 201 "an old consent for every matter"
expect '.state == "expired" and .scope == "all"' "it has expired"
contact "$two" '{"direction":"outbound","channel":"phone","at":"2026-11-20T11:00","summary":"Exam access","with_person_id":'"$alex"'}'
expect_status 409 "refused after expiry"
expect '.detail | test("expired on 30 June 2026")' "the sentence says when it expired"
contact "$two" '{"direction":"outbound","channel":"phone","at":"2026-03-10T11:00","summary":"Exam access, in March","with_person_id":'"$alex"'}'
expect_status 201 "allowed while it was current"

# --- A parent: refused for an 18-year-old, allowed for a 17-year-old ---
before=$(count "$one")
contact "$one" '{"direction":"outbound","channel":"phone","at":"2026-11-25T10:00","summary":"Spoke to Priya","with_person_id":'"$priya"'}'
expect_status 409 "a parent, about a 19-year-old, without their consent"
expect ".detail == \"Case $one is about Sam Lee (19). Priya Lee is their parent, and Sam Lee is 18 or over, so we need Sam Lee's own written consent before we speak to Priya Lee about this case; record it under Sam Lee's record, Consents.\"" "the charter's rule in a sentence"
checks=$((checks + 1))
[ "$(count "$one")" = "$before" ] || fail "the refused parent contact stored nothing"
contact "$three" '{"direction":"outbound","channel":"phone","at":"2026-11-25T10:00","summary":"Spoke to Priya about Kim","with_person_id":'"$priya"'}'
expect_status 201 "a parent, about a 17-year-old"
call GET "/api/v1/cases/$three/contacts-allowed" '' -H "$A"
expect "[.people[] | select(.person_id == $priya)][0] | .allowed and .basis == \"parent-of-child\" and (.reason | test(\"Kim Lee is 17\"))" "the list says why"
call POST "/api/v1/people/$sam/consents" '{"grantee_id":'"$priya"',"scope":"all","evidence":"Signed letter","given_on":"2026-11-24"}' -H "$A"
expect_status 201 "Sam's own consent for Priya"
contact "$one" '{"direction":"outbound","channel":"phone","at":"2026-11-25T10:00","summary":"Spoke to Priya","with_person_id":'"$priya"'}'
expect_status 201 "now Priya may be told"

# --- Inbound, the subject by default, and the person page ---
contact "$two" '{"direction":"inbound","channel":"phone","summary":"Alex rang","with_person_id":'"$alex"'}'
expect_status 201 "an inbound contact tells them nothing, so it is not checked"
contact "$two" '{"direction":"outbound","channel":"email","summary":"Reply to Sam"}'
expect_status 201 "an outbound contact with nobody named is with the case's person"
expect ".contacts[-1].with_person_id == $sam" "and says so"
contact "$two" '{"direction":"outbound","channel":"email","summary":"x","with_person_id":999999}'
expect_status 400 "with_person_id must be a person"
contact "$two" '{"direction":"outbound","channel":"email","summary":"x","with_person_id":"Alex"}'
expect_status 400 "with_person_id must be an id"
call GET "/api/v1/people/$sam" '' -H "$A"
expect '(.relationships | length) == 2 and (.consents | length) == 3' "Sam's page lists relationships and consents"
expect "[.consents[] | select(.id == $for_one)][0].state == \"withdrawn\"" "the withdrawn consent is kept"
call GET "/api/v1/audit?limit=1000" '' -H "$A"
expect '[.audit[] | select(.object == "consent" and .action == "create")] | length == 3' "each consent recorded is audited"
expect "[.audit[] | select(.object == \"consent\" and .action == \"withdraw\" and .object_id == $for_one)] | length == 1" "the withdrawal is audited"
expect '[.audit[] | select(.object == "relationship")] | map(.action) | sort == ["create","create","create","create","delete"]' "relationships made and removed are audited"

# --- Another team's client is not named on a person's page ---
echo 'a good long password' | "$charter" admin user add --db "$db" --email olu@cognus.example --name Olu \
    --role officer --service cognus/enquiries --password-stdin >/dev/null
O="Authorization: Bearer $("$charter" admin token --email olu@cognus.example --db "$db")"
dee=$(person '{"name":"Dee Adviser","email":"dee@sendiass.example","service":"sendiass/enquiries"}')
call POST /api/v1/cases '{"service":"sendiass/enquiries","channel":"email","subject":"Her own matter","requester":{"name":"Dee Adviser","email":"dee@sendiass.example"}}' -H "$A"
call POST "/api/v1/people/$dee/relationships" '{"kind":"professional","other_id":'"$sam"'}' -H "$A"
expect_status 201 "Dee, a SENDIASS client, acts for Sam"
call GET "/api/v1/people/$sam" '' -H "$O"
expect_status 200 "a Cognus officer sees Sam"
expect "(.relationships | length) == 2 and .hidden_relationships == 1 and ([.relationships[] | select(.person_id == $dee)] | length) == 0" "Dee is left out, and counted"
call POST "/api/v1/people/$sam/relationships" '{"kind":"parent","other_id":'"$dee"'}' -H "$O"
expect_status 400 "nor can the officer relate Sam to someone they cannot see"
call POST "/api/v1/people/$dee/consents" '{"grantee_id":'"$sam"',"scope":"all","evidence":"x","given_on":"2026-11-01"}' -H "$O"
expect_status 404 "or record consent under their record"

finish
