#!/bin/sh
# Purchased hours, black-box: contracts in hours and days, visits booked in
# blocks, each way a visit can end and what it costs, logged time, manager
# adjustments, booking past the balance, statements (JSON, Excel read back
# by openpyxl, PDF read back by pdftotext), capacity and the year end.
. "$(dirname "$0")/lib.sh"
start_server
problem='.type and .title and .status and (.detail | length > 10)'

admin_token=$("$charter" admin token --email admin@charter.local --db "$db")
A="Authorization: Bearer $admin_token"
user_id() { sed -n 's/^added .* user \([0-9]*\)$/\1/p'; }
cora=$(echo 'consultant pass 1' | "$charter" admin user add --db "$db" --email cora@beacon.example --name "Cora Consultant" --role officer --service beacon/consultancy --service hackney-services-for-schools/specialist-teaching-inclusion --password-stdin | user_id)
echo 'manager pass 12' | "$charter" admin user add --db "$db" --email mo@beacon.example --name "Mo Manager" --role manager --service beacon/consultancy --service hackney-services-for-schools/specialist-teaching-inclusion --password-stdin >/dev/null
echo 'adviser pass 12' | "$charter" admin user add --db "$db" --email sam@sendiass.example --name "Sam Adviser" --role officer --service sendiass/enquiries --password-stdin >/dev/null
C="Authorization: Bearer $("$charter" admin token --email cora@beacon.example --db "$db")"
M="Authorization: Bearer $("$charter" admin token --email mo@beacon.example --db "$db")"
S="Authorization: Bearer $("$charter" admin token --email sam@sendiass.example --db "$db")"

# --- Contracts: 3 days of Specialist Teaching and Inclusion is 18 hours ---
sti='{"school":"Hillside Primary","service":"hackney-services-for-schools/specialist-teaching-inclusion","year":"2025-26","amount":3,"unit":"days","consultant_id":'"$cora"',"contact":{"name":"Ms Hill","email":"head@hillside.example"}}'
call POST /api/v1/contracts "$sti" -H "$C"
expect_status 403 "an officer cannot record a contract"
call POST /api/v1/contracts "$sti" -H "$M"
expect_status 201 "a manager records one"
expect '.purchased_minutes == 1080 and .block_minutes == 150 and .blocks_left == 7 and .minutes_past_blocks == 30' "18 hours: seven 2.5-hour visits and 30 minutes over"
expect '.balance_minutes == 1080 and .status == "open" and .starts == "2025-09-01" and .ends == "2026-08-31"' "the whole purchase is the balance"
call POST /api/v1/contracts "$(echo "$sti" | sed 's/"amount":3,"unit":"days"/"amount":1,"unit":"half-days"/')" -H "$M"
expect '.purchased_minutes == 210' "the charter's half day is 3.5 hours, even of a 6-hour day"

# Bad input: each named, nothing saved.
call POST /api/v1/contracts '{"school":' -H "$M"
expect_status 400 "malformed JSON"
expect "$problem" "malformed JSON is a problem document"
call POST /api/v1/contracts '{"school":"X","service":"nope/none","year":"2025-27","amount":0,"unit":"weeks"}' -H "$M"
expect_status 400 "every bad field at once"
expect '.fields | (index("service") and index("year") and index("amount") and index("unit")) != null' "service, year, amount and unit are named"
call POST /api/v1/contracts '{"school":"X","service":"beacon/consultancy","year":"2025-26","amount":2,"unit":"days"}' -H "$M"
expect_status 400 "Beacon sells hours, not days"
expect '.detail | test("in hours")' "the answer says to give hours"
call POST /api/v1/contracts '{"school":"X","service":"beacon/consultancy","year":"2025-26","amount":2.555,"unit":"hours"}' -H "$M"
expect_status 400 "more than two decimals"
call POST /api/v1/contracts '{"school":"X","service":"sendiass/enquiries","year":"2025-26","amount":2,"unit":"hours"}' -H "$M"
expect_status 403 "a manager of other services cannot record one for SENDIASS"
call GET /api/v1/contracts '' -H "$M"
expect '.contracts | length == 2' "only the two good contracts were saved"
call GET /api/v1/contracts '' -H "$S"
expect '.contracts | length == 0' "another team sees none"

# --- Beacon: 18 hours, shortfall rolled over ---
call POST /api/v1/contracts '{"school":"Oak Academy","service":"beacon/consultancy","year":"2025-26","amount":18,"unit":"hours","consultant_id":'"$cora"',"shortfall_policy":"rollover","prep_counts":false,"contact":{"name":"Mr Oak","email":"bm@oak.example"}}' -H "$M"
expect_status 201 "Beacon contract"
oak=$(json .id)
call GET "/api/v1/contracts/$oak" '' -H "$S"
expect_status 404 "another team's contract does not exist for them"

