#!/bin/sh
# People and safeguards: people listed and searched within what an officer
# may see, edited strictly (a bad date changes nothing), communication needs
# turned into alerts on the person and on every case of theirs, an avoided
# channel refused unless a reason is given, files attached and served only
# to those who may see the record, and duplicates merged by managers.
. "$(dirname "$0")/lib.sh"
start_server
add() { # add EMAIL ROLE SERVICE -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$1" \
        --role "$2" ${3:+--service "$3"} --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
officer=$(add officer@cognus.example officer cognus/enquiries)
other=$(add adviser@sendiass.example officer sendiass/enquiries)
manager=$(add manager@cognus.example manager cognus/enquiries)
A="Authorization: Bearer $officer"
O="Authorization: Bearer $other"
M="Authorization: Bearer $manager"

new_case() { # new_case SUBJECT EMAIL -> sets case_id, person_id
    call POST /api/v1/cases "{\"service\":\"cognus/enquiries\",\"channel\":\"email\",\"received_at\":\"2025-12-19T10:00\",\"subject\":\"$1\",\"requester\":{\"name\":\"Dana Okafor\",\"email\":\"$2\"}}" -H "$A"
    expect_status 201 "a case for $2"
    case_id=$(json .id)
    person_id=$(json .person_id)
}
new_case "School transport" dana@example.org
case1=$case_id
person=$person_id
new_case "EHCP review" dana@example.org
case2=$case_id
[ "$person_id" = "$person" ] || fail "both cases should be Dana's (got $person_id and $person)"

# --- listing and searching ---
call GET "/api/v1/people?q=dana&limit=10" "" -H "$A"
expect_status 200 "people searched"
expect ".total == 1 and (.people | length) == 1 and .people[0].id == $person" "Dana found, with a total"
call GET "/api/v1/people?q=dana" "" -H "$O"
expect ".total == 0" "another team's officer does not see Dana"
call GET "/api/v1/people?limit=0" "" -H "$A"
expect_status 400 "limit 0"

# --- editing ---
call PATCH "/api/v1/people/$person" '{"date_of_birth":"2010-02-30","phone":"01632 960001"}' -H "$A"
expect_status 400 "a date that does not exist"
expect '.fields | index("date_of_birth") != null' "the fault names date_of_birth"
call GET "/api/v1/people/$person" "" -H "$A"
expect '.phone == null and .date_of_birth == null' "nothing changed after a bad date"
call PATCH "/api/v1/people/$person" '{"date_of_birth":"2999-01-01"}' -H "$A"
expect_status 400 "a date of birth in the future"
call PATCH "/api/v1/people/$person" '{"date_of_birth":"1800-01-01"}' -H "$A"
expect_status 400 "a date of birth more than 130 years ago"
call PATCH "/api/v1/people/$person" '{"nickname":"D"}' -H "$A"
expect_status 400 "an unknown member"
call PATCH "/api/v1/people/$person" '{"name":"Dana Okafor","phone":"01632 960001","date_of_birth":"2009-03-14"}' -H "$A"
expect_status 200 "details edited"
expect '.phone == "01632 960001" and .date_of_birth == "2009-03-14" and (.age | type) == "number"' "the edit is returned, with an age"
call PATCH "/api/v1/people/$person" '{"name":"Dana"}' -H "$O"
expect_status 404 "another team's officer cannot edit Dana"

# --- needs and alerts ---
call PATCH "/api/v1/people/$person" '{"needs":{"preferred_channel":"email","avoid_channels":["phone"],"colour":"blue"}}' -H "$A"
expect_status 400 "an unknown member of needs"
expect '.fields | index("needs.colour") != null' "it is named needs.colour"
call PATCH "/api/v1/people/$person" '{"needs":{"preferred_channel":"fax"}}' -H "$A"
expect_status 400 "an unknown channel"
expect '.fields | index("needs.preferred_channel") != null' "named needs.preferred_channel"
call PATCH "/api/v1/people/$person" '{"needs":{"preferred_channel":"email","avoid_channels":["email"]}}' -H "$A"
expect_status 400 "a channel both preferred and avoided"
call PATCH "/api/v1/people/$person" '{"needs":{"format":"tiny"}}' -H "$A"
expect_status 400 "an unknown format"
call PATCH "/api/v1/people/$person" '{"needs":{"preferred_channel":"email","avoid_channels":["phone","voicemail"],"format":"large-print","bsl":true,"note":"Deaf; a relay service is fine for urgent matters."}}' -H "$A"
expect_status 200 "needs set"
expect '.needs.preferred_channel == "email" and (.alerts | length) >= 3' "needs and alerts on the person"
expect '.alerts[0] == "Prefers email; please do not phone or leave a voicemail."' "the first alert says what to do"
expect '[.alerts[] | select(test("British Sign Language"))] | length == 1' "BSL is an alert"
for c in $case1 $case2; do
    call GET "/api/v1/cases/$c" "" -H "$A"
    expect ".alerts[0] == \"Prefers email; please do not phone or leave a voicemail.\"" "the alert is on case $c"
done

# --- the avoided channel ---
call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"phone","summary":"Rang about the bus"}' -H "$A"
expect_status 409 "phoning someone who asked not to be phoned"
expect '(.type | endswith("/channel-avoided")) and (.detail | test("not to phone")) and (.detail | test("channel_reason"))' "the refusal says what was asked and how to go on"
call GET "/api/v1/cases/$case1" "" -H "$A"
expect '[.contacts[] | select(.channel == "phone")] | length == 0' "nothing was logged"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"email","summary":"Wrote about the bus"}' -H "$A"
expect_status 201 "the preferred channel needs no reason"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"phone","summary":"Rang: the bus is cancelled tomorrow","channel_reason":"Urgent: the bus is cancelled in the morning and email would not be read in time."}' -H "$A"
expect_status 201 "the avoided channel with a reason"
expect '[.contacts[] | select(.channel == "phone" and (.channel_reason | test("Urgent")))] | length == 1' "the reason is kept on the contact"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"inbound","channel":"phone","summary":"Dana rang us","channel_reason":"x"}' -H "$A"
expect_status 400 "a reason on an inbound contact"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"phone","summary":"Rang","channel_reason":"   "}' -H "$A"
expect_status 409 "a reason of blanks is no reason"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"inbound","channel":"phone","summary":"Dana rang us"}' -H "$A"
expect_status 201 "the person may phone us"

