#!/bin/sh
# Reports that tell the truth and search that finds what people are told:
# an obligation not yet due is pending, never "not met", on the compliance
# report (JSON and CSV, as at a fixed instant) and the public standards
# page; the reference the public is given finds its case; words match by
# prefix; people and organisations are found by name and email; and a
# policy with the longest ids the format allows reports safely.
. "$(dirname "$0")/lib.sh"
start_server
problem='.type and .title and .status and (.detail | length > 10)'
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
user_id() { sed -n 's/^added .* user \([0-9]*\)$/\1/p'; }
echo 'cognus officer pass' | "$charter" admin user add --db "$db" --email olu@cognus.example --name "Olu Officer" --role officer --service cognus/enquiries --password-stdin >/dev/null
echo 'sendiass officer pass' | "$charter" admin user add --db "$db" --email sam@sendiass.example --name "Sam Adviser" --role officer --service sendiass/enquiries --password-stdin >/dev/null
O="Authorization: Bearer $("$charter" admin token --email olu@cognus.example --db "$db")"
S="Authorization: Bearer $("$charter" admin token --email sam@sendiass.example --db "$db")"
row='.rows | map(select(.service == "cognus/enquiries" and .promise == "written-reply" and .month == "2025-12")) | .[0]'

# --- Pending is not "not met" ---
# Two emails on Friday 28 November 2025, both due Wednesday 3 December 17:00
# (3 working days); one is answered on Tuesday 2 December, one never.
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2025-11-28T10:00:00Z","subject":"Report answered"}' -H "$O"
expect_status 201 "an email that will be answered"
answered=$(json .id)
expect '.obligations[0].due_at == "2025-12-03T17:00:00Z"' "due Wednesday 3 December"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2025-11-28T10:30:00Z","subject":"Report unanswered"}' -H "$O"
expect_status 201 "an email that will not be"
call POST "/api/v1/cases/$answered/contacts" '{"direction":"outbound","channel":"email","at":"2025-12-02T10:00:00Z","summary":"Answer","meets":["respond"]}' -H "$O" -H 'If-Match: "1"'
expect_status 201 "the answer on Tuesday"

call GET '/api/v1/reports/compliance?from=2025-12&to=2025-12&as_at=2025-12-01T09:00:00Z' '' -H "$O"
expect_status 200 "the report as at 1 December"
expect '.as_at == "2025-12-01T09:00:00Z"' "says when it is as at"
expect "$row | .due == 2 and .pending == 2 and .not_met == 0 and .met_on_time == 0 and .on_time_rate == null and .complete == false" "on 1 December both are pending, none not met, no rate yet"
call GET '/api/v1/reports/compliance?from=2025-12&to=2025-12&as_at=2025-12-02T12:00:00Z' '' -H "$O"
expect "$row | .pending == 1 and .met_on_time == 1 and .not_met == 0 and .on_time_rate == 1 and .complete == false" "on 2 December: one kept on time, one pending, 100% so far"
call GET '/api/v1/reports/compliance?from=2025-12&to=2025-12&as_at=2025-12-04T09:00:00Z' '' -H "$O"
expect "$row | .pending == 0 and .met_on_time == 1 and .not_met == 1 and .on_time_rate == 0.5 and .complete == false" "on 4 December the other is not met; December is still running"
call GET '/api/v1/reports/compliance?from=2025-12&to=2025-12&as_at=2026-01-05T09:00:00Z' '' -H "$O"
expect "$row | .due == 2 and .met_on_time == 1 and .not_met == 1 and .complete == true" "once December is over the figures are final"
call GET '/api/v1/reports/compliance?from=2025-12&to=2025-12&as_at=2025-12-01T09:00:00Z&format=csv' '' -H "$O"
checks=$((checks + 1))
head -n 1 "$tmp/body" | grep -q '^service,promise,month,due,met_on_time,met_late,not_met,on_time_rate,median_working_hours,pending,withdrawn,complete,as_at' || fail "the CSV header names pending and complete"
checks=$((checks + 1))
grep -q '^cognus/enquiries,written-reply,2025-12,2,0,0,0,,,2,0,false,2025-12-01T09:00:00Z' "$tmp/body" || fail "the CSV row: two pending, no rate, not complete"
call GET '/api/v1/reports/compliance?from=2025-12&to=2025-12&as_at=2025-12-04T09:00:00Z&format=csv' '' -H "$O"
checks=$((checks + 1))
grep -q '^cognus/enquiries,written-reply,2025-12,2,1,0,1,0.500,' "$tmp/body" || fail "the CSV row on 4 December"

