#!/bin/sh
# `charter demo` fills a fresh desk with staff and cases in every state, and
# the printed login works against the server.
. "$(dirname "$0")/lib.sh"
"$charter" demo --db "$db" --cases 300 >"$tmp/demo.out"
checks=$((checks + 1))
grep -q '300 cases' "$tmp/demo.out" || { failures=$((failures + 1)); echo "FAIL: demo output: $(cat "$tmp/demo.out")"; }
password=$(sed -n 's/.*with the password \(.*\)$/\1/p' "$tmp/demo.out")
start_server
call POST /api/v1/session "{\"email\":\"manager@charter.local\",\"password\":\"$password\"}" -c "$tmp/cookies"
expect_status 200 "the printed login works"
call GET /api/v1/queues/overdue '' -b "$tmp/cookies"
expect '(.cases | length) > 0' "there is overdue work to show"
call GET '/api/v1/queues/unassigned?limit=200' '' -b "$tmp/cookies"
expect '(.cases | length) > 0' "and unassigned work"
call GET /api/v1/contracts '' -b "$tmp/cookies"
expect '(.contracts | length) >= 6 and all(.contracts[]; .available_minutes >= 0)' "contracts for purchased hours, none booked past what was bought"
# A contract with visits (past the calendars' data, e.g. after Beacon's
# last listed term, a service gets none).
cid=$(json '[.contracts[] | select(.booked_minutes > 0 or .balance_minutes < .purchased_minutes)][0].id')
call GET "/api/v1/contracts/$cid" '' -b "$tmp/cookies"
expect '([.ledger[].minutes] | add) == .balance_minutes and (.visits | length) > 0' "with visits and a ledger that adds up"
call POST /api/v1/session "{\"email\":\"officer.sendiass@charter.local\",\"password\":\"$password\"}" -c "$tmp/officer"
call GET '/api/v1/queues/mine?limit=200' '' -b "$tmp/officer"
expect '(.cases | length) > 0 and ([.cases[].service] | unique) == ["sendiass/enquiries"]' "an officer's own queue holds only their service"
finish