book() { call POST "/api/v1/contracts/$oak/visits" "$1" -H "${2:-$C}"; }
book '{"starts_at":"2025-11-17T09:30"}'
expect_status 201 "a visit in the usual block"
expect '.booked_minutes == 150 and .status == "booked" and .consultant.name == "Cora Consultant" and .starts_at == "2025-11-17T09:30:00Z"' "booked for the contract's consultant, in London time"
v1=$(json .id)
book '{"starts_at":"2025-11-18T13:00","minutes":120}'
expect_status 400 "another length needs a reason"
expect '.fields == ["reason"]' "the reason is asked for"
book '{"starts_at":"2025-11-18T13:00","minutes":120,"reason":"Afternoon governors meeting"}'
expect_status 201 "another length with a reason"
v2=$(json .id)
book '{"starts_at":"2026-02-30T09:00"}'
expect_status 400 "a date that does not exist"
expect '.fields == ["starts_at"]' "starts_at is named"
book '{"starts_at":"2026-09-14T09:00"}'
expect_status 400 "a visit outside the contract's year"
book '{"starts_at":"2025-11-22T09:30"}'
expect_status 400 "a visit on a Saturday"
expect '.detail | test("Sat 22 Nov 2025 is not a working day")' "says which day and why"
book '{"starts_at":"2025-10-28T09:30"}'
expect_status 400 "a visit in half term at a term-time service"
for d in 2025-11-24 2025-12-01 2025-12-08 2026-01-12 2026-01-19; do
    book "{\"starts_at\":\"${d}T09:30\"}"
    expect_status 201 "visit on $d"
done
call GET "/api/v1/contracts/$oak" '' -H "$C"
expect '.booked_minutes == 1020 and .available_minutes == 60' "seven visits hold 17 of the 18 hours"
v3=$(json '.visits[2].id')
v4=$(json '.visits[3].id')
v5=$(json '.visits[4].id')
v6=$(json '.visits[5].id')
book '{"starts_at":"2026-01-26T09:30"}'
expect_status 403 "past the balance an officer is stopped"
expect '.detail | test("manager")' "and told a manager must agree"
book '{"starts_at":"2026-01-26T09:30"}' "$M"
expect_status 409 "a manager is warned first"
book '{"starts_at":"2026-01-26T09:30","confirm_over_balance":true}' "$M"
expect_status 201 "and can agree"
expect '.over_balance == true' "the booking records the agreement"
v8=$(json .id)

# --- How visits end ---
end() { call PATCH "/api/v1/visits/$1" "$2" -H "$C"; }
end "$v1" '{"outcome":"delivered"}'
expect_status 400 "delivered needs the time spent"
end "$v1" '{"outcome":"delivered","actual_minutes":165}'
expect_status 200 "delivered, with the time actually spent"
expect '.status == "delivered" and .actual_minutes == 165' "the visit's end"
end "$v1" '{"outcome":"not-needed"}'
expect_status 409 "a visit ends once"
end "$v2" '{"outcome":"cancelled"}'
expect_status 400 "an unknown outcome"
end "$v2" '{"outcome":"cancelled-late"}'
expect_status 400 "whether a cancellation is charged is not a choice"
expect '.fields == ["outcome"] and (.detail | test("cancel: \\{by: school or provider, notice_at, channel\\}"))' "the answer says what to send"
end "$v2" '{"cancel":{"by":"school","notice_at":"2025-11-18T08:00","channel":"phone","told":"Mr Oak"}}'
expect_status 200 "the school rang at 8am to cancel the afternoon's visit"
expect '.status == "cancelled-late" and .notices[0].party == "school" and .notices[0].notice_at == "2025-11-18T08:00:00Z" and .notices[0].channel == "phone"' "on the day: late, charged as booked, with the notice kept"
end "$v3" '{"cancel":{"by":"provider","notice_at":"2025-11-21T10:00","channel":"phone","told":"Mr Oak","note":"Consultant ill"}}'
expect_status 200 "we cancelled, and rang the school"
expect '.status == "cancelled-by-provider" and .note == "Consultant ill" and .notices[0].told == "Mr Oak" and .notices[0].outbox_id == null' "not charged, owed, and who we told is kept"
end "$v4" '{"outcome":"rescheduled","new_starts_at":"2026-02-02T09:30"}'
expect_status 400 "a visit cannot be moved to a time already past"
expect '.fields == ["new_starts_at"] and (.detail | test("already passed"))' "the answer says why"
# Rescheduling itself is tested on a running year in timetable.sh; here the
# school cancelled in good time and the visit was booked again afterwards.
end "$v4" '{"cancel":{"by":"school","notice_at":"2025-11-26T10:00","channel":"email"}}'
expect_status 200 "cancelled in good time instead"
expect '.status == "cancelled-early"' "days ahead: free"
book '{"starts_at":"2026-02-02T09:30"}'
expect_status 201 "and booked again for February"
v4b=$(json .id)
end "$v5" '{"outcome":"covered","actual_minutes":150}'
expect_status 400 "covered needs the representative"
end "$v5" '{"outcome":"covered","actual_minutes":150,"representative":"Dee Deputy"}'
expect_status 200 "covered by a representative"
expect '.note == "Covered by Dee Deputy"' "who covered is kept"
end "$v6" '{"late":{"notice_at":"2026-01-12T08:50","expected_at":"2026-01-12T09:00"}}'
expect_status 400 "late, but expected before the booked start"
end "$v6" '{"late":{"notice_at":"2026-01-12T08:50","expected_at":"2026-01-12T09:00"}}'
expect_status 400 "a late notice needs its channel"
end "$v6" '{"late":{"notice_at":"2026-01-12T08:50","expected_at":"2026-01-12T10:15","channel":"phone","told":"Office"}}'
expect_status 200 "a late arrival is logged"
expect '.status == "booked" and .late.expected_at == "2026-01-12T10:15:00Z"' "with the notice and the expected arrival"
end "$v6" '{"late":{"notice_at":"2026-01-12T09:40","expected_at":"2026-01-12T10:45","channel":"phone","told":"Office","note":"Road closed"}}'
expect_status 200 "later still: a second notice"
expect '.late.expected_at == "2026-01-12T10:45:00Z" and (.notices | length) == 2 and .notices[0].expected_at == "2026-01-12T10:15:00Z" and .notices[1].note == "Road closed"' "each notice is kept, not overwritten"
end "$v6" '{"outcome":"not-needed","arrived_at":"2026-01-12T10:40"}'
expect_status 400 "an arrival time goes with a delivered visit"
end "$v6" '{"outcome":"not-needed"}'
expect_status 200 "found not needed on arrival: charged as booked"
end "$v8" '{"cancel":{"by":"school","notice_at":"2026-01-22T10:00","channel":"phone"}}'
expect_status 200 "cancelled in good time: free"
expect '.status == "cancelled-early"' "the Thursday before"
end "$v4b" '{"outcome":"delivered","actual_minutes":150,"arrived_at":"2026-02-02T09:35"}'
expect_status 200 "the February visit delivered"
expect '.arrived_at == "2026-02-02T09:35:00Z"' "with when the consultant actually arrived"

