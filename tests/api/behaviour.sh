#!/bin/sh
# Safeguards on a person: managers record incidents of unreasonable
# behaviour and restrict how a person contacts us; a restriction binds only
# once the written notice (a PDF from the policy's template) is recorded as
# sent; then an outbound contact by a channel it does not allow is refused
# (409, nothing stored), an inbound one goes to the point of contact, and a
# new case's reply is paced by the restriction's frequency. Officers see
# that a restriction applies and what it allows, never the incidents.
. "$(dirname "$0")/lib.sh"
start_server
problem='.type and .title and .status and (.detail | length > 10)'
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
user() { # user EMAIL NAME ROLE SERVICE -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$2" \
        --role "$3" --service "$4" --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
O="Authorization: Bearer $(user olu@cognus.example 'Olu Officer' officer cognus/enquiries)"
M="Authorization: Bearer $(user meg@cognus.example 'Meg Manager' manager cognus/enquiries)"
S="Authorization: Bearer $(user sam@cognus.example 'Sam Adviser' officer cognus/enquiries)"
call GET /api/v1/session '' -H "$S"
sam=$(json .user.id // .id)
call GET /api/v1/session '' -H "$O"
olu=$(json .user.id // .id)
review=$(date -u -d '+30 days' +%F)
soon=$(date -u -d '+10 days' +%F)

call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Transport",
  "requester":{"name":"Pat Parent","email":"pat@example.org"},"message":"Where is my form?"}' -H "$O"
expect_status 201 "a case from Pat"
case1=$(json .id)
person=$(json .person_id)

# --- Incidents: managers only ---
call POST "/api/v1/people/$person/incidents" '{"channel":"phone","kind":"abusive","what":"Shouted."}' -H "$O"
expect_status 403 "an officer cannot record an incident"
call GET "/api/v1/people/$person/incidents" '' -H "$O"
expect_status 403 "an officer cannot read incidents"
expect "$problem" "and is told so in a sentence"
call POST "/api/v1/people/$person/incidents" '{"channel":"phone","kind":"rude","what":"Shouted."}' -H "$M"
expect_status 400 "an unknown kind of incident"
expect '.fields == ["kind"] and (.detail | test("threatening"))' "names the field and the kinds"
call POST "/api/v1/people/$person/incidents" '{"channel":"phone","kind":"abusive","what":"x","mood":"bad"}' -H "$M"
expect_status 400 "an unknown member is refused"
call POST "/api/v1/people/$person/incidents" "{\"at\":\"2026-01-05T10:00:00Z\",\"channel\":\"phone\",\"kind\":\"threatening\",
  \"what\":\"Threatened to come to the office and shouted at Olu.\",\"staff_affected\":[$olu],
  \"health_and_safety\":true,\"police_reference\":\"CAD 1234\",\"actions\":[\"call-ended\",\"warning-issued\"],\"case_id\":$case1}" -H "$M"
expect_status 201 "a manager records a threatening call"
expect ".health_and_safety == true and .staff_affected == [$olu] and .actions == [\"call-ended\",\"warning-issued\"] and .case_id == $case1" "with the staff it affected, H&S and actions"
call GET "/api/v1/people/$person/incidents" '' -H "$M"
expect '.total == 1 and .incidents[0].kind == "threatening" and .incidents[0].police_reference == "CAD 1234"' "the manager reads it back"

# --- A restriction, not yet noticed ---
call POST "/api/v1/people/$person/restrictions" "{\"allowed_channels\":[\"email\"],\"reason\":\"x\",\"review_on\":\"$review\"}" -H "$O"
expect_status 403 "an officer cannot restrict contact"
call POST "/api/v1/people/$person/restrictions" "{\"allowed_channels\":[\"email\"],\"frequency\":{\"replies\":1,\"per\":\"10 days\"},\"reason\":\"x\",\"review_on\":\"$review\"}" -H "$M"
expect_status 400 "a period not in working days"
expect '.fields == ["frequency.per"]' "names frequency.per"
call POST "/api/v1/people/$person/restrictions" "{\"allowed_channels\":[\"fax\"],\"reason\":\"x\",\"review_on\":\"2020-01-01\"}" -H "$M"
expect_status 400 "an unknown channel and a past review date"
expect '(.fields | index("allowed_channels")) and (.fields | index("review_on"))' "names both"
call POST "/api/v1/people/$person/restrictions" "{\"allowed_channels\":[\"email\"],\"point_of_contact\":$sam,
  \"frequency\":{\"replies\":1,\"per\":\"10 working days\"},\"reason\":\"You threatened a member of our staff on 5 January.\",\"review_on\":\"$review\"}" -H "$M"
expect_status 201 "a manager restricts contact to email through Sam"
restriction=$(json .id)
expect '.status == "awaiting-notice" and .active == false' "it waits for its notice"
expect '.summary == "email only, through Sam Adviser; one reply each 10 working days"' "and says what it allows"
call POST "/api/v1/people/$person/restrictions" "{\"allowed_channels\":[\"letter\"],\"reason\":\"x\",\"review_on\":\"$review\"}" -H "$M"
expect_status 409 "a second restriction while one is open"

call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"phone","summary":"Rang back."}' -H "$O"
expect_status 201 "before the notice is sent, a phone call is not refused"

# --- The notice ---
call GET "/api/v1/restrictions/$restriction/notice" '' -H "$O"
expect_status 403 "an officer cannot make the notice"
curl -s -o "$tmp/notice.pdf" -D "$tmp/headers" -H "$M" "$base/api/v1/restrictions/$restriction/notice"
checks=$((checks + 1))
grep -qi '^content-type: application/pdf' "$tmp/headers" && head -c 5 "$tmp/notice.pdf" | grep -q '%PDF-' ||
    fail "the notice is a PDF"
if command -v pdftotext >/dev/null; then
    pdftotext "$tmp/notice.pdf" "$tmp/notice.txt"
    tr '\n' ' ' <"$tmp/notice.txt" >"$tmp/body"
    for words in "How you may contact Cognus from now on" "Dear Pat Parent" "by email only" \
        "Sam Adviser will be your point of contact" "no more than 1 time every 10 working days" \
        "You threatened a member of our staff" "Cognus Limited"; do
        checks=$((checks + 1))
        grep -qF "$words" "$tmp/body" || fail "the notice says '$words'"
    done
else
    checks=$((checks + 1))
    fail "pdftotext is not installed (deps/debian.txt lists poppler-utils): the notice cannot be read"
fi
call POST "/api/v1/restrictions/$restriction/notice-sent" '{"how":"pigeon"}' -H "$M"
expect_status 400 "an unknown way of sending"
call POST "/api/v1/restrictions/$restriction/notice-sent" '{"how":"letter"}' -H "$O"
expect_status 403 "an officer cannot record the notice as sent"
call POST "/api/v1/restrictions/$restriction/notice-sent" '{"how":"letter"}' -H "$M"
expect_status 200 "the manager records the letter as sent"
expect '.status == "active" and .active == true and .notice_how == "letter" and .notice_sent_at' "it is active from now"
call POST "/api/v1/restrictions/$restriction/notice-sent" '{"how":"letter"}' -H "$M"
expect_status 409 "the notice is recorded once"

# --- Enforced: outbound ---
call GET "/api/v1/cases/$case1" '' -H "$O"
contacts=$(json '.contacts | length')
call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"phone","summary":"Rang back."}' -H "$O"
expect_status 409 "a phone call the restriction does not allow"
expect '(.type | endswith("/restricted-channel")) and (.detail | test("email only")) and (.detail | test("by phone"))' "says why and what is allowed"
call GET "/api/v1/cases/$case1" '' -H "$O"
expect ".contacts | length == $contacts" "and nothing is stored"
call GET "/api/v1/audit?limit=20" '' -H "$A"
expect "[.audit[] | select(.action == \"refuse-contact\" and .object_id == $restriction)] | length == 1" "the refusal is audited"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"email","summary":"Your form is attached.","meets":["respond"]}' -H "$O"
expect_status 201 "an email, which it allows, goes through"