# A case opened now is due in the future: pending in whichever month it falls.
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Opened just now"}' -H "$O"
expect_status 201 "an email received now"
month=$(json '.obligations[0].due_at[0:7]')
call GET "/api/v1/reports/compliance?from=$month&to=$month" '' -H "$O"
expect '.rows | map(select(.promise == "written-reply")) | .[0] | .pending >= 1 and .not_met == 0 and .complete == false' "a promise not yet due counts as pending, as at now"

call GET '/api/v1/reports/compliance?as_at=2099-01-01T00:00:00Z' '' -H "$O"
expect_status 400 "a report as at the future"
expect "$problem and .fields == [\"as_at\"]" "is refused, naming as_at"
call GET '/api/v1/reports/compliance?as_at=yesterday' '' -H "$O"
expect_status 400 "an unreadable as_at"

# --- The reference the public is given finds its case ---
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data 'subject=Bus+pass+renewal&message=Our+transport+pass+has+expired.&name=Priya+Kaur&email=priya.kaur%40family.example' "$base/public/cognus/contact")
expect_status 200 "a message through the public contact form"
ref=$(sed -n 's/.*Your reference is <strong>\([0-9]*\)<\/strong>.*/\1/p' "$tmp/body")
checks=$((checks + 1))
[ -n "$ref" ] || fail "the thank-you page gives a reference"
call GET "/api/v1/search?q=$ref" '' -H "$O"
expect_status 200 "searching for the reference"
expect ".cases[0].id == $ref" "finds its case first"
call GET "/api/v1/search?q=%23$ref" '' -H "$O"
expect ".cases[0].id == $ref" "with a # before it too"
call GET "/api/v1/cases?q=$ref" '' -H "$O"
expect ".cases[0].id == $ref" "and in the case list"
call GET "/api/v1/search?q=$ref" '' -H "$S"
expect "[.cases[].id] | index($ref) == null" "but not for another team"

# --- Words match by prefix ---
call GET '/api/v1/search?q=transp' '' -H "$O"
expect "[.cases[].id] | index($ref) != null" "transp finds transport"
call GET '/api/v1/cases?q=renew%20bus' '' -H "$O"
expect "[.cases[].id] | index($ref) != null" "every word, as prefixes, in any order"
call GET '/api/v1/search?q=transpx' '' -H "$O"
expect "[.cases[].id] | index($ref) == null" "but a prefix of nothing finds nothing"
call GET '/api/v1/search?q=%22%20OR%20NEAR(%20*%20%27%20%5C%20%3A*%20%26' '' -H "$O"
expect_status 200 "query syntax of either backend is only words"

# --- People and organisations ---
call POST /api/v1/organisations '{"name":"Oak Tree Academy","kind":"school"}' -H "$A"
expect_status 201 "a school"
oak=$(json .id)
call POST /api/v1/people "{\"name\":\"Dara O'Neill\",\"email\":\"dara@oaktree.example\",\"organisation_id\":$oak,\"service\":\"cognus/enquiries\"}" -H "$A"
expect_status 201 "a person at the school"
dara=$(json .id)
call POST /api/v1/people '{"name":"100% Percy","email":"percy@elsewhere.example","service":"cognus/enquiries"}' -H "$A"
percy=$(json .id)
call GET '/api/v1/search?q=dar' '' -H "$O"
expect "[.people[].id] | index($dara) != null" "a person by the start of their name"
expect "(.people[] | select(.id == $dara)) == {\"id\":$dara,\"name\":\"Dara O'Neill\",\"email\":\"dara@oaktree.example\",\"organisation_id\":$oak}" "with their email and organisation"
call GET '/api/v1/search?q=o%27ne' '' -H "$O"
expect "[.people[].id] | index($dara) != null" "by a later word of it"
call GET '/api/v1/search?q=DARA%40OAK' '' -H "$O"
expect "[.people[].id] | index($dara) != null" "by email, whatever the case"
call GET '/api/v1/search?q=oaktree.ex' '' -H "$O"
expect "[.people[].id] | index($dara) != null" "by the email's domain"
call GET '/api/v1/search?q=eill' '' -H "$O"
expect "[.people[].id] | index($dara) == null" "but not from the middle of a word"
call GET '/api/v1/search?q=100%25' '' -H "$O"
expect "[.people[].id] == [$percy]" "a % is a percent sign"
call GET '/api/v1/search?q=%25' '' -H "$O"
expect '.people == []' "not a wildcard"
call GET '/api/v1/search?q=_' '' -H "$O"
expect '.people == [] and .organisations == []' "nor is _"
call GET '/api/v1/search?q=oak%20tree' '' -H "$O"
expect "[.organisations[].id] == [$oak] and .organisations[0].name == \"Oak Tree Academy\" and .organisations[0].kind == \"school\"" "an organisation by the words of its name"
call GET '/api/v1/search?q=priya' '' -H "$O"
expect "[.people[] | select(.email == \"priya.kaur@family.example\")] | length == 1" "the person behind a public message"
call GET '/api/v1/search?q=priya' '' -H "$S"
expect '[.people[] | select(.email == "priya.kaur@family.example")] == []' "is not shown to a team that cannot see their case"
call GET "/api/v1/audit?case=$dara" '' -H "$A"
call GET '/api/v1/audit' '' -H "$A"
expect "[.audit[] | select(.action == \"find\" and .object == \"person\" and .object_id == $dara)] | length >= 1" "each person found is an audited read"