# --- Logged time and adjustments ---
entry() { call POST "/api/v1/contracts/$oak/entries" "$1" -H "${2:-$C}"; }
entry '{"kind":"drawdown","what":"report","minutes":60,"reason":"Behaviour review write-up","at":"2026-01-20T15:00"}'
expect_status 201 "report writing counts against the hours"
entry '{"kind":"drawdown","what":"preparation","minutes":30}'
expect_status 400 "this contract does not count preparation"
entry '{"kind":"refund","minutes":30}'
expect_status 400 "refunds come only from the year end"
entry '{"kind":"adjustment","minutes":30,"reason":"Goodwill"}'
expect_status 403 "an officer cannot adjust"
entry '{"kind":"adjustment","minutes":30}' "$M"
expect_status 400 "an adjustment needs a reason"
entry '{"kind":"adjustment","minutes":-15,"reason":"Visit overran by agreement","at":"2026-01-21T09:00"}' "$M"
expect_status 201 "a manager's adjustment"
# 1080 - 165 - 120 - 150 (covered) - 150 (not needed) - 150 (booked again, delivered) - 60 - 15
expect '.balance_minutes == 270 and .shortfall_minutes == 150 and .booked_minutes == 150' "the balance after every movement"
call GET "/api/v1/contracts/$oak" '' -H "$C"
expect '([.ledger[].minutes] | add) == .balance_minutes' "the balance is the sum of the ledger"
expect '[.ledger[].kind] | .[0] == "purchase" and (map(select(. == "drawdown")) | length) == 6' "a purchase, then six drawdowns"

# --- Statements ---
call GET "/api/v1/contracts/$oak/statement?term=autumn-2025" '' -H "$C"
expect_status 200 "the autumn statement"
expect '.from == "2025-09-01" and .to == "2025-12-31" and .opening_minutes == 0 and .closing_minutes == 645' "autumn: bought 1080, used 165 + 120 + 150"
expect '.movements | length == 4 and .[0].kind == "purchase" and .[3].balance_minutes == 645' "each movement with its running balance"
expect '.send_to.email == "bm@oak.example" and (.letter | test("Mr Oak")) and (.letter | test("10.75 hours"))' "ready to send to the named contact"
expect '.owed_minutes == 150 and (.letter | test("We owe the school 2.50 hours"))' "the statement says what we owe, in figures and in words"
expect '[.not_charged[] | [.minutes, .owed]] == [[150, true], [150, false]] and (.not_charged[0].what | test("Visit we cancelled on Mon 24 Nov 2025")) and (.not_charged[1].what | test("cancelled by the school in good time"))' "and lists the visit we cancelled and the one the school cancelled early"
call GET "/api/v1/contracts/$oak/statement?term=spring-2026" '' -H "$C"
expect '.opening_minutes == 645 and .closing_minutes == 270 and (.still_booked | length) == 1 and (.movements | length) == 4' "spring opens where autumn closed"
expect '.owed_minutes == 150 and (.not_charged | length) == 1' "what we owe carries through the year; spring's own early cancellation is listed"
call GET "/api/v1/contracts/$oak/statement?term=winter-2026" '' -H "$C"
expect_status 400 "a term that does not exist"
expect '.detail | test("autumn-2026")' "the answer shows how a term is written"
call GET "/api/v1/contracts/$oak/statement?term=spring-2026&format=xlsx" '' -H "$C" -D "$tmp/h"
expect_status 200 "the statement as an Excel file"
cp "$tmp/body" "$tmp/statement.xlsx"
checks=$((checks + 1))
grep -qi 'spreadsheetml' "$tmp/h" || fail "the Excel content type"
checks=$((checks + 1))
/usr/bin/python3 - "$tmp/statement.xlsx" >"$tmp/xlsx.out" 2>&1 <<'EOF' || fail "openpyxl reads the workbook: $(cat "$tmp/xlsx.out")"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
rows = [[c.value for c in r] for r in ws.iter_rows()]
def row(label):
    return next(r for r in rows if r[0] == label)