# --- Enforced: inbound goes to the point of contact ---
call POST "/api/v1/cases/$case1/contacts" '{"direction":"inbound","channel":"email","summary":"More questions."}' -H "$O"
expect_status 201 "an inbound email from Pat is logged"
expect ".officer_id == $sam" "and the case goes to Sam, the point of contact"
expect '[.events[].detail] | map(select(test("point of contact"))) | length == 1' "the timeline says why"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"inbound","channel":"phone","summary":"Rang anyway."}' -H "$O"
expect_status 201 "a phone call from Pat is logged though the restriction does not allow it"
expect '.events[-1].detail | test("this came by phone")' "and the timeline says it came by a channel not allowed"

# --- A new case is routed and paced ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Another question",
  "requester":{"name":"Pat Parent","email":"pat@example.org"}}' -H "$O"
expect_status 201 "a new case for Pat"
expect ".officer_id == $sam" "goes to the point of contact"
expect '(.obligations[] | select(.kind == "respond") | .due_at | fromdate) - now > 12 * 86400' "its reply is due no sooner than 10 working days after the last reply"
expect '[.events[].what] | index("restricted")' "and its timeline says it is restricted"

# --- What officers and managers see on the person ---
call GET "/api/v1/people/$person" '' -H "$O"
expect_status 200 "the officer reads the person"
expect '.restrictions[0].summary == "email only, through Sam Adviser; one reply each 10 working days" and .restrictions[0].active' "and sees the restriction and what it allows"
expect '(has("incidents") | not) and (.restrictions[0] | has("reason") | not)' "but not the incidents or the reason"
call GET "/api/v1/people/$person" '' -H "$M"
expect '.incidents | length == 1' "the manager sees the incidents on the person"
expect '.restrictions[0].reason | test("threatened")' "and the reason"

