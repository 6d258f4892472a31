#!/bin/sh
# Complaints and compliments: a two-stage complaint under the statutory
# code, each stage's clock counted from when that stage began; closing a
# stage with its outcome and lessons makes the letter (a PDF on the case,
# with the escalation: stage 2, then the ombudsman); a complaint naming a
# member of staff is for managers only (404 to officers in every read,
# list, queue and search); a compliment tells the staff it praises and
# their managers; and the report counts stages, outcomes and praise.
. "$(dirname "$0")/lib.sh"
start_server
problem='.type and .title and .status and (.detail | length > 10)'
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
user() { # user EMAIL NAME ROLE SERVICE... -> prints a token
    email=$1 name=$2 role=$3
    shift 3
    services=
    for s in "$@"; do services="$services --service $s"; done
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$email" --name "$name" \
        --role "$role" $services --password-stdin >/dev/null
    "$charter" admin token --email "$email" --db "$db"
}
O="Authorization: Bearer $(user olu@uk-statutory.example 'Olu Officer' officer uk-statutory/enquiries)"
M="Authorization: Bearer $(user meg@uk-statutory.example 'Meg Manager' manager uk-statutory/enquiries)"
S="Authorization: Bearer $(user sam@cognus.example 'Sam Adviser' officer cognus/enquiries)"
C="Authorization: Bearer $(user cat@cognus.example 'Cat Manager' manager cognus/enquiries)"
call GET /api/v1/users '' -H "$A"
id_of() { jq -r --arg e "$1" '(if type == "array" then . else .users end)[] | select(.email == $e) | .id' "$tmp/body"; }
olu=$(id_of olu@uk-statutory.example)
sam=$(id_of sam@cognus.example)
[ -n "$olu" ] && [ -n "$sam" ] || { echo "FAIL: no user ids"; exit 1; }

received=2026-11-02T12:00
call POST /api/v1/cases '{"service":"uk-statutory/enquiries","channel":"letter","kind":"complaint","received_at":"'"$received"'","subject":"Late reply about transport","requester":{"name":"Ada Parent","email":"ada@parent.example"}}' -H "$O"
expect_status 201 "a complaint is logged"
case=$(json .id)
due() { "$charter" due --policy policies/uk-statutory.yaml --channel letter --kind complaint "$@" --json; }
s1=$(due --received "$received" | jq -r '.obligations[] | select(.promise == "complaint-stage1-reply") | .due')
expect '[.obligations[].promise] | sort == ["complaint-stage1-acknowledge", "complaint-stage1-reply"]' "stage 1's promises only"
expect '.obligations[] | select(.promise == "complaint-stage1-reply") | .due_at == "'"$s1"'"' "stage 1's reply counts from receipt"

call GET "/api/v1/cases/$case/complaint" '' -H "$O"
expect_status 200 "the complaint's stages are read"
expect '[.procedure[].id] == ["stage-1", "stage-2"] and (.stages | length) == 1 and .stages[0].id == "stage-1" and .stages[0].current and .stages[0].closed_at == null and .next_stage.id == "stage-2" and .managers_only == false' "it is at stage 1, open"

# Refusals say what to send, and change nothing.
call POST "/api/v1/cases/$case/complaint/stage" '{"outcome":"upheld"}' -H "$O"
expect_status 400 "closing without lessons"
expect "$problem and .fields == [\"lessons\"]" "lessons is named"
call POST "/api/v1/cases/$case/complaint/stage" '{"outcome":"sort of","lessons":"x"}' -H "$O"
expect_status 400 "an unknown outcome"
expect '.fields == ["outcome"] and (.detail | test("partly-upheld"))' "the outcomes are listed"
call POST "/api/v1/cases/$case/complaint/stage" '{"escalate":true}' -H "$O"
expect_status 400 "escalating a stage still open without its outcome"
expect '.fields == ["outcome", "lessons"] and (.detail | test("To close Stage 1"))' "it says what closing the open stage needs"
call POST "/api/v1/cases/$case/complaint/stage" '{"outcome":"upheld","lessons":"x","colour":"red"}' -H "$O"
expect_status 400 "an unknown member"
call POST "/api/v1/cases/$case/complaint/stage" '{"outcome":"upheld","lessons":"x"}' -H "$O" -H 'If-Match: "999"'
expect_status 409 "an old version"
call GET "/api/v1/cases/$case/complaint" '' -H "$O"
expect '(.stages | length) == 1 and .stages[0].closed_at == null' "nothing was saved"