opening, closing = row("Opening balance (hours)")[4], row("Closing balance (hours)")[4]
assert abs(opening - 10.75) < 1e-9, opening
assert abs(closing - 4.5) < 1e-9, closing
head = rows.index(["Date", "Movement", "Hours in", "Hours out", "Balance"])
moves = rows[head + 1:rows.index(row("Closing balance (hours)"))]
total = sum((r[2] or 0) - (r[3] or 0) for r in moves)
assert abs(opening + total - closing) < 1e-9, (opening, total, closing)
assert len(moves) == 4, moves
assert moves[0][0].year == 2026, moves[0]
assert any("Behaviour review" in (r[1] or "") for r in moves), moves
assert rows[1][1] == "Oak Academy", rows[1]
EOF
call GET "/api/v1/contracts/$oak/statement?term=spring-2026&format=pdf" '' -H "$C"
expect_status 200 "the statement as a PDF"
cp "$tmp/body" "$tmp/statement.pdf"
checks=$((checks + 1))
pdftotext -layout "$tmp/statement.pdf" "$tmp/statement.txt" && grep -q 'Oak Academy' "$tmp/statement.txt" &&
    grep -q 'Opening balance *10.75' "$tmp/statement.txt" && grep -q 'Closing balance *4.50' "$tmp/statement.txt" ||
    fail "pdftotext reads the statement's figures: $(head -c 800 "$tmp/statement.txt")"

# --- The termly promise: statements due, and recorded as sent ---
call GET "/api/v1/statements?term=spring-2026" '' -H "$C"
expect '[.statements[] | select(.contract_id == '"$oak"')][0] | .due_at == "2026-03-27T16:30:00Z" and .state == "overdue" and .sent_at == null' "Beacon promised it by the last working day of term"
expect '[.statements[] | select(.school == "Hillside Primary")] | length == 2 and all(.[]; .state == "not promised")' "Hackney's charter promises no termly statement"
call GET "/api/v1/statements?term=spring-2026" '' -H "$S"
expect '.statements == []' "another team sees none"
call POST "/api/v1/contracts/$oak/statement/sent" '{}' -H "$C"
expect_status 400 "recording a statement needs its term"
call POST "/api/v1/contracts/$oak/statement/sent" '{"term":"lent-2026"}' -H "$C"
expect_status 400 "a term that does not exist"
call POST "/api/v1/contracts/$oak/statement/sent" '{"term":"spring-2026"}' -H "$C"
expect_status 201 "the statement is recorded as sent"
expect '.sent_to == "bm@oak.example"' "to the school's named contact"
call POST "/api/v1/contracts/$oak/statement/sent" '{"term":"spring-2026"}' -H "$C"
expect_status 409 "once"
call GET "/api/v1/statements?term=spring-2026" '' -H "$C"
expect '[.statements[] | select(.contract_id == '"$oak"')][0].state == "sent late"' "sent after it was due"
call GET "/api/v1/contracts/$oak/statement?term=spring-2026" '' -H "$C"
expect '.sent_at != null and .due_at == "2026-03-27T16:30:00Z"' "the statement knows when it was due and sent"

# --- The termly promise counts in the compliance report and on the public page ---
call GET "/api/v1/reports/compliance?from=2025-09&to=2026-08" '' -H "$M"
expect_status 200 "the compliance report for 2025-26"
expect '[.rows[] | select(.promise == "termly-hours-statement")] | (map(.due) | add) == 3 and (map(.met_late) | add) == 1 and (map(.not_met) | add) == 2 and (map(.met_on_time) | add) == 0' "Oak's three terms: spring sent late, autumn and summer never sent"
expect '[.rows[] | select(.promise == "termly-hours-statement" and .month == "2026-03")][0] | .service == "beacon/consultancy" and .met_late == 1 and .median_working_hours == null' "spring's statement counts in March, with no working hours to time"
call GET "/api/v1/reports/compliance?from=2025-09&to=2026-08" '' -H "$S"
expect '[.rows[] | select(.promise == "termly-hours-statement")] | length == 0' "another team's report has none of Beacon's statements"
call GET /public/beacon
# The page shows last quarter: from October to December 2026 that holds
# summer 2026's statement, due in July and never sent; later quarters hold
# no statement of the 2025-26 contracts this test has made so far.
case $(date -u +%Y-%m) in
2026-1[0-2]) said='Last quarter we kept this on time 0 times out of 1 (0%).' ;;
*) said='Nothing fell due under this promise last quarter.' ;;
esac
checks=$((checks + 1))
tr -d '\n' <"$tmp/body" | grep -qF "how many of its consultancy hours are left.<br><span class=\"hint\"> $said" ||
    fail "the public page counts the termly statements: $(grep -o 'consultancy hours are left[^<]*<br>[^/]*' "$tmp/body")"

