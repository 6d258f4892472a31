#!/bin/sh
# Subject access: a person's export holds every contact of theirs and
# nothing of anyone else's (staff named by role, third parties withheld),
# with their files and a readable PDF; a SAR case's month can be extended
# by two by a manager, with a reason; releasing the export keeps the
# promise to reply and leaves the zip on the case, once.
. "$(dirname "$0")/lib.sh"
start_server
add() { # add EMAIL NAME ROLE SERVICE [SERVICE] -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$2" \
        --role "$3" ${4:+--service "$4"} ${5:+--service "$5"} --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
# Alice also works for Cognus: Dana's copy names her by the Sutton role only.
officer=$(add alice@sutton.example "Alice Staffname" officer sutton/information-requests cognus/enquiries)
second=$(add bob@sutton.example "Bob Otherofficer" officer sutton/information-requests)
manager=$(add mary@sutton.example "Mary Managername" manager sutton/information-requests)
A="Authorization: Bearer $officer"
B="Authorization: Bearer $second"
M="Authorization: Bearer $manager"
SVC=sutton/information-requests
# Received yesterday, so the month is still running.
received=$(date -u -d yesterday +%Y-%m-%dT10:00)
day=$(date -u -d yesterday +%Y-%m-%d)

new_case() { # new_case KIND SUBJECT NAME EMAIL -> sets case_id, person_id
    call POST /api/v1/cases "{\"service\":\"$SVC\",\"kind\":\"$1\",\"channel\":\"email\",\"received_at\":\"$received\",\"subject\":\"$2\",\"requester\":{\"name\":\"$3\",\"email\":\"$4\"}}" -H "$A"
    expect_status 201 "a $1 case for $4"
    case_id=$(json .id)
    person_id=$(json .person_id)
}
contact() { # contact CASE BODY
    call POST "/api/v1/cases/$1/contacts" "$2" -H "$A"
    expect_status 201 "a contact on case $1"
}
new_case foi "Dana transport information" "Dana Okafor" dana@example.org
foi=$case_id
dana=$person_id
new_case sar "Dana asks for her data" "Dana Okafor" dana@example.org
sar=$case_id
new_case foi "Olu's own request" "Olu Brown" olu@example.org
olu=$person_id
olu_case=$case_id
contact "$foi" '{"direction":"inbound","channel":"email","summary":"DANATEXTONE about the school bus"}'
contact "$foi" '{"direction":"outbound","channel":"email","summary":"DANATEXTTWO we replied to Dana","who":"Dana Okafor"}'
contact "$sar" '{"direction":"inbound","channel":"email","summary":"DANATEXTTHREE please send everything you hold"}'
contact "$olu_case" '{"direction":"inbound","channel":"email","summary":"OLUSECRETTEXT about my own matter"}'
# Amira is on record with no link to Dana, but an officer's note names her.
call POST /api/v1/people '{"name":"Amira Khan","email":"amira.khan@example.org"}' -H "$A"
expect_status 201 "Amira is on record"
contact "$sar" '{"direction":"outbound","channel":"phone","summary":"DANATEXTFOUR Amira Khan (amira.khan@example.org) joined the Annual review"}'
# Olu wrote about Dana's case too: on Dana's record, but Olu's words.
contact "$foi" '{"direction":"inbound","channel":"letter","summary":"OLUONSHARED a letter from Olu","with_person_id":'"$olu"'}'
call POST "/api/v1/people/$dana/relationships" '{"kind":"parent","other_id":'"$olu"',"note":"DANANOTE"}' -H "$A"
expect_status 201 "Dana is Olu's parent"
alice=$(curl -s -H "$A" "$base/api/v1/session" | jq .user.id)
call PATCH "/api/v1/cases/$foi" '{"officer_id":'"$alice"'}' -H "$A" -H 'If-Match: "'"$(curl -s -H "$A" "$base/api/v1/cases/$foi" | jq .version)"'"'
expect_status 200 "the FOI case assigned to Alice (the timeline names her)"
call POST "/api/v1/people/$dana/consents" '{"grantee_id":'"$olu"',"scope":"all","evidence":"DANACONSENT letter from Dana","given_on":"'"$day"'"}' -H "$A"
expect_status 201 "Dana lets us speak to Olu"
call POST "/api/v1/people/$dana/incidents" '{"channel":"phone","kind":"abusive","what":"DANAINCIDENT shouted at Alice Staffname","staff_affected":['"$alice"']}' -H "$M"
expect_status 201 "an incident on Dana's record"
printf 'ATTACHEDFILEBYTES from Dana\n' >"$tmp/note.txt"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain' \
    --data-binary "@$tmp/note.txt" "$base/api/v1/cases/$foi/attachments?filename=note.txt")
expect_status 201 "a file on Dana's case"

# --- the preview export ---
call GET "/api/v1/people/$dana/export" "" -H "$A"
expect_status 403 "an officer cannot download everything about a person"
call GET /api/v1/people/999999/export "" -H "$M"
expect_status 404 "an unknown person"
status=$(curl -s -D "$tmp/headers" -o "$tmp/preview.zip" -w '%{http_code}' -H "$M" \
    "$base/api/v1/people/$dana/export")
expect_status 200 "a manager downloads Dana's export"
checks=$((checks + 1))
grep -qi '^content-type: application/zip' "$tmp/headers" || fail "the export is a zip"
checks=$((checks + 1))
grep -qi '^content-disposition: attachment; filename="subject-access-person-' "$tmp/headers" ||
    fail "the export is a download"
call GET "/api/v1/audit?person=$dana" "" -H "$M"
expect '[.audit[] | select(.action == "export" and .object == "person")] | length == 1' "the access log names the download of everything as an export"
mkdir -p "$tmp/x"
(cd "$tmp/x" && unzip -q "$tmp/preview.zip") || fail "the zip opens"
cp "$tmp/x/subject-access.json" "$tmp/body"
for text in DANATEXTONE DANATEXTTWO DANATEXTTHREE DANANOTE; do
    checks=$((checks + 1))
    grep -q "$text" "$tmp/x/subject-access.json" || fail "the JSON holds $text"
done
for text in OLUSECRETTEXT OLUONSHARED "Olu Brown" olu@example.org Staffname Managername Amira amira.khan; do
    checks=$((checks + 1))
    ! grep -rq "$text" "$tmp/x" || fail "nothing in the export says $text"
done
expect ".person.name == \"Dana Okafor\" and (.cases | length) == 2" "Dana and her two cases"
expect '.about.services == ["sutton/information-requests"] and (.about.covers | test("preview holds the records of the services listed"))' "the preview says whose records it holds"
expect '[.cases[].contacts[] | select(.withheld)] | length == 1' "Olu's letter is listed, withheld"
expect '[.cases[].contacts[].summary // "" | select(test("DANATEXTFOUR"))] == ["DANATEXTFOUR [another person] ([another person]) joined the Annual review"]' "another person on record is taken out of free text, name and email, and only whole words"
expect '.relationships[0].other == "[another person]"' "Olu is not named in the relationship"
expect '[.cases[].timeline[].detail // "" | select(test("assigned to an officer of sutton/information-requests"))] | length == 1' "staff are named by role"
expect '.consents[0].given_by == "Dana Okafor" and .consents[0].given_to == "[another person]" and (.consents[0].evidence | test("DANACONSENT"))' "the consent, its grantee withheld"
expect '(.incidents[0].what | test("DANAINCIDENT shouted at an officer of sutton/information-requests")) and .incidents[0].staff_affected == ["an officer of sutton/information-requests"]' "the incident, staff by role in its words too"
expect '(.attachments | length) == 1 and .attachments[0].file == "attachments/" + (.attachments[0].id | tostring) + "-note.txt"' "the file is listed"
expect '(.access_log | length) > 0 and ([.access_log[] | select(.by | test("officer|manager"))] | length) > 0' "who viewed the records, by role"
checks=$((checks + 1))
grep -q ATTACHEDFILEBYTES "$tmp/x/attachments/"*-note.txt || fail "the file itself is inside"
checks=$((checks + 1))
pdftotext "$tmp/x/subject-access.pdf" "$tmp/x/pdf.txt" 2>/dev/null || fail "the PDF is a PDF"
checks=$((checks + 1))
grep -q "Dana Okafor" "$tmp/x/pdf.txt" && grep -q DANATEXTONE "$tmp/x/pdf.txt" ||
    fail "the PDF shows Dana's name and her words"
# Times on the charter's clock (Europe/London), as a person reads them.
checks=$((checks + 1))
tr '\n' ' ' <"$tmp/x/pdf.txt" | grep -q "Times are given on the clock of London Borough of Sutton *(Europe/London)" &&
    ! grep -q " UTC" "$tmp/x/pdf.txt" || fail "the PDF reads times on the charter's clock: $(grep -m3 -E 'UTC|clock' "$tmp/x/pdf.txt")"

# --- the SAR case's clock and its extension ---
call GET "/api/v1/cases/$sar/sar" "" -H "$A"
expect_status 200 "the SAR state"
expect '.extended == false and .export == null and .may_extend == false' "not extended, nothing released"
due1=$(json .due_at)
call GET "/api/v1/cases/$foi/sar" "" -H "$A"
expect_status 404 "an FOI case has no SAR state"
call POST "/api/v1/cases/$sar/sar/extend" '{"reason":"Many records across two services"}' -H "$A"
expect_status 403 "an officer cannot extend"
call POST "/api/v1/cases/$sar/sar/extend" '{"reason":' -H "$M"
expect_status 400 "bad JSON"
call POST "/api/v1/cases/$sar/sar/extend" '{"reason":"x","days":60}' -H "$M"
expect_status 400 "an unknown member"
expect '.fields | index("days") != null' "the unknown member is named"
call POST "/api/v1/cases/$sar/sar/extend" '{}' -H "$M"
expect_status 400 "no reason"
call POST "/api/v1/cases/$sar/sar/extend" '{"reason":"  \n "}' -H "$M"
expect_status 400 "a reason of spaces says nothing"
call POST "/api/v1/cases/$foi/sar/extend" '{"reason":"complex"}' -H "$M"
expect_status 400 "only a SAR case is extended"
call POST "/api/v1/cases/$sar/sar/extend" '{"reason":"Many records across two services"}' -H "$M"
expect_status 200 "a manager extends the SAR"
expect '.flags | index("sar-extended") != null' "the case carries the extension"
expect '[.obligations[] | select(.kind == "respond" and .promise == "sar-reply-extended")] | length == 1' "the extended promise is in place"
call GET "/api/v1/cases/$sar/sar" "" -H "$M"
expect '.extended == true' "extended"
expect '.may_extend == false and .may_release == true' "and not offered a second extension"
due2=$(json .due_at)
one=$(date -u -d "$day +1 month" +%s)
three=$(date -u -d "$day +3 months" +%s)
d1=$(date -u -d "$due1" +%s)
d2=$(date -u -d "$due2" +%s)
checks=$((checks + 1))
[ "$d1" -ge "$one" ] && [ "$d1" -lt $((one + 5 * 86400)) ] || fail "the month runs to $due1 (from $day)"
checks=$((checks + 1))
[ "$d2" -ge "$three" ] && [ "$d2" -lt $((three + 5 * 86400)) ] || fail "the extension runs to $due2, two months on from $due1"
call GET "/api/v1/cases/$sar" "" -H "$M"
expect '[.events[] | select(.what == "extended" and (.detail | test("Many records")))] | length == 1' "the timeline says why"
call POST "/api/v1/cases/$sar/sar/extend" '{"reason":"again"}' -H "$M"
expect_status 409 "one extension only"
# The flag goes with the extension: an edit of the flags can neither set
# it on another case nor take it off.
call PATCH "/api/v1/cases/$sar" '{"flags":[]}' -H "$M" -H 'If-Match: "'"$(curl -s -H "$M" "$base/api/v1/cases/$sar" | jq .version)"'"'
expect_status 400 "the extension is not taken off by editing flags"
expect '.fields | index("flags") != null' "the fault names flags"
call PATCH "/api/v1/cases/$foi" '{"flags":["sar-extended"]}' -H "$A" -H 'If-Match: "'"$(curl -s -H "$A" "$base/api/v1/cases/$foi" | jq .version)"'"'
expect_status 400 "nor set by editing flags"

# --- releasing the export ---
call GET "/api/v1/cases/$sar/sar/export" "" -H "$B"
expect_status 403 "an officer not assigned cannot see the case's export"
call GET "/api/v1/cases/$foi/sar/export" "" -H "$M"
expect_status 400 "an FOI case has no subject access export"
status=$(curl -s -o "$tmp/check.zip" -w '%{http_code}' -H "$M" "$base/api/v1/cases/$sar/sar/export")
expect_status 200 "the export is checked before release"
mkdir -p "$tmp/z"
(cd "$tmp/z" && unzip -q "$tmp/check.zip") || fail "the checked zip opens"
cp "$tmp/z/subject-access.json" "$tmp/body"
expect ".about.request_case == $sar and ([.cases[].contacts[].summary // \"\" | select(test(\"DANATEXTONE\"))] | length) == 1" "the check is the export to be released"
call POST "/api/v1/cases/$sar/sar/release" "" -H "$B"
expect_status 403 "an officer not assigned cannot release"
call POST "/api/v1/cases/$sar/sar/release" '{"channel":' -H "$M"
expect_status 400 "bad JSON"
call POST "/api/v1/cases/$sar/sar/release" '{"format":"zip"}' -H "$M"
expect_status 400 "an unknown member"
call POST "/api/v1/cases/$sar/sar/release" '{"channel":"pigeon"}' -H "$M"
expect_status 400 "an unknown channel"
call POST "/api/v1/cases/$foi/sar/release" "" -H "$M"
expect_status 400 "only a SAR case releases an export"
call POST /api/v1/cases/999999/sar/release "" -H "$M"
expect_status 404 "an unknown case"
call POST "/api/v1/cases/$sar/sar/release" '{"note":"Sent by secure email."}' -H "$M"
expect_status 201 "the export released"
attachment=$(json .attachment_id)
expect '.filename == "subject-access-case-'"$sar"'.zip" and .size > 0' "the released zip"
call GET "/api/v1/cases/$sar" "" -H "$M"
expect '[.obligations[] | select(.kind == "respond")] | all(.state == "met")' "releasing kept the promise to reply"
expect '.contacts[-1].direction == "outbound" and (.contacts[-1].summary | test("export released"; "i"))' "an outbound contact records the release"
call GET "/api/v1/cases/$sar/sar" "" -H "$M"
expect ".export.attachment_id == $attachment and .export.href == \"/api/v1/attachments/$attachment\"" "the case says where its export is"
status=$(curl -s -D "$tmp/headers" -o "$tmp/released.zip" -w '%{http_code}' -H "$M" \
    "$base/api/v1/attachments/$attachment")
expect_status 200 "the released export downloads again"
checks=$((checks + 1))
grep -qi '^content-disposition: attachment' "$tmp/headers" || fail "as an attachment"
mkdir -p "$tmp/y"
(cd "$tmp/y" && unzip -q "$tmp/released.zip") || fail "the released zip opens"
cp "$tmp/y/subject-access.json" "$tmp/body"
expect ".about.request_case == $sar and (.cases | length) == 2" "the release is for the SAR case"
expect '.about.organisation == "London Borough of Sutton" and (.about.services | index("sutton/information-requests")) != null and (.about.covers | test("records of London Borough of Sutton, to which the request was made"))' "the released copy says it is the organisation's answer, and which services it covers"
call GET "/api/v1/cases/$sar/sar" "" -H "$M"
expect '.may_release == false and .may_extend == false' "a released request offers neither again"
call POST "/api/v1/cases/$sar/sar/release" "" -H "$M"
expect_status 409 "released twice"
# The next export leaves the earlier copy out rather than nesting it.
status=$(curl -s -o "$tmp/again.zip" -w '%{http_code}' -H "$M" "$base/api/v1/people/$dana/export")
checks=$((checks + 1))
! unzip -l "$tmp/again.zip" | grep -q 'subject-access-case' || fail "an export does not hold an earlier export"


# Erasing the person takes every released copy with them.
admin=$(add dpo@sutton.example "Data Protection Officer" admin)
call POST "/api/v1/people/$dana/erase" '{"reason":"Asked to be forgotten"}' -H "Authorization: Bearer $admin"
expect_status 200 "the person is erased"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "$M" "$base/api/v1/attachments/$attachment")
expect_status 404 "the released export is gone with them"
call GET "/api/v1/cases/$sar/sar" "" -H "$M"
expect '.export == null' "and the case no longer points at it"

finish