# Stage 1 closes with its letter and stage 2 begins, with its own clock.
call POST "/api/v1/cases/$case/complaint/stage" '{"outcome":"partly-upheld","lessons":"Replies about transport need a named officer.","findings":"We replied late, but the decision was right.","escalate":true}' -H "$O"
expect_status 200 "stage 1 closes and the complaint goes to stage 2"
expect '(.stages | length) == 2 and .stages[0].outcome == "partly-upheld" and .stages[0].lessons == "Replies about transport need a named officer." and (.stages[0].letter_id | type) == "number" and .stages[1].id == "stage-2" and .stages[1].current and .stages[1].closed_at == null and .next_stage == null' "both stages read back"
letter=$(json .stages[0].letter_id)
started=$(json .stages[1].started_at)
call GET "/api/v1/attachments/$letter" '' -H "$O"
expect_status 200 "the closing letter is on the case"
checks=$((checks + 1))
head -c 5 "$tmp/body" | grep -q '%PDF-' || fail "the letter is a PDF"
checks=$((checks + 1))
cp "$tmp/body" "$tmp/letter.pdf"
pdftotext -layout "$tmp/letter.pdf" "$tmp/letter.txt" && grep -q 'Dear Ada Parent' "$tmp/letter.txt" &&
    grep -q 'partly upheld' "$tmp/letter.txt" && grep -q 'We replied late, but the decision was right.' "$tmp/letter.txt" &&
    grep -q 'take your complaint to' "$tmp/letter.txt" ||
    fail "the letter reads: $(head -c 800 "$tmp/letter.txt")"
call GET "/api/v1/cases/$case" '' -H "$O"
ack2=$(due --stage stage-2 --received "$started" | jq -r '.obligations[] | select(.promise == "complaint-stage2-acknowledge") | .due')
reply2=$(due --stage stage-2 --received "$started" | jq -r '.obligations[] | select(.promise == "complaint-stage2-reply") | .due')
expect '.obligations[] | select(.promise == "complaint-stage1-reply") | .state == "met" and .due_at == "'"$s1"'"' "stage 1's reply is kept by the letter, its clock unchanged"
expect '.obligations[] | select(.promise == "complaint-stage2-acknowledge") | .state == "pending" and .due_at == "'"$ack2"'"' "stage 2's acknowledgement counts from the start of stage 2"
expect '.obligations[] | select(.promise == "complaint-stage2-reply") | .due_at == "'"$reply2"'"' "stage 2's reply too"
expect '[.contacts[] | select(.direction == "outbound" and .channel == "letter")] | length == 1' "the letter is in the conversation"
expect '[.contacts[] | select(.direction != "inbound" and .direction != "outbound")] | length == 0' "every contact says inbound or outbound, as the case page reads them"
expect '[.contacts[] | select(.channel == "letter")][0].summary | test("partly upheld") and test("take your complaint to stage 2")' "it gives the outcome and the way to stage 2"
expect '[.events[] | select(.what == "stage")] | length == 1' "the timeline says so"
version=$(json .version)
# Changing a flag counts the promises again: stage 2 keeps its own start.
call PATCH "/api/v1/cases/$case" '{"flags":["complex"]}' -H "$O" -H "If-Match: \"$version\""
expect_status 200 "a flag is added"
expect '.obligations[] | select(.promise == "complaint-stage2-reply") | .due_at == "'"$reply2"'"' "stage 2's clock still runs from its start"
expect '[.obligations[] | select(.promise == "complaint-stage2-reply")] | length == 1' "and is held once"