# --- The same statement from the command line ---
checks=$((checks + 1))
"$charter" statement --contract "$oak" --term spring-2026 --db "$db" >"$tmp/cli.out" 2>&1 &&
    grep -q 'Opening balance *10.75' "$tmp/cli.out" && grep -q 'Closing balance *4.50' "$tmp/cli.out" ||
    fail "charter statement prints the figures: $(cat "$tmp/cli.out")"
checks=$((checks + 1))
"$charter" statement --contract "$oak" --term spring-2026 --db "$db" --xlsx "$tmp/cli.xlsx" >/dev/null &&
    /usr/bin/python3 -c 'import sys, openpyxl; rows = [[c.value for c in r] for r in openpyxl.load_workbook(sys.argv[1]).active.iter_rows()]; assert [r for r in rows if r[0] == "Closing balance (hours)"][0][4] == 4.5' "$tmp/cli.xlsx" ||
    fail "charter statement --xlsx writes a workbook openpyxl reads"
checks=$((checks + 1))
"$charter" statement --contract "$oak" --term spring-2026 --db "$db" --pdf "$tmp/cli.pdf" >/dev/null &&
    pdftotext "$tmp/cli.pdf" - | grep -q 'Oak Academy' || fail "charter statement --pdf writes a PDF"
checks=$((checks + 1))
"$charter" statement --contract 99999 --db "$db" >/dev/null 2>"$tmp/cli.err"
[ $? -eq 1 ] && grep -q 'no contract 99999' "$tmp/cli.err" || fail "an unknown contract: $(cat "$tmp/cli.err")"
checks=$((checks + 1))
"$charter" statement --contract "$oak" --term winter-2026 --db "$db" >/dev/null 2>"$tmp/cli.err"
[ $? -eq 1 ] && grep -q 'autumn-2026' "$tmp/cli.err" || fail "a bad term: $(cat "$tmp/cli.err")"
checks=$((checks + 1))
"$charter" statement --contract abc --db "$db" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a contract that is not an id is a usage error"

# --- Timetable and capacity ---
call GET "/api/v1/visits?consultant=$cora&from=2026-01-01&to=2026-02-28" '' -H "$C"
expect '.visits | length == 4 and all(.[]; .consultant.id == '"$cora"')' "Cora's timetable for the new year"
call GET "/api/v1/visits?from=2026-02-30" '' -H "$C"
expect_status 400 "a timetable from a date that does not exist"
call GET "/api/v1/capacity?term=autumn-2025" '' -H "$M"
expect '.consultants | length == 1 and .[0].contingency_percent == 10 and .[0].booked_minutes == 270 and .[0].over == false and .[0].available_minutes < .[0].working_minutes' "booked time against working time less contingency"

# --- Booking past a consultant's bookable time in a term needs a manager ---
pat=$(echo 'consultant pass 2' | "$charter" admin user add --db "$db" --email pat@beacon.example --name "Pat Busy" --role officer --service beacon/consultancy --password-stdin | user_id)
P="Authorization: Bearer $("$charter" admin token --email pat@beacon.example --db "$db")"
call POST /api/v1/contracts '{"school":"Big Academy","service":"beacon/consultancy","year":"2025-26","amount":2000,"unit":"hours","consultant_id":'"$pat"'}' -H "$M"
big=$(json .id)
call POST "/api/v1/contracts/$big/visits" '{"starts_at":"2025-09-08T08:30","minutes":480,"reason":"Full-day review"}' -H "$P"
call GET "/api/v1/capacity?term=autumn-2025" '' -H "$M"
bookable=$(json "[.consultants[] | select(.consultant.id == $pat)][0].available_minutes")
booked=480 refused=
for i in $(seq 1 120); do
    day=$(date -u -d "2025-09-08 + $i days" +%F)
    # Weekends and half term are not working days for a term-time service.
    [ "$(date -u -d "$day" +%u)" -le 5 ] || continue
    case $day in 2025-10-2[7-9] | 2025-10-3[01]) continue ;; esac
    call POST "/api/v1/contracts/$big/visits" "{\"starts_at\":\"${day}T08:30\",\"minutes\":480,\"reason\":\"Full-day review\"}" -H "$P"
    if [ "$status" = 403 ]; then refused=$day; break; fi
    [ "$status" = 201 ] || { fail "booking $day: $status"; break; }
    booked=$((booked + 480))
done
checks=$((checks + 1))
[ -n "$refused" ] && [ "$booked" -le "$bookable" ] && [ "$((booked + 480))" -gt "$bookable" ] ||
    fail "the first booking past the $bookable bookable minutes is refused (refused ${refused:-none} at $booked)"