# --- attachments ---
printf '%%PDF-1.4\n%% a consent form\n' >"$tmp/form.pdf"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: application/pdf' \
    --data-binary @"$tmp/form.pdf" "$base/api/v1/people/$person/attachments?filename=Consent%20form.pdf")
expect_status 201 "a PDF attached to the person"
file=$(json .id)
expect '.filename == "Consent form.pdf" and .content_type == "application/pdf" and .size > 10' "the attachment as stored"
printf 'A letter from the school.\n' >"$tmp/letter.txt"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain; charset=utf-8' \
    --data-binary @"$tmp/letter.txt" "$base/api/v1/cases/$case2/attachments?filename=letter.txt")
expect_status 201 "a letter attached to a case"
letter=$(json .id)
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: application/x-msdownload' \
    --data-binary @"$tmp/letter.txt" "$base/api/v1/cases/$case2/attachments?filename=run.exe")
expect_status 415 "a program is refused"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain' \
    --data-binary @"$tmp/letter.txt" "$base/api/v1/cases/$case2/attachments?filename=%E2%80%AEtxt.exe")
expect_status 400 "a name that reads backwards (a bidirectional control) is refused"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: image/png' \
    --data-binary @"$tmp/letter.txt" "$base/api/v1/cases/$case2/attachments?filename=note.png")
expect_status 415 "text sent as a PNG is refused"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain' \
    --data-binary @"$tmp/letter.txt" "$base/api/v1/cases/$case2/attachments?filename=a/b.txt")
expect_status 400 "a path as a file name"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain' \
    --data-binary @"$tmp/letter.txt" "$base/api/v1/cases/$case2/attachments?filename=%FF.txt")
expect_status 400 "a file name that is not UTF-8"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain' \
    --data-binary @"$tmp/letter.txt" "$base/api/v1/cases/$case2/attachments?filename=Lettre%20d%C3%A9cision.txt")
expect_status 201 "a file name in any script"
accented=$(json .id)
status=$(curl -s -D "$tmp/headers" -o /dev/null -w '%{http_code}' -H "$A" "$base/api/v1/attachments/$accented")
checks=$((checks + 1))
grep -qi "^content-disposition: attachment; filename=\"Lettre d__cision.txt\"; filename\*=UTF-8''Lettre%20d%C3%A9cision.txt" "$tmp/headers" ||
    fail "the name survives in the header: $(grep -i disposition "$tmp/headers")"
head -c 5300000 /dev/zero >"$tmp/big.txt"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain' \
    --data-binary @"$tmp/big.txt" "$base/api/v1/cases/$case2/attachments?filename=big.txt")