call POST "/api/v1/cases/$case/complaint/stage" '{"outcome":"not-upheld","lessons":"None.","escalate":true}' -H "$O"
expect_status 409 "there is no stage after the review"
expect "$problem and (.detail | test(\"last stage\"))" "it says so"
call POST "/api/v1/cases/$case/complaint/stage" '{"outcome":"not-upheld","lessons":"None."}' -H "$O"
expect_status 200 "stage 2 closes"
expect '.stages[1].outcome == "not-upheld" and .stages[1].closed_at != null and .current_closed' "with its outcome"
call GET "/api/v1/cases/$case" '' -H "$O"
expect '[.contacts[] | select(.channel == "letter")] | length == 2' "a second letter"
expect '[.contacts[] | select(.channel == "letter")] | map(.summary) | any(test("Ombudsman"))' "the last letter names the ombudsman"
expect '[.obligations[] | select(.state == "pending")] | length == 0' "nothing is left pending"
call POST "/api/v1/cases/$case/complaint/stage" '{"outcome":"upheld","lessons":"x"}' -H "$O"
expect_status 409 "a closed stage is not closed twice"
call POST "/api/v1/cases/$case/complaint/stage" '{"lessons":"More.","escalate":true}' -H "$O"
expect_status 400 "lessons for a stage closed already are not dropped"
expect '.fields == ["lessons"]' "lessons is named"

# Stage 2 begins when the complainant asked for it, which may be before
# it is logged, never before stage 1 began nor in future.
call POST /api/v1/cases '{"service":"uk-statutory/enquiries","channel":"letter","kind":"complaint","received_at":"'"$received"'","subject":"Asked by letter","requester":{"name":"Ed Parent","email":"ed@parent.example"}}' -H "$O"
late=$(json .id)
call POST "/api/v1/cases/$late/complaint/stage" '{"outcome":"not-upheld","lessons":"None.","began_at":"2026-11-20T09:00"}' -H "$O"
expect_status 400 "began_at without escalating"
expect '.fields == ["began_at"]' "began_at is named"
call POST "/api/v1/cases/$late/complaint/stage" '{"outcome":"not-upheld","lessons":"None.","escalate":true,"began_at":"2026-10-01T09:00"}' -H "$O"
expect_status 400 "before stage 1 began"
call POST "/api/v1/cases/$late/complaint/stage" '{"outcome":"not-upheld","lessons":"None.","escalate":true,"began_at":"2099-01-01T09:00"}' -H "$O"
expect_status 400 "in future"
call POST "/api/v1/cases/$late/complaint/stage" '{"outcome":"not-upheld","lessons":"None.","escalate":true,"began_at":"soon"}' -H "$O"
expect_status 400 "not a time"
expect '.fields == ["began_at"]' "began_at is named"
call POST "/api/v1/cases/$late/complaint/stage" '{"outcome":"not-upheld","lessons":"None.","escalate":true,"began_at":"2026-11-20T09:00"}' -H "$O"
expect_status 200 "stage 2 began when the letter asking for it came"
ack_late=$(due --stage stage-2 --received 2026-11-20T09:00 | jq -r '.obligations[] | select(.promise == "complaint-stage2-acknowledge") | .due')
call GET "/api/v1/cases/$late" '' -H "$O"
expect '.obligations[] | select(.promise == "complaint-stage2-acknowledge") | .due_at == "'"$ack_late"'"' "its clock counts from then"

call POST /api/v1/cases '{"service":"uk-statutory/enquiries","channel":"email","kind":"foi","received_at":"'"$received"'","subject":"Spending","requester":{"name":"Bo","email":"bo@parent.example"}}' -H "$O"
foi=$(json .id)
call POST "/api/v1/cases/$foi/complaint/stage" '{"outcome":"upheld","lessons":"x"}' -H "$O"
expect_status 409 "an FOI request has no stages"
call POST "/api/v1/cases/$foi/staff" '{"staff":['"$olu"']}' -H "$O"
expect_status 409 "an FOI request names no staff"