expect '(.type | endswith("/past-capacity")) and (.detail | test("Pat Busy would be booked for .* in autumn-2025 across all their services, more than the .* once 10% is kept free")) and (.detail | test("A manager must agree"))' "the officer is told who, when, why and who can agree"
call POST "/api/v1/contracts/$big/visits" "{\"starts_at\":\"${refused}T08:30\",\"minutes\":480,\"reason\":\"Full-day review\"}" -H "$M"
expect_status 409 "a manager is asked first"
expect '.detail | test("confirm_over_capacity")' "and told how to agree"
call POST "/api/v1/contracts/$big/visits" "{\"starts_at\":\"${refused}T08:30\",\"minutes\":480,\"reason\":\"Full-day review\",\"confirm_over_capacity\":true}" -H "$M"
expect_status 201 "and can agree"
expect '.warning | test("Pat Busy is now booked for .* in autumn-2025 across all their services")' "the booking says it is past the bookable time"
warned=$((booked + 480))
call GET "/api/v1/capacity?term=autumn-2025" '' -H "$M"
expect "[.consultants[] | select(.consultant.id == $pat)][0] | .over == true and .booked_minutes == $warned and .services == [\"beacon/consultancy\"]" "and the capacity report shows them over"

# --- Changing a contract: the contact and the consultant, not the hours ---
call PATCH "/api/v1/contracts/$oak" '{"contact":{"name":"Mrs Oak","email":"head@oak.example"}}' -H "$C"
expect_status 403 "an officer cannot change a contract"
call PATCH "/api/v1/contracts/$oak" '{"amount":20}' -H "$M"
expect_status 400 "what was bought does not change here"
expect '.fields == ["amount"] and (.detail | test("adjustment"))' "the answer says how it does change"
call PATCH "/api/v1/contracts/$oak" '{"consultant_id":99999}' -H "$M"
expect_status 400 "a consultant who does not exist"
call PATCH "/api/v1/contracts/$oak" '{"contact":{"name":"Mrs Oak\nBcc: x@y","email":"head@oak.example"}}' -H "$M"
expect_status 400 "a contact name on two lines"
call PATCH "/api/v1/contracts/$oak" '{"contact":{"name":"Mrs Oak","email":"head@oak.example"},"shortfall_policy":"rollover"}' -H "$M"
expect_status 200 "a manager changes the school's contact"
expect '.contact.email == "head@oak.example" and .balance_minutes == 270 and .purchased_minutes == 1080' "the contact changes and the hours do not"
call GET "/api/v1/contracts/$oak/statement?term=spring-2026" '' -H "$C"
expect '.send_to.email == "head@oak.example" and (.letter | test("Dear Mrs Oak"))' "statements now go to the new contact"

# --- Year end: shortfall rolled into next year's contract, the rest lapses ---
call GET "/api/v1/year-end?year=2025-26" '' -H "$C"
expect_status 403 "the reconciliation report is for managers"
call GET "/api/v1/year-end?year=2025-27" '' -H "$M"
expect_status 400 "a year that is not an academic year"
call GET "/api/v1/year-end?year=2025-26" '' -H "$M"
expect_status 200 "the year's reconciliation report"
expect "[.contracts[] | select(.id == $oak)][0] | .status == \"visits still booked\" and .owed_minutes == 150 and .lapsed_minutes == 120" "a contract with a visit still booked cannot be settled yet"
expect '[.contracts[] | select(.school == "Hillside Primary")] | length == 2 and all(.[]; .status == "ready" and .owed_minutes == 0)' "one with nothing booked is ready"
call GET "/api/v1/contracts/$oak/year-end" '' -H "$M"
expect '.owed_minutes == 150 and .lapsed_minutes == 120 and .carry_minutes == 150 and .status == "open"' "the reconciliation a manager reads"
call POST "/api/v1/contracts/$oak/year-end" '{"confirm":true}' -H "$M"
expect_status 400 "a rollover needs next year's contract"
call POST /api/v1/contracts '{"school":"Oak Academy","service":"beacon/consultancy","year":"2026-27","amount":10,"unit":"hours","consultant_id":'"$cora"'}' -H "$M"
next=$(json .id)
call POST "/api/v1/contracts/$oak/year-end" "{\"confirm\":true,\"into\":$next}" -H "$C"
expect_status 403 "an officer cannot settle"
call POST "/api/v1/contracts/$oak/year-end" "{\"confirm\":true,\"into\":$next}" -H "$M"
expect_status 409 "a visit still booked blocks the year end"
call GET "/api/v1/contracts/$oak" '' -H "$C"
last=$(json '[.visits[] | select(.status == "booked")][0].id')
end "$last" '{"cancel":{"by":"school","notice_at":"2026-01-05T10:00","channel":"email"}}'
call POST "/api/v1/contracts/$oak/year-end" "{\"confirm\":true,\"into\":$next}" -H "$M"
expect_status 200 "the year is settled"
expect '.status == "closed" and .into == '"$next" "closed, carried into the next contract"
call GET "/api/v1/year-end?year=2025-26" '' -H "$M"
expect "[.contracts[] | select(.id == $oak)][0] | .status == \"settled\" and .rolled_over_minutes == 150 and .lapsed_minutes == 120 and .refunded_minutes == 0" "the report shows what was settled"
call POST "/api/v1/contracts/$oak/year-end" "{\"confirm\":true,\"into\":$next}" -H "$M"
expect_status 409 "a year is settled once"
call GET "/api/v1/contracts/$oak" '' -H "$C"
expect '.balance_minutes == 0 and ([.ledger[] | select(.kind == "lapse")][0].minutes == -120)' "the school's own unused hours lapse"
call GET "/api/v1/contracts/$next" '' -H "$C"
expect '.balance_minutes == 750' "10 hours bought plus 2.5 carried"

