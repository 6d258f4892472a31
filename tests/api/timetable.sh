#!/bin/sh
# A consultant's timetable holds: one person cannot be booked into two
# schools at once (409 naming the other visit, nothing saved), a visit runs
# inside the service's working hours (Beacon: 08:30 to 16:30), a reschedule
# obeys the same rules, never lands in the past and frees the old slot, and a
# contract's or a visit's consultant must work in the contract's service. Time logged past what a
# school bought needs a manager's agreement, as a booking past it does.
. "$(dirname "$0")/lib.sh"
start_server
user_id() { sed -n 's/^added .* user \([0-9]*\)$/\1/p'; }
add() { # add EMAIL NAME ROLE SERVICE -> prints the user id
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$2" \
        --role "$3" --service "$4" --password-stdin | user_id
}
cora=$(add cora@beacon.example 'Cora Consultant' officer beacon/consultancy)
add mo@beacon.example 'Mo Manager' manager beacon/consultancy >/dev/null
ola=$(add ola@cognus.example 'Ola Cognus' officer cognus/enquiries)
M="Authorization: Bearer $("$charter" admin token --email mo@beacon.example --db "$db")"
C="Authorization: Bearer $("$charter" admin token --email cora@beacon.example --db "$db")"
contract() { # contract SCHOOL CONSULTANT -> sets status, prints nothing
    call POST /api/v1/contracts '{"school":"'"$1"'","service":"beacon/consultancy","year":"2026-27","amount":40,"unit":"hours","consultant_id":'"$2"'}' -H "$M"
}

# --- The consultant works in the contract's service ---
contract 'Ash School' "$ola"
expect_status 400 "a Cognus officer cannot be a Beacon contract's consultant"
expect '.fields == ["consultant_id"] and (.detail | test("Ola Cognus does not work in beacon/consultancy"))' "named, with the reason"
contract 'Oak Academy' "$cora"
expect_status 201 "Oak's contract with Cora"
oak=$(json .id)
contract 'Elm Primary' "$cora"
elm=$(json .id)
call PATCH "/api/v1/contracts/$oak" '{"consultant_id":'"$ola"'}' -H "$M"
expect_status 400 "nor be made its consultant later"
call GET "/api/v1/contracts/$oak" '' -H "$M"
expect ".consultant.id == $cora" "and the contract keeps Cora"

# --- One place at a time ---
book() { call POST "/api/v1/contracts/$1/visits" "$2" -H "$C"; }
book "$oak" '{"starts_at":"2027-01-12T09:30"}'
expect_status 201 "Cora at Oak from 09:30"
first=$(json .id)
book "$elm" '{"starts_at":"2027-01-12T10:00"}'
expect_status 409 "Cora cannot be at Elm at 10:00 the same morning"
expect '(.type | endswith("/timetable-clash")) and (.detail | test("Cora Consultant is already booked at Oak Academy from 09:30 to 12:00 on Tue 12 Jan 2027 \\(visit '"$first"'\\)")) and .fields == ["starts_at"]' "the answer names the other visit and what to do"
book "$elm" '{"starts_at":"2027-01-12T12:00"}'
expect_status 201 "straight after, from 12:00, is free"
second=$(json .id)
book "$elm" '{"starts_at":"2027-01-13T09:30","consultant_id":'"$ola"'}'
expect_status 400 "a visit's consultant must work in the service too"
expect '.fields == ["consultant_id"]' "names consultant_id"

# --- Inside working hours ---
book "$oak" '{"starts_at":"2027-01-13T07:00","minutes":60,"reason":"Breakfast club"}'
expect_status 400 "07:00 is before the service opens"
expect '.fields == ["starts_at"] and (.detail | test("07:00 to 08:00, outside the service.s working hours that day \\(08:30 to 16:30\\)"))' "says the hours"
book "$oak" '{"starts_at":"2027-01-13T15:00"}'
expect_status 400 "15:00 to 17:30 runs past closing"
call GET "/api/v1/visits?consultant=$cora&from=2027-01-01&to=2027-01-31" '' -H "$M"
expect '[.visits[].id] | length == 2' "nothing refused was saved"

# --- Rescheduling follows the same rules and frees the old slot ---
call PATCH "/api/v1/visits/$first" '{"outcome":"rescheduled","new_starts_at":"2027-01-12T13:00"}' -H "$C"
expect_status 409 "moving Oak onto Elm's afternoon is a clash"
expect '.detail | test("Elm Primary")' "naming Elm"
call PATCH "/api/v1/visits/$first" '{"outcome":"rescheduled","new_starts_at":"2027-01-14T15:00"}' -H "$C"
expect_status 400 "nor past closing"
call PATCH "/api/v1/visits/$first" '{"outcome":"rescheduled","new_starts_at":"2026-11-30T09:30"}' -H "$C"
expect_status 400 "nor into a day already past"
expect '.fields == ["new_starts_at"] and (.detail | test("already passed"))' "saying why"
call PATCH "/api/v1/visits/$first" '{"outcome":"rescheduled","new_starts_at":"2027-01-14T09:30"}' -H "$C"
expect_status 200 "moved to Thursday morning"
book "$elm" '{"starts_at":"2027-01-12T09:30"}'
expect_status 201 "and the Tuesday morning it left is free again"