# A complaint about a member of staff: managers only.
call POST /api/v1/cases '{"service":"uk-statutory/enquiries","channel":"email","kind":"complaint","received_at":"'"$received"'","subject":"Rude on the phone zebracorn","requester":{"name":"Cy Parent","email":"cy@parent.example"}}' -H "$O"
named=$(json .id)
call PATCH "/api/v1/cases/$named" '{"officer_id":'"$olu"'}' -H "$O" -H "If-Match: \"$(json .version)\""
expect_status 200 "Olu takes the complaint"
call POST "/api/v1/cases/$named/staff" '{"staff":[999999]}' -H "$M"
expect_status 400 "naming nobody real"
expect '.fields == ["staff"]' "staff is named"
call POST "/api/v1/cases/$named/staff" '{"staff":"Olu"}' -H "$M"
expect_status 400 "staff must be ids"
call POST "/api/v1/cases/$named/staff" '{"staff":['"$olu"']}' -H "$M"
expect_status 200 "the manager names Olu"
expect '.managers_only and .staff[0].name == "Olu Officer"' "the complaint is now for managers only"
call GET "/api/v1/cases/$named" '' -H "$M"
expect '.officer_id == null and ([.events[] | select(.what == "staff")][0].detail | test("unassigned from Olu Officer"))' "Olu no longer holds it, and the timeline says why"
call GET "/api/v1/notifications" '' -H "$O"
expect '[.notifications[] | select(.kind == "unassigned" and .case_id == null and (.text | test("Case #'"$named"' was taken off you")))] | length == 1' "Olu is told it was taken off them, with no link to a case they cannot open"
call GET "/api/v1/cases/$named" '' -H "$O"
expect_status 404 "an officer cannot read it"
call GET "/api/v1/cases/$named/complaint" '' -H "$O"
expect_status 404 "nor its stages"
call POST "/api/v1/cases/$named/contacts" '{"direction":"outbound","channel":"email","summary":"x"}' -H "$O"
expect_status 404 "nor add to it"
call GET "/api/v1/cases?kind=complaint" '' -H "$O"
expect "[.cases[].id] | index($named) == null and index($case) != null" "it is not in the officer's list"
call GET "/api/v1/cases?q=zebracorn" '' -H "$O"
expect "[.cases[].id] | index($named) == null" "nor found by the officer's search of cases"
call GET "/api/v1/search?q=zebracorn" '' -H "$O"
expect "[.. | objects | select(.id? == $named and .subject? != null)] | length == 0" "nor by search"
call GET "/api/v1/cases/$named" '' -H "$M"
cy=$(json .person_id)
call GET "/api/v1/cases/$case" '' -H "$M"
other=$(json .person_id)
call POST "/api/v1/people/$cy/consents" '{"grantee_id":'"$other"',"scope":"case","case_id":'"$named"',"evidence":"Signed form","given_on":"2026-11-01"}' -H "$O"
expect_status 400 "nor tie a consent to it"
expect '.fields == ["case_id"]' "the case is named as the field at fault"
call GET /api/v1/queues/unassigned '' -H "$O"
expect "[.cases[].id] | index($named) == null" "nor in the officer's queue"
call GET "/api/v1/cases/$named" '' -H "$M"
expect_status 200 "the manager reads it"
call GET /api/v1/queues/unassigned '' -H "$M"
expect "[.cases[].id] | index($named) != null" "and has it in the queue"
call GET "/api/v1/cases?q=zebracorn" '' -H "$M"
expect "[.cases[].id] | index($named) != null" "and finds it"
call GET "/api/v1/cases/$named" '' -H "$A"
expect_status 200 "so does an administrator"

# A compliment tells the staff it praises and their managers.
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","kind":"compliment","received_at":"'"$received"'","subject":"Sam was so helpful","requester":{"name":"Di Parent","email":"di@parent.example"}}' -H "$S"
praise=$(json .id)
call POST "/api/v1/cases/$praise/staff" '{"staff":['"$sam"','"$sam"']}' -H "$A"
expect_status 400 "a person named twice"
call POST "/api/v1/cases/$praise/staff" '{"staff":['"$sam"']}' -H "$A"
expect_status 200 "the compliment names Sam"
expect '.staff[0].id == '"$sam"' and .managers_only == false' "and stays visible"
call GET /api/v1/notifications '' -H "$S"
expect "[.notifications[] | select(.kind == \"compliment\" and .case_id == $praise and (.text | test(\"praises you\")))] | length == 1" "Sam is told"
call GET /api/v1/notifications '' -H "$C"
expect "[.notifications[] | select(.kind == \"compliment\" and .case_id == $praise and (.text | test(\"Sam Adviser\")))] | length == 1" "Sam's manager is told"
call GET /api/v1/notifications '' -H "$M"
expect "[.notifications[] | select(.case_id == $praise)] | length == 0" "another service's manager is not"
call POST "/api/v1/cases/$praise/staff" '{"staff":['"$sam"']}' -H "$A"
call GET /api/v1/notifications '' -H "$S"
expect "[.notifications[] | select(.case_id == $praise)] | length == 1" "naming again tells nobody twice"
call GET "/api/v1/cases/$praise" '' -H "$S"
expect_status 200 "a compliment naming staff stays with its service"