# --- Only a contract's own terms have statements, and only begun ones go ---
call GET "/api/v1/statements?term=autumn-2026" '' -H "$M"
expect "[.statements[].contract_id] | (index($next) != null) and (index($oak) == null)" "autumn 2026 lists the 2026-27 contract, not the closed 2025-26 one"
call GET "/api/v1/statements?term=summer-2026" '' -H "$M"
expect "[.statements[].contract_id] | (index($oak) != null) and (index($next) == null)" "summer 2026 is owed only by contracts of 2025-26"
call GET "/api/v1/contracts/$next/statement?term=summer-2026" '' -H "$M"
expect_status 400 "a term before the contract began has no statement"
expect '.fields == ["term"] and (.detail | test("2026-27, so its statements are for autumn-2026, spring-2027 and summer-2027"))' "the answer names the contract's terms"
call GET "/api/v1/contracts/$oak/statement" '' -H "$M"
expect '.term == "summer-2026"' "a finished contract opens on its last term"
call GET "/api/v1/contracts/$next/statement?term=summer-2027" '' -H "$M"
expect '.can_send == false and .from == "2027-04-01"' "a term to come can be read but not sent"
call POST "/api/v1/contracts/$next/statement/sent" '{"term":"summer-2027"}' -H "$M"
expect_status 409 "a statement for a term not yet begun cannot be recorded as sent"
expect '(.type | endswith("/term-not-begun")) and (.detail | test("begins on"))' "saying when it begins"
call POST "/api/v1/contracts/$next/statement/sent" '{"term":"summer-2026"}' -H "$M"
expect_status 400 "nor one for a term outside the contract"
call POST /api/v1/statements/send '{"term":"spring-2027"}' -H "$M"
expect_status 409 "nor can a term not begun be sent to every school"
call POST "/api/v1/contracts/$next/entries" '{"kind":"adjustment","minutes":30,"reason":"Goodwill for the consultant'"'"'s late arrival at the governors'"'"' meeting in October"}' -H "$M"
expect_status 201 "an adjustment with a long reason"
checks=$((checks + 1))
"$charter" statement --contract "$next" --term autumn-2026 --db "$db" >"$tmp/cli.out" 2>&1 &&
    grep -q "the consultant's late  *0.50" "$tmp/cli.out" && grep -q "^  *arrival at the governors' meeting in October$" "$tmp/cli.out" ||
    fail "charter statement wraps long text between words: $(cat "$tmp/cli.out")"
checks=$((checks + 1))
"$charter" statement --contract "$next" --term summer-2026 --db "$db" >/dev/null 2>"$tmp/cli.err"
[ $? -eq 1 ] && grep -q 'autumn-2026, spring-2027 and summer-2027' "$tmp/cli.err" || fail "the CLI names the contract's terms: $(cat "$tmp/cli.err")"
call POST "/api/v1/contracts/$next/statement/sent" '{"term":"autumn-2026"}' -H "$M"
expect_status 201 "the running term's statement is recorded as sent"

# --- A shortfall that is not a cancelled visit is recorded as owed ---
owe='{"kind":"owed","minutes":420,"reason":"Consultant on long-term illness; two visits never booked","at":"2026-11-20T12:00"}'
call POST "/api/v1/contracts/$next/entries" "$owe" -H "$C"
expect_status 403 "an officer cannot record hours owed"
call POST "/api/v1/contracts/$next/entries" '{"kind":"owed","minutes":420}' -H "$M"
expect_status 400 "hours owed need a reason"
expect '.fields == ["reason"]' "the reason is asked for"
call POST "/api/v1/contracts/$next/entries" '{"kind":"owed","minutes":0,"reason":"x"}' -H "$M"
expect_status 400 "owing nothing is refused"
call POST "/api/v1/contracts/$next/entries" "$owe" -H "$M"
expect_status 201 "a manager records 7 hours owed"
expect '.balance_minutes == 780 and .shortfall_minutes == 420' "owed, not taken from the balance"
call GET "/api/v1/contracts/$next" '' -H "$M"
expect '([.ledger[] | select(.kind != "owed") | .minutes] | add) == .balance_minutes and ([.ledger[] | select(.kind == "owed")][0] | .minutes == 420 and .balance_minutes == 750 and (.reason | test("Owed by us: Consultant on long-term illness")))' "the ledger notes it without moving the balance"
call GET "/api/v1/contracts/$next/statement?term=autumn-2026" '' -H "$M"
expect '.owed_minutes == 420 and .closing_minutes == 780 and (.not_charged | length) == 1 and .not_charged[0].owed and (.letter | test("We owe the school 7.00 hours"))' "the statement shows it"
call GET "/api/v1/contracts/$next/statement?term=autumn-2026&format=xlsx" '' -H "$M"
cp "$tmp/body" "$tmp/owed.xlsx"
checks=$((checks + 1))
/usr/bin/python3 -c 'import sys, openpyxl; rows = [[c.value for c in r] for r in openpyxl.load_workbook(sys.argv[1]).active.iter_rows()]; assert [r for r in rows if r[0] == "Owed by us (hours)"][0][4] == 7.0; assert any(isinstance(r[1], str) and "long-term illness" in r[1] for r in rows)' "$tmp/owed.xlsx" 2>"$tmp/owed.out" ||
    fail "the workbook shows the hours owed: $(tail -3 "$tmp/owed.out")"