# --- Eight schools book Cora for the same hour at once: one gets her ---
racers= schools=
for i in 1 2 3 4 5 6 7 8; do
    contract "Race School $i" "$cora"
    schools="$schools $(json .id)"
done
for k in $schools; do
    curl -s -o "$tmp/race.$k.body" -w '%{http_code}\n' -X POST -H "$C" -H 'Content-Type: application/json' \
        --data-binary '{"starts_at":"2027-02-02T09:30"}' "$base/api/v1/contracts/$k/visits" >"$tmp/race.$k" &
    racers="$racers $!"
done
wait $racers
checks=$((checks + 1))
[ "$(cat "$tmp"/race.? "$tmp"/race.?? 2>/dev/null | grep -c '^201$')" -eq 1 ] && [ "$(cat "$tmp"/race.? "$tmp"/race.?? 2>/dev/null | grep -c '^409$')" -eq 7 ] ||
    fail "exactly one of eight racing bookings of one consultant succeeds, the rest are told: $(cat "$tmp"/race.? "$tmp"/race.?? 2>/dev/null | tr '\n' ' ')"
call GET "/api/v1/visits?consultant=$cora&from=2027-02-02&to=2027-02-02" '' -H "$M"
expect '.visits | length == 1' "and Cora is booked once that morning"

# --- One person's working time is counted once across their services ---
hx=hackney-services-for-schools
hal=$(echo 'a good long password' | "$charter" admin user add --db "$db" --email hal@hackney.example --name 'Hal Both' \
    --role officer --service $hx/school-improvement --service $hx/specialist-teaching-inclusion --password-stdin | user_id)
add hm@hackney.example 'Hana Manager' manager $hx/school-improvement >/dev/null
H="Authorization: Bearer $("$charter" admin token --email hm@hackney.example --db "$db")"
call POST /api/v1/contracts '{"school":"Ivy School","service":"'$hx'/school-improvement","year":"2026-27","amount":5,"unit":"days","consultant_id":'"$hal"'}' -H "$H"
expect_status 201 "a school improvement contract with Hal"
si=$(json .id)
echo 'a good long password' | "$charter" admin user add --db "$db" --email sm@hackney.example --name 'Sol Manager' \
    --role manager --service $hx/specialist-teaching-inclusion --password-stdin >/dev/null
SM="Authorization: Bearer $("$charter" admin token --email sm@hackney.example --db "$db")"
call POST /api/v1/contracts '{"school":"Ivy School","service":"'$hx'/specialist-teaching-inclusion","year":"2026-27","amount":5,"unit":"days","consultant_id":'"$hal"'}' -H "$SM"
expect_status 201 "and a specialist teaching contract with Hal"
sti=$(json .id)
HA="Authorization: Bearer $("$charter" admin token --email hal@hackney.example --db "$db")"
call POST "/api/v1/contracts/$si/visits" '{"starts_at":"2026-12-07T09:30"}' -H "$HA"
expect_status 201 "Hal's school improvement visit"
call POST "/api/v1/contracts/$sti/visits" '{"starts_at":"2026-12-07T10:00"}' -H "$HA"
expect_status 409 "Hal cannot be at a specialist teaching visit at the same time"
call POST "/api/v1/contracts/$sti/visits" '{"starts_at":"2026-12-08T09:30"}' -H "$HA"
expect_status 201 "Hal's specialist teaching visit the next day"
call POST "/api/v1/contracts/$sti/visits" '{"starts_at":"2026-12-22T09:30"}' -H "$HA"
expect_status 400 "the office is open on 22 December, but the schools are on holiday"
expect '.detail | test("Tue 22 Dec 2026 is not a working day for this service")' "visits follow school terms"
call GET "/api/v1/capacity?term=autumn-2026" '' -H "$H"
expect "[.consultants[] | select(.consultant.id == $hal)] | length == 1 and (.[0] | (.services | length) == 2 and .booked_minutes == 300 and .working_minutes > 30000 and .working_minutes < 45000)" "one row for Hal: both services' visits against one person's working time"