# --- Reviews ---
call GET /api/v1/queues/restriction-reviews '' -H "$M"
expect_status 200 "the managers' review queue"
expect "[.restrictions[].id] | index($restriction) | not" "a review a month away is not due yet"
call POST "/api/v1/restrictions/$restriction/review" "{\"review_on\":\"$soon\",\"note\":\"Still needed.\"}" -H "$M"
expect_status 200 "a manager reviews it and keeps it"
call GET /api/v1/queues/restriction-reviews '' -H "$M"
expect "[.restrictions[].id] | index($restriction)" "a review due within 14 days is in the queue"
call GET /api/v1/queues/restriction-reviews '' -H "$O"
expect_status 403 "officers have no review queue"

# --- Ended: no longer enforced ---
call POST "/api/v1/restrictions/$restriction/end" '{}' -H "$M"
expect_status 400 "ending needs a reason"
call POST "/api/v1/restrictions/$restriction/end" '{"reason":"Behaviour has improved."}' -H "$M"
expect_status 200 "the manager lifts it"
expect '.status == "ended" and .active == false' "it has ended"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"phone","summary":"Rang."}' -H "$O"
expect_status 201 "a phone call is fine again"

# --- Refusal of service ---
call POST "/api/v1/people/$person/restrictions" "{\"allowed_channels\":[\"email\",\"letter\"],\"refuse_service\":true,
  \"reason\":\"Repeated threats.\",\"review_on\":\"$review\"}" -H "$M"
refusal=$(json .id)
call POST "/api/v1/restrictions/$refusal/notice-sent" '{"how":"email"}' -H "$M"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Third",
  "requester":{"name":"Pat Parent","email":"pat@example.org"}}' -H "$O"
case3=$(json .id)
call POST "/api/v1/cases/$case3/contacts" '{"direction":"outbound","channel":"email","summary":"Answer.","meets":["respond"]}' -H "$O"
expect_status 409 "a substantive reply while service is refused"
expect '(.type | endswith("/service-refused")) and (.detail | test("acknowledgement"))' "says what is still allowed"
call POST "/api/v1/cases/$case3/contacts" '{"direction":"outbound","channel":"letter","summary":"Sent the notice."}' -H "$O"
expect_status 201 "a letter that keeps no promise (the notice) still goes"

# --- The policy format: a misspelt placeholder is found at its line ---
sed 's/{point_of_contact} will be your/{point_of_contct} will be your/' "$(dirname "$0")/../../policies/cognus.yaml" >"$tmp/typo.yaml"
"$charter" policy check "$tmp/typo.yaml" >"$tmp/body" 2>&1
checks=$((checks + 1))
grep -qE 'typo.yaml:[0-9]+:[0-9]+: .*\{point_of_contct\}.*did you mean \{point_of_contact\}' "$tmp/body" ||
    fail "a misspelt placeholder is reported at FILE:LINE:COL with a suggestion"

finish