call GET "/api/v1/contracts/$next/statement?term=autumn-2026&format=pdf" '' -H "$M"
cp "$tmp/body" "$tmp/owed.pdf"
checks=$((checks + 1))
pdftotext -layout "$tmp/owed.pdf" - | grep -q 'Owed by us.* 7.00' || fail "the PDF shows the hours owed"
checks=$((checks + 1))
"$charter" statement --contract "$next" --term autumn-2026 --db "$db" | grep -q 'Owed by us  *7.00' || fail "the CLI shows the hours owed"
call GET "/api/v1/contracts/$next/year-end" '' -H "$M"
expect '.owed_minutes == 420 and .lapsed_minutes == 360' "at the year end it is refunded, not lapsed"
entry '{"kind":"drawdown","what":"report","minutes":30}'
expect_status 409 "a closed contract takes no more time"
call PATCH "/api/v1/contracts/$oak" '{"consultant_id":null}' -H "$M"
expect_status 409 "and cannot be changed"

# --- A school's notice decides the charge: one working day, before the cut-off ---
call POST "/api/v1/contracts/$next/visits" '{"starts_at":"2026-11-30T09:30"}' -H "$C"
mon=$(json .id)
call POST "/api/v1/contracts/$next/visits" '{"starts_at":"2026-11-23T09:30"}' -H "$C"
mon2=$(json .id)
end "$mon" '{"cancel":{"by":"school","notice_at":"2026-11-27T15:30","channel":"phone"}}'
expect '.status == "cancelled-late"' "told on Friday after Beacon's 15:00 cut-off: it counts from Monday, the visit's day, so it is charged"
end "$mon2" '{"cancel":{"by":"school","notice_at":"2026-11-20T14:00","channel":"phone"}}'
expect '.status == "cancelled-early"' "told on Friday before the cut-off: a working day's notice, so it is free"
end "$mon2" '{"cancel":{"by":"school","notice_at":"2026-11-20T14:00","channel":"phone"}}'
expect_status 409 "a visit is cancelled once"
call POST "/api/v1/contracts/$next/visits" '{"starts_at":"2027-01-12T09:30"}' -H "$C"
soon=$(json .id)
end "$soon" '{"cancel":{"by":"school","notice_at":"2027-01-05T10:00","channel":"phone"}}'
expect_status 400 "a notice cannot be recorded before it is given"
end "$soon" '{"late":{"notice_at":"2026-12-01T10:00","expected_at":"2027-01-12T10:00","channel":"email"}}'
expect_status 409 "emailing the school needs a mail server"
expect '.detail | test("tell the school by phone")' "and the answer says what to do instead"
call GET "/api/v1/visits/$soon" '' -H "$C"
expect '.notices == [] and .late == null' "nothing was kept from the refused notice"

# --- Eight people book the last block at once: one gets it ---
call POST /api/v1/contracts '{"school":"Elm Infants","service":"beacon/consultancy","year":"2025-26","amount":2.5,"unit":"hours","consultant_id":'"$cora"'}' -H "$M"
elm=$(json .id)
racers=
for i in 2 3 4 5 6 9 10 11; do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H "$C" -H 'Content-Type: application/json' \
        --data-binary "{\"starts_at\":\"2026-03-$(printf %02d "$i")T09:30\"}" "$base/api/v1/contracts/$elm/visits" >"$tmp/race.$i" &
    racers="$racers $!"
done
# Only the bookings: a bare wait would wait for the server too.
wait $racers
checks=$((checks + 1))
[ "$(cat "$tmp"/race.* | grep -c '^201$')" -eq 1 ] || fail "exactly one of eight racing bookings succeeds: $(cat "$tmp"/race.* | tr '\n' ' ')"
call GET "/api/v1/contracts/$elm" '' -H "$C"
expect '.booked_minutes == 150 and (.visits | length) == 1' "and only its visit is booked"

call GET /api/v1/openapi.yaml
checks=$((checks + 1))
grep -q '/api/v1/contracts/{id}/statement' "$tmp/body" || fail "the API description lists statements"
[ -n "${KEEP_STATEMENT:-}" ] && cp "$tmp/statement.pdf" "$tmp/statement.xlsx" "$KEEP_STATEMENT"/
finish