expect_status 413 "a file over 5 MB"
expect '.detail | test("5 MB")' "the 413 says the limit"
call GET "/api/v1/people/$person" "" -H "$A"
expect "[.attachments[] | select(.id == $file and .filename == \"Consent form.pdf\" and .uploaded_by_name == \"officer@cognus.example\")] | length == 1" "listed on the person"
call GET "/api/v1/cases/$case2" "" -H "$A"
expect "[.attachments[] | select(.id == $letter)] | length == 1" "listed on the case"
status=$(curl -s -D "$tmp/headers" -o "$tmp/got.pdf" -w '%{http_code}' -H "$A" "$base/api/v1/attachments/$file")
expect_status 200 "the file is served"
checks=$((checks + 1))
cmp -s "$tmp/form.pdf" "$tmp/got.pdf" || fail "the file served is not the file attached"
checks=$((checks + 1))
grep -qi '^content-disposition: attachment; filename="Consent form.pdf"' "$tmp/headers" || fail "served as an attachment: $(cat "$tmp/headers")"
checks=$((checks + 1))
grep -qi '^x-content-type-options: nosniff' "$tmp/headers" || fail "served with nosniff"
checks=$((checks + 1))
grep -qi '^content-type: application/pdf' "$tmp/headers" || fail "served as a PDF"
call GET "/api/v1/audit?person=$person" "" -H "Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
expect "[.audit[] | select(.action == \"download\" and .object == \"attachment\" and .object_id == $file)] | length == 1" "the access log names the file's download as a download"
call GET "/api/v1/attachments/$file" "" -H "$O"
expect_status 404 "another team's officer cannot download the person's file"
call GET "/api/v1/attachments/$letter" "" -H "$O"
expect_status 404 "another team's officer cannot download the case's file"
call GET "/api/v1/attachments/999999" "" -H "$A"
expect_status 404 "no such attachment"

# --- merging ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"phone","received_at":"2025-12-19T11:00","subject":"Bus pass","requester":{"name":"D Okafor","email":"d.okafor@example.org"}}' -H "$A"
dup_case=$(json .id)
dup=$(json .person_id)
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T11:05","subject":"Bus pass again","requester":{"name":"D Okafor","email":"D.Okafor@Example.ORG"}}' -H "$A"
expect ".person_id == $dup" "an email in other capitals is the same person, not a new duplicate"
# What keeps a person safe follows them into the record kept.
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Advocacy","requester":{"name":"E Advocate","email":"e.advocate@example.org"}}' -H "$A"
adv=$(json .person_id)
call POST "/api/v1/people/$adv/relationships" "{\"kind\":\"advocate\",\"other_id\":$dup}" -H "$A"
expect_status 201 "an advocate for the duplicate"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Needs first","requester":{"name":"F Needs","email":"f.needs@example.org"}}' -H "$A"
fneeds=$(json .person_id)
call PATCH "/api/v1/people/$fneeds" '{"needs":{"avoid_channels":["phone"],"note":"Never phone the home number."}}' -H "$A"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Needs kept","requester":{"name":"F Needs","email":"f.needs.work@example.org"}}' -H "$A"
fkept=$(json .person_id)
call POST "/api/v1/people/$fkept/merge" "{\"duplicate_id\":$fneeds}" -H "$M"
expect_status 200 "a record without needs takes in one that has them"
expect '(.alerts | length) > 0 and (.needs.note | test("home number"))' "the needs (and so the alerts) follow the person"
call POST "/api/v1/people/$person/merge" "{\"duplicate_id\":$dup}" -H "$A"
expect_status 403 "an officer cannot merge"
call POST "/api/v1/people/$person/merge" "{\"duplicate_id\":$person}" -H "$M"
expect_status 400 "merging a person into themselves"
call POST "/api/v1/people/$person/merge" "{\"duplicate_id\":$dup}" -H "$M"
expect_status 200 "a manager merges the duplicate"
expect "([.cases[] | select(.id == $dup_case)] | length) == 1 and (.cases | length) == 4" "the duplicate's two cases moved to the kept person"
call GET "/api/v1/cases/$dup_case" "" -H "$A"
expect ".person_id == $person and (.alerts | length) > 0" "the moved case carries the kept person's alerts"
call GET "/api/v1/people/$dup" "" -H "$A"
expect ".merged_into == $person" "the duplicate is marked merged"
call GET "/api/v1/people?q=okafor" "" -H "$A"
expect ".total == 1 and .people[0].id == $person" "the merged record is not listed"
call POST "/api/v1/people/$person/merge" "{\"duplicate_id\":$dup}" -H "$M"
expect_status 409 "merging the same duplicate twice"
call PATCH "/api/v1/people/$dup" '{"name":"X"}' -H "$A"
expect_status 409 "a merged record cannot be edited"
call GET "/api/v1/people/$person" "" -H "$A"
expect "[.relationships[] | select(.kind == \"advocate\" and .other_id == $person)] | length == 1" "the advocate now stands for the person kept"
call POST "/api/v1/people/$dup/relationships" "{\"kind\":\"advocate\",\"other_id\":$adv}" -H "$A"
expect_status 409 "nothing new is recorded on a merged record"
expect '.detail | test("merged into person")' "and the sentence says where to record it"
call GET "/api/v1/audit?limit=1000" "" -H "$M"
expect "[.audit[] | select(.action == \"merge\" and .object_id == $dup)] | length >= 1" "the merge is audited"
expect '[.audit[] | select(.action == "channel-refused")] | length >= 1' "the refusal is audited"

finish
