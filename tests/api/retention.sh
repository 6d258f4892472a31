#!/bin/sh
# Retention and legal holds: the seed policies keep closed cases 6 years,
# so a run reckoned as of 2040 finds this year's closed cases due. A dry run
# counts and changes nothing; a real run anonymises (subject, requester,
# contact texts, search entries) and leaves held cases (held themselves, or
# about a held person) and open cases whole; a second run finds nothing.
# Holds are for managers and administrators, with a reason. Audit rows go
# after 7 years, oldest first, stopping at the first about a held record.
. "$(dirname "$0")/lib.sh"
start_server
add() { # add EMAIL ROLE SERVICE -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$1" \
        --role "$2" ${3:+--service "$3"} --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
officer=$(add officer@cognus.example officer cognus/enquiries)
manager=$(add manager@cognus.example manager cognus/enquiries)
admin=$(add dpo@cognus.example admin)
A="Authorization: Bearer $officer"
M="Authorization: Bearer $manager"
D="Authorization: Bearer $admin"

new_case() { # new_case SUBJECT NAME EMAIL NOTE CLOSE -> sets case_id, person_id
    call POST /api/v1/cases "{\"service\":\"cognus/enquiries\",\"channel\":\"email\",\"received_at\":\"2026-01-05T10:00\",\"subject\":\"$1\",\"requester\":{\"name\":\"$2\",\"email\":\"$3\"}}" -H "$A"
    expect_status 201 "a case for $2"
    case_id=$(json .id)
    person_id=$(json .person_id)
    call POST "/api/v1/cases/$case_id/contacts" "{\"direction\":\"inbound\",\"channel\":\"phone\",\"who\":\"$2\",\"summary\":\"$4\"}" -H "$A"
    expect_status 201 "a contact on case $case_id"
    printf 'A letter about %s.\n' "$1" >"$tmp/letter.txt"
    status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain; charset=utf-8' \
        --data-binary @"$tmp/letter.txt" "$base/api/v1/cases/$case_id/attachments?filename=letter.txt")
    expect_status 201 "a file on case $case_id"
    if [ "$5" = close ]; then
        call GET "/api/v1/cases/$case_id" "" -H "$A"
        v=$(json .version)
        call PATCH "/api/v1/cases/$case_id" '{"status":"closed"}' -H "$A" -H "If-Match: \"$v\""
        expect '.status == "closed"' "case $case_id closed"
    fi
}
new_case "Bus pass wombat" "Ulrika Plumtree" ulrika@example.org "asked about the wombat route" close
gone=$case_id
new_case "Tribunal narwhal" "Bertram Fenwick" bertram@example.org "narwhal appeal papers" close
held_case=$case_id
new_case "Respite quokka" "Cressida Holm" cressida@example.org "quokka respite request" close
held_person_case=$case_id
held_person=$person_id
new_case "Open axolotl" "Desmond Pike" desmond@example.org "axolotl still open" open
open_case=$case_id

# One email in, kept whole as it arrived (a year's retention), and filed
# on a new (open) case.
printf 'From: Wilhelmina Sprocket <wilhelmina@example.org>\r\nTo: enquiries@cognus.example\r\nSubject: Gerbil transport\r\nMessage-ID: <gerbil-1@example.org>\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\n\r\nPlease help with the gerbil transport.\r\n' |
    "$charter" mailgate --db "$db" --policies "$(pwd)/policies" >"$tmp/mg.out" 2>"$tmp/mg.err"
rc=$?; checks=$((checks + 1))
[ $rc -eq 0 ] || fail "mailgate should take the message (exit $rc): $(cat "$tmp/mg.err")"

# --- holds: who may, and the error paths ---
call PUT "/api/v1/cases/$held_case/hold" '{"reason":"Tribunal claim 2026/114"}' -H "$A"
expect_status 403 "an officer cannot place a hold"
call PUT "/api/v1/cases/$held_case/hold" '{"reason":' -H "$M"
expect_status 400 "a hold with bad JSON"
call PUT "/api/v1/cases/$held_case/hold" '{"reason":"x","until":"2030-01-01"}' -H "$M"
expect_status 400 "a hold with an unknown member"
expect '.fields | index("until") != null' "the unknown member is named"
call PUT "/api/v1/cases/$held_case/hold" '{"reason":""}' -H "$M"
expect_status 400 "a hold with an empty reason"
expect '.fields | index("reason") != null' "the fault names reason"
call PUT "/api/v1/cases/$held_case/hold" '{}' -H "$M"
expect_status 400 "a hold with no reason"
call PUT "/api/v1/cases/999999/hold" '{"reason":"x"}' -H "$M"
expect_status 404 "a hold on an unknown case"
call PUT "/api/v1/cases/$held_case/hold" '{"reason":"Tribunal claim 2026/114"}' -H "$M"
expect_status 200 "a manager places a hold on a case"
expect '.held == true and .reason == "Tribunal claim 2026/114" and (.placed_at | type) == "string"' "the hold is returned"
call GET "/api/v1/cases/$held_case/hold" "" -H "$A"
expect '.held == true and .reason == "Tribunal claim 2026/114"' "an officer sees the hold"
call PUT "/api/v1/people/$held_person/hold" '{"reason":"Insurance claim pending"}' -H "$D"
expect_status 200 "an administrator places a hold on a person"
call GET "/api/v1/cases/$open_case/hold" "" -H "$A"
expect '.held == false' "an unheld case says so"
call DELETE "/api/v1/cases/$open_case/hold" "" -H "$M"
expect_status 404 "releasing a hold that is not there"

# --- the schedule and today's dry run, as the retention page shows them ---
call GET /api/v1/retention "" -H "$M"
expect_status 403 "a manager does not see the retention page"
call GET "/api/v1/retention?now=2040-01-01" "" -H "$D"
expect_status 400 "the retention page refuses a parameter it would ignore"
expect '(.fields == ["now"]) and (.detail | test("retention run --dry-run --now"))' "naming it, and saying what does that"
call GET /api/v1/retention "" -H "$D"
expect_status 200 "the retention page"
expect '[.policies[] | select(.id == "cognus") | .schedule[] | select(.kind == "closed_cases")][0] | .period == "6 years" and .action == "anonymise"' "the schedule says closed cases are anonymised after 6 years"
expect '[.due[] | select(.kind == "closed_cases")][0].count == 0' "nothing is due today"
expect '.audit.purged == true and (.audit.rule | test("longest audit period")) and ([.due[] | select(.kind == "audit")][0].count == 0)' "audit rows are kept 7 years, none due today"
expect '[.policies[] | select(.id == "cognus") | .schedule[] | select(.kind == "audit")][0].period == "7 years"' "the schedule names the audit period"

# --- the command: usage errors, a dry run, a run ---
stop_server
"$charter" retention run --db "$db" --now 2040-13-01 >/dev/null 2>"$tmp/err"
rc=$?; checks=$((checks + 1))
[ $rc -eq 2 ] || fail "a bad --now should exit 2 (got $rc)"
"$charter" retention run --db "$db" --dry-rn >/dev/null 2>&1
rc=$?; checks=$((checks + 1))
[ $rc -eq 2 ] || fail "an unknown option should exit 2 (got $rc)"
"$charter" retention run --db "$db" --dry-run --now 2040-01-01 >"$tmp/out" 2>"$tmp/err"
rc=$?; checks=$((checks + 1))
[ $rc -eq 0 ] || fail "the dry run should exit 0 (got $rc): $(cat "$tmp/err")"
checks=$((checks + 1))
grep -qx "would anonymise 1 closed case" "$tmp/out" || fail "the dry run counts one closed case: $(cat "$tmp/out")"
checks=$((checks + 1))
grep -qx "would delete 0 survey responses" "$tmp/out" || fail "and every other kind: $(cat "$tmp/out")"
checks=$((checks + 1))
grep -qx "would delete 1 attachment of a closed case" "$tmp/out" || fail "the dry run counts the unheld closed case's file: $(cat "$tmp/out")"
checks=$((checks + 1))
grep -qx "would delete 1 raw inbound mail message" "$tmp/out" || fail "the dry run counts the raw email: $(cat "$tmp/out")"
# The audit log is purged to 7 years, oldest first, up to the first row
# about a held record: here the rows about the first case, made before the
# held case was created.
audit_due=$(sed -n 's/^would delete \([0-9]*\) audit rows*$/\1/p' "$tmp/out")
checks=$((checks + 1))
[ -n "$audit_due" ] && [ "$audit_due" -ge 3 ] || fail "the dry run counts the old audit rows: $(cat "$tmp/out")"
start_server
call GET "/api/v1/cases/$gone" "" -H "$A"
expect '.subject == "Bus pass wombat"' "the dry run changed nothing"

stop_server
"$charter" retention run --db "$db" --now 2040-01-01 >"$tmp/out" 2>"$tmp/err"
rc=$?; checks=$((checks + 1))
[ $rc -eq 0 ] || fail "the run should exit 0 (got $rc): $(cat "$tmp/err")"
checks=$((checks + 1))
grep -qx "anonymised 1 closed case" "$tmp/out" || fail "the run anonymises one closed case: $(cat "$tmp/out")"
checks=$((checks + 1))
grep -qx "deleted 1 attachment of a closed case" "$tmp/out" || fail "the run deletes that file: $(cat "$tmp/out")"
checks=$((checks + 1))
grep -qx "deleted 1 raw inbound mail message" "$tmp/out" || fail "and deletes the raw email: $(cat "$tmp/out")"
checks=$((checks + 1))
grep -qx "deleted $audit_due audit rows" "$tmp/out" || fail "and purges the $audit_due audit rows the dry run counted: $(cat "$tmp/out")"
"$charter" audit verify --db "$db" >"$tmp/verify" 2>&1
rc=$?; checks=$((checks + 1))
[ $rc -eq 0 ] && grep -q "were purged (row [0-9]* says so)" "$tmp/verify" ||
    fail "the purged chain verifies whole, naming its purge row (exit $rc): $(cat "$tmp/verify")"
"$charter" retention run --db "$db" --now 2040-01-01 >"$tmp/out" 2>&1
checks=$((checks + 1))
grep -qx "anonymised 0 closed cases" "$tmp/out" || fail "a second run finds nothing: $(cat "$tmp/out")"
checks=$((checks + 1))
grep -qx "deleted 0 audit rows" "$tmp/out" || fail "nor any audit row, the held case's being next: $(cat "$tmp/out")"
start_server
call GET "/api/v1/audit?case=$gone&from=2000-01-01" "" -H "$D"
expect_status 200 "the access log of the anonymised case"
expect '[.audit[] | select(.action == "create")] == []' "no longer holds its creation, purged as older than 7 years"
call GET "/api/v1/audit?case=$held_case&from=2000-01-01" "" -H "$D"
expect '[.audit[] | select(.action == "create")] | length == 1' "while the held case's creation is kept"
call GET "/api/v1/cases/$gone" "" -H "$A"
expect_status 200 "the anonymised case is kept for the statistics"
expect '.subject == "Anonymised case" and .status == "closed" and .requester.name == null and .person_id == null' "without its subject or requester"
expect '[.contacts[] | select(.summary != null or .who != null)] == []' "its contacts keep no text or names"
expect '(.attachments // []) == []' "nor its files"
call GET '/api/v1/search?q=wombat' '' -H "$A"
expect '.cases == []' "its words are gone from the search"
call GET "/api/v1/cases/$held_case" "" -H "$A"
expect '.subject == "Tribunal narwhal" and .contacts[-1].summary == "narwhal appeal papers" and (.attachments | length) == 1' "the held case is whole, with its file"
call GET "/api/v1/cases/$held_person_case" "" -H "$A"
expect '.subject == "Respite quokka"' "a case about a held person is whole"
call GET "/api/v1/cases/$open_case" "" -H "$A"
expect '.subject == "Open axolotl"' "an open case is whole"
call GET '/api/v1/search?q=gerbil' '' -H "$A"
expect '(.cases | length) == 1' "the mailed case is still open and found (its contact is kept)"
call GET '/api/v1/search?q=narwhal' '' -H "$A"
expect "[.cases[].id] == [$held_case]" "the held case is still found"

# --- releasing a hold: the next run takes the case ---
call DELETE "/api/v1/cases/$held_case/hold" "" -H "$A"
expect_status 403 "an officer cannot release a hold"
call DELETE "/api/v1/cases/$held_case/hold" "" -H "$M"
expect_status 200 "a manager releases the hold"
expect '.held == false' "the hold is gone"
stop_server
"$charter" retention run --db "$db" --now 2040-01-01 >"$tmp/out" 2>&1
checks=$((checks + 1))
grep -qx "anonymised 1 closed case" "$tmp/out" || fail "the released case is anonymised next: $(cat "$tmp/out")"
"$charter" audit verify --db "$db" >"$tmp/verify" 2>&1
rc=$?; checks=$((checks + 1))
[ $rc -eq 0 ] || fail "the chain verifies after a second purge (exit $rc): $(cat "$tmp/verify")"
start_server
call GET "/api/v1/cases/$held_case" "" -H "$A"
expect '.subject == "Anonymised case"' "the case released from its hold is anonymised"
call GET "/api/v1/cases/$held_person_case" "" -H "$A"
expect '.subject == "Respite quokka"' "the held person's case is still whole"
finish