# --- Training: first and last days of term warn; resources are agreed ahead ---
book "$oak" '{"starts_at":"2027-01-04T09:30","kind":"training"}'
expect_status 201 "training on the first day of the spring term is booked"
expect '.kind == "training" and (.warning | test("Mon 04 Jan 2027 is the first day of the term .* a common INSET day .* agree the date with the school"))' "with a warning to agree the date"
expect '.resources.due_at == "2026-12-14T16:30:00Z" and .resources.told_at == null' "the school is to hear what it needs five working days ahead (the term-time calendar skips the holiday)"
training=$(json .id)
book "$oak" '{"starts_at":"2027-01-20T09:30","kind":"training"}'
expect_status 201 "training mid-term"
expect '(.warning // "") | test("INSET") | not' "without the warning"
book "$oak" '{"starts_at":"2027-01-21T09:30","kind":"workshop"}'
expect_status 400 "an unknown kind of visit"
call PATCH "/api/v1/visits/$training" '{"resources":{"notice_at":"2026-12-02T10:00","channel":"phone"}}' -H "$C"
expect_status 400 "telling the school about resources needs what they are"
call PATCH "/api/v1/visits/$training" '{"resources":{"notice_at":"2026-12-02T10:00","channel":"phone","told":"Mrs Oak","note":"A projector, and a room set out for 30"}}' -H "$C"
expect_status 200 "the school is told what the training needs"
expect '.resources.told_at == "2026-12-02T10:00:00Z" and .status == "booked" and .notices[0].kind == "resources" and .notices[0].told == "Mrs Oak"' "recorded, the session still booked"
call PATCH "/api/v1/visits/$first" '{"resources":{"notice_at":"2026-12-02T10:00","channel":"phone","note":"x"}}' -H "$C"
expect_status 400 "a visit that is not training has no resources to agree"

# --- What a contract covers, and visits that need the SENCO released ---
call PATCH "/api/v1/contracts/$oak" '{"scope":"Behaviour support in Years 5 and 6: observations, feedback and a written report each term."}' -H "$M"
expect_status 200 "a manager records what the consultancy covers"
expect '.scope | test("Behaviour support in Years 5 and 6")' "the scope is on the contract"
call PATCH "/api/v1/contracts/$oak" '{"scope":"x"}' -H "$C"
expect_status 403 "an officer cannot change it"
book "$oak" '{"starts_at":"2027-01-26T09:30","release":"SENCO"}'
expect_status 201 "a visit that needs the SENCO released"
expect '.release.for == "SENCO" and .release.told_at == null' "and the school is still to be told"
senco=$(json .id)
book "$oak" '{"starts_at":"2027-01-27T09:30","release":"SENCO\nBcc: x"}'
expect_status 400 "who is released is one line"
call PATCH "/api/v1/visits/$senco" '{"release":{"notice_at":"2026-12-02T11:00","channel":"phone","told":"Mrs Oak"}}' -H "$C"
expect_status 200 "the school is told beforehand"
expect '.release.told_at == "2026-12-02T11:00:00Z" and .notices[0].kind == "release"' "and it is recorded"
call PATCH "/api/v1/visits/$training" '{"release":{"notice_at":"2026-12-02T11:00","channel":"phone"}}' -H "$C"
expect_status 400 "a visit that needs no one released"

# --- Reports are not written on site ---
book "$oak" '{"starts_at":"2026-11-27T09:30"}'
expect_status 201 "a visit last Friday morning, recorded afterwards"
call POST "/api/v1/contracts/$oak/entries" '{"kind":"drawdown","what":"report","minutes":60,"at":"2026-11-27T10:00"}' -H "$C"
expect_status 409 "report writing logged inside the visit is refused"
expect '(.type | endswith("/report-on-site")) and .fields == ["at"] and (.detail | test("inside your visit to Oak Academy from 09:30 to 12:00 on Fri 27 Nov 2026"))' "naming the visit"
call POST "/api/v1/contracts/$oak/entries" '{"kind":"drawdown","what":"follow-up","minutes":60,"at":"2026-11-27T10:00"}' -H "$C"
expect_status 201 "follow-up with the school during the visit is not a report"
call POST "/api/v1/contracts/$oak/entries" '{"kind":"drawdown","what":"report","minutes":60,"at":"2026-11-27T12:00"}' -H "$C"
expect_status 201 "written straight after the visit, it is logged"

# --- Time logged past the balance needs a manager ---
call POST /api/v1/contracts '{"school":"Fir School","service":"beacon/consultancy","year":"2026-27","amount":3,"unit":"hours","consultant_id":'"$cora"'}' -H "$M"
fir=$(json .id)
log='{"kind":"drawdown","what":"report","minutes":1000,"at":"2026-11-30T10:00"}'
call POST "/api/v1/contracts/$fir/entries" "$log" -H "$C"
expect_status 403 "an officer cannot log 1,000 minutes on a 3-hour contract"
expect '(.type | endswith("/past-balance")) and (.detail | test("A manager must agree")) and .fields == ["minutes"]' "and is told who can"
call POST "/api/v1/contracts/$fir/entries" "$log" -H "$M"
expect_status 409 "a manager is asked to agree first"
expect '.detail | test("confirm_over_balance")' "and told how"
call GET "/api/v1/contracts/$fir" '' -H "$M"
expect '.balance_minutes == 180' "nothing was logged yet"
call POST "/api/v1/contracts/$fir/entries" '{"kind":"drawdown","what":"report","minutes":120,"at":"2026-11-30T10:00"}' -H "$C"
expect_status 201 "time within the balance is logged by an officer"
call POST "/api/v1/contracts/$fir/entries" "$(echo "$log" | jq -c '. + {confirm_over_balance: true}')" -H "$M"
expect_status 201 "the manager agrees and logs it"
call GET "/api/v1/contracts/$fir" '' -H "$M"
expect '.balance_minutes == -940' "the balance shows what the school owes"

finish