# The report: by stage, outcome and staff praised.
call GET "/api/v1/reports/complaints?from=2026-11-01&to=2026-11-30" '' -H "$O"
expect_status 403 "officers do not get the report"
call GET "/api/v1/reports/complaints?from=2026-11-01&to=2026-11-30" '' -H "$A"
expect_status 200 "the report"
expect '.complaints == 3 and .compliments == 1' "counts each case once"
expect '.rows | all(.row == "received" or .row == "stage" or .row == "praised")' "each row says what it counts"
expect '.complaints as $n | [.rows[] | select(.row == "received" and .kind == "complaint") | .count] | add == $n' "the received rows add up to the complaints received"
expect '.rows | any(.row == "stage" and .outcome == "partly-upheld" and .outcome_words == "partly upheld")' "outcomes in words too"
expect '.rows | any(.stage == "stage-1" and .outcome == "partly-upheld" and .count == 1) and any(.stage == "stage-2" and .outcome == "not-upheld" and .count == 1) and any(.stage == "stage-1" and .outcome == "not-upheld" and .count == 1) and any(.stage == "stage-1" and .outcome == "open" and .count == 1)' "by stage and outcome"
expect '.rows | any(.kind == "compliment" and .staff == "Sam Adviser" and .count == 1)' "staff praised"
expect '.rows | any(.stage == "stage-2" and .stage_name == "Stage 2 (review)")' "stages are named as the charter names them"
expect '[.rows[] | select(.kind == "complaint" and .staff != null)] | length == 0' "who a complaint is about is not reported"
call GET "/api/v1/reports/complaints?from=2026-11-01&to=2026-11-30&format=csv" '' -H "$A"
expect_status 200 "as CSV"
checks=$((checks + 1))
head -1 "$tmp/body" | grep -q '^row,service,kind,stage,outcome,staff,count' || fail "the CSV's first column says what each row counts"
checks=$((checks + 1))
grep -q '^praised,cognus/enquiries,compliment,,,Sam Adviser,1' "$tmp/body" || fail "the CSV names the staff praised"
checks=$((checks + 1))
grep -q '^stage,uk-statutory/enquiries,complaint,stage-2,not-upheld,,1' "$tmp/body" || fail "the CSV counts stage 2"
checks=$((checks + 1))
grep -q '^received,uk-statutory/enquiries,complaint,,,,3' "$tmp/body" || fail "the CSV counts the complaints received once"
call GET "/api/v1/reports/complaints?from=2026-11-31" '' -H "$A"
expect_status 400 "a day that is not one"
expect "$problem" "said as a problem"
call GET "/api/v1/reports/complaints?from=2026-12-01&to=2026-11-01" '' -H "$A"
expect_status 400 "from after to"
call GET "/api/v1/reports/complaints?format=xml" '' -H "$A"
expect_status 400 "an unknown format"