# --- What cannot be searched for ---
call GET '/api/v1/search?q=caf%FF' '' -H "$O"
expect_status 400 "a query that is not UTF-8"
expect "$problem and .fields == [\"q\"]" "is refused, naming q"
checks=$((checks + 1))
! grep -q "$(printf 'caf\377')" "$tmp/body" || fail "and not echoed back"
call GET '/api/v1/cases?q=%C3%28' '' -H "$O"
expect_status 400 "nor in the case list"
call GET "/api/v1/search?q=$(printf 'a%%20%.0s' $(seq 1 13))" '' -H "$O"
expect_status 400 "thirteen words are too many"
call GET '/api/v1/search?q=%20%20' '' -H "$O"
expect_status 400 "only spaces"
call GET '/api/v1/search?q=caf%C3%A9' '' -H "$O"
expect_status 200 "UTF-8 words are fine"
expect '.q == "café"' "and come back as they were"

# --- The public page counts the same way ---
call GET /public/cognus
expect_status 200 "the standards page"
checks=$((checks + 1))
! grep -qE 'kept this [0-9]+ times out of' "$tmp/body" || fail "no longer counts all that fell due as the base"
stop_server

# --- The longest ids a policy may have ---
id64() { printf "%s%s" "$1" "$(printf 'x%.0s' $(seq 1 $((64 - ${#1}))))"; }
pol=$(id64 policy-) svc=$(id64 service-) cal=$(id64 calendar-)
p1=$(id64 promise-one-) p2=$(id64 promise-two-) p3=$(id64 promise-three-)
cat >"$tmp/long.yaml" <<YAML
charter: 1
id: $pol
organisation: A service with very long names
time_zone: Europe/London
review_by: 2027-09-01
calendars:
  $cal:
    hours:
      monday-friday: 09:00-17:00
    bank_holidays: england-and-wales
services:
  - id: $svc
    name: Enquiries
    calendar: $cal
promises:
  - id: $p1
    text: We acknowledge every email within 1 working day.
    applies_to:
      channels: [email]
    obligation: acknowledge
    within: 1 working days
  - id: $p2
    text: We reply to every email within 3 working days.
    applies_to:
      channels: [email]
    obligation: respond
    within: 3 working days
  - id: $p3
    text: We settle every email within 10 working days.
    applies_to:
      channels: [email]
    obligation: resolve
    within: 10 working days
YAML
"$charter" policy check "$tmp/long.yaml" >/dev/null || { echo "FAIL: the long-id policy does not load"; exit 1; }
start_server --policy "$tmp/long.yaml"
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
for day in 2025-09-10 2025-10-08 2025-11-12 2025-12-10; do
    call POST /api/v1/cases "{\"service\":\"$pol/$svc\",\"channel\":\"email\",\"received_at\":\"${day}T10:00:00Z\",\"subject\":\"Long ids\"}" -H "$A"
    expect_status 201 "a case on $day under the long ids"
done
call GET '/api/v1/reports/compliance?from=2025-09&to=2025-12&format=csv&as_at=2026-01-10T12:00:00Z' '' -H "$A"
expect_status 200 "the CSV with 64-character ids"
checks=$((checks + 1))
[ "$(grep -c "^$pol/$svc,promise-" "$tmp/body")" -eq 12 ] || fail "has every row: three promises in four months"
checks=$((checks + 1))
grep -q "^$pol/$svc,$p3,2025-12,1,0,0,1,0.000,,0,0,true," "$tmp/body" || fail "each whole, with its long ids"
call GET '/api/v1/reports/compliance?from=2025-09&to=2025-12' '' -H "$A"
expect_status 200 "the JSON with 64-character ids"
expect "[.rows[] | select(.service == \"$pol/$svc\")] | length == 12" "every row"
call GET "/public/$pol"
expect_status 200 "the public page with 64-character ids"
finish