# A charter with one complaint stage (Cognus): the complaint still closes
# with an outcome, lessons and its letter; there is nowhere to escalate;
# and a complaint closed without an outcome is not reported as open.
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","kind":"complaint","received_at":"2026-10-05T10:00","subject":"Wrong invoice","requester":{"name":"Gus Parent","email":"gus@parent.example"}}' -H "$S"
expect_status 201 "a complaint at a one-stage charter"
one=$(json .id)
call GET "/api/v1/cases/$one/complaint" '' -H "$S"
expect '.single_stage and (.procedure | length) == 1 and (.stages | length) == 1 and .stages[0].closed_at == null and .next_stage == null' "it has one stage, open"
call POST "/api/v1/cases/$one/complaint/stage" '{"outcome":"upheld","lessons":"Check invoices twice.","escalate":true}' -H "$S"
expect_status 409 "a one-stage complaint does not escalate"
expect "$problem and (.detail | test(\"one stage\"))" "it says why"
call POST "/api/v1/cases/$one/complaint/stage" '{"lessons":"Check invoices twice."}' -H "$S"
expect_status 400 "closing without an outcome"
expect '.fields == ["outcome"] and (.detail | test("partly upheld")) and (.detail | test("partly-upheld") | not)' "the outcomes are in words a person reads"
call POST "/api/v1/cases/$one/complaint/stage" '{"outcome":"upheld","lessons":"Check invoices twice.","findings":"The invoice was wrong."}' -H "$S"
expect_status 200 "a one-stage complaint closes with its outcome"
expect '.stages[0].outcome == "upheld" and .stages[0].lessons == "Check invoices twice." and (.stages[0].letter_id | type) == "number" and .current_closed' "outcome, lessons and letter read back"
one_letter=$(json .stages[0].letter_id)
call POST "/api/v1/cases/$one/complaint/stage" '{"outcome":"not-upheld","lessons":"Again."}' -H "$S"
expect_status 409 "a closed one-stage complaint is not closed twice"
expect "$problem and (.detail | test(\"nothing more to record\")) and (.detail | test(\"escalate\") | not)" "it says so, without offering a next stage"
call GET "/api/v1/attachments/$one_letter" '' -H "$S"
expect_status 200 "its letter"
checks=$((checks + 1))
pdftotext -layout "$tmp/body" "$tmp/one.txt" && grep -q 'upheld' "$tmp/one.txt" && grep -q 'ombudsman' "$tmp/one.txt" ||
    fail "the one-stage letter reads: $(head -c 800 "$tmp/one.txt")"
call GET "/api/v1/cases/$one" '' -H "$S"
expect '[.contacts[] | select(.channel == "letter" and .direction == "outbound")] | length == 1' "the letter is ours, outbound"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","kind":"complaint","received_at":"2026-10-06T10:00","subject":"Closed in a hurry","requester":{"name":"Hal Parent","email":"hal@parent.example"}}' -H "$S"
hurry=$(json .id)
settle=$(jq -c '[.obligations[] | select(.state == "pending" or .state == "breached") | {obligation: .id, outcome: "met", reason: "answered by phone"}]' "$tmp/body")
call PATCH "/api/v1/cases/$hurry" '{"status":"closed","settle":'"$settle"'}' -H "$S" -H "If-Match: \"$(json .version)\""
expect_status 200 "a complaint is closed without an outcome"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","kind":"complaint","received_at":"2026-10-07T10:00","subject":"Still open","requester":{"name":"Ivy Parent","email":"ivy@parent.example"}}' -H "$S"
call GET "/api/v1/reports/complaints?from=2026-10-01&to=2026-10-31" '' -H "$C"
expect_status 200 "the October report"
expect '.complaints == 3 and ([.rows[] | select(.row == "received" and .service == "cognus/enquiries" and .kind == "complaint") | .count] == [3])' "each one-stage complaint is received once"
expect '.rows | any(.row == "stage" and .stage == "complaint" and .outcome == "upheld" and .count == 1)' "the closed one by its outcome"
expect '.rows | any(.row == "stage" and .outcome == "closed-no-outcome" and .outcome_words == "closed, no outcome recorded" and .count == 1)' "the one closed without an outcome says so"
expect '.rows | any(.row == "stage" and .outcome == "open" and .count == 1)' "only the open one is open"
expect '[.rows[] | select(.row == "stage") | .count] | add == 3' "each complaint once by outcome"

# Stage 2 asked for (by letter) before stage 1's close was recorded: it
# begins when asked, and stage 1 is recorded as closed then, so the two
# never overlap; never before stage 1 began.
call POST /api/v1/cases '{"service":"uk-statutory/enquiries","channel":"letter","kind":"complaint","received_at":"2026-11-10T09:00","subject":"Asked early","requester":{"name":"Jo Parent","email":"jo@parent.example"}}' -H "$O"
early=$(json .id)
call POST "/api/v1/cases/$early/complaint/stage" '{"outcome":"not-upheld","lessons":"None."}' -H "$O"
expect_status 200 "stage 1 closes"
closed1=$(json .stages[0].closed_at)
call POST "/api/v1/cases/$early/complaint/stage" '{"escalate":true,"began_at":"2026-11-09T09:00"}' -H "$O"
expect_status 400 "stage 2 cannot begin before stage 1 began"
expect '.fields == ["began_at"]' "began_at is named"
call POST "/api/v1/cases/$early/complaint/stage" '{"escalate":true,"began_at":"2026-11-20T09:00"}' -H "$O"
expect_status 200 "stage 2 began when it was asked for, before the close was recorded"
expect '.stages[1].started_at == "2026-11-20T09:00:00Z" and .stages[0].closed_at == "2026-11-20T09:00:00Z" and .stages[0].outcome == "not-upheld" and (.stages[0].letter_id | type) == "number"' "stage 1 is recorded as closed when stage 2 was asked for, its outcome and letter kept"
expect '"'"$closed1"'" > "2026-11-20T09:00:00Z"' "it had been recorded later"
call GET "/api/v1/cases/$early" '' -H "$O"
expect '[.events[] | select(.what == "stage")][-1].detail | test("recorded as closed at 2026-11-20")' "the timeline says so"

# Moved between two services of one charter, a complaint at stage 2 keeps
# its stage and stage 2's clock.
mkdir -p "$tmp/charters"
cat >"$tmp/charters/two.yaml" <<'YAML'
charter: 1
id: two-desks
organisation: Two Desks Council
review_by: 2027-09-01
calendars:
  office:
    hours:
      monday-friday: 09:00-17:00
    bank_holidays: england-and-wales
services:
  - id: front
    name: Front desk
    calendar: office
  - id: back
    name: Back office
    calendar: office
complaints:
  stages:
    - id: informal
      name: Informal resolution
      escalation: Ask for a formal investigation within 20 working days.
    - id: formal
      name: Formal investigation
      escalation: You may go to the Local Government and Social Care Ombudsman.
promises:
  - id: informal-reply
    text: We answer an informal complaint within 5 working days.
    applies_to: {kinds: [complaint], stages: [informal]}
    obligation: respond
    within: 5 working days
  - id: formal-reply
    text: We answer a formal complaint within 20 working days.
    applies_to: {kinds: [complaint], stages: [formal]}
    obligation: respond
    within: 20 working days
YAML
stop_server
start_server --policy "$tmp/charters/two.yaml"
call POST /api/v1/cases '{"service":"two-desks/front","channel":"email","kind":"complaint","received_at":"'"$received"'","subject":"Moved on","requester":{"name":"Fi Parent","email":"fi@parent.example"}}' -H "$A"
moved=$(json .id)
call POST "/api/v1/cases/$moved/complaint/stage" '{"outcome":"upheld","lessons":"None.","escalate":true,"began_at":"2026-11-20T09:00"}' -H "$A"
expect_status 200 "the informal stage closes and the formal one begins"
formal=$("$charter" due --policy "$tmp/charters/two.yaml" --service back --channel email --kind complaint --stage formal --received 2026-11-20T09:00 --json | jq -r '.obligations[0].due')
call GET "/api/v1/cases/$moved" '' -H "$A"
call POST "/api/v1/cases/$moved/transfer" '{"service":"two-desks/back","reason":"The back office investigates."}' -H "$A" -H "If-Match: \"$(json .version)\""
expect_status 200 "the complaint moves to the back office"
expect '[.obligations[] | select(.promise == "formal-reply" and .state != "withdrawn")] | length == 1 and (.[0].due_at == "'"$formal"'")' "stage 2's reply stays, from the day stage 2 began"
expect '[.obligations[] | select(.promise == "informal-reply")] | all(.state == "met")' "and stage 1's stays kept"
finish
