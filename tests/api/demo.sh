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
# Closed demo cases are settled as the desk settles them: nothing pending.
call GET '/api/v1/cases?status=closed&limit=200' '' -b "$tmp/cookies"
expect '(.cases | length) > 0' "there are closed cases"
closed_pending=0
for id in $(jq -r '.cases[:20][].id' "$tmp/body"); do
    call GET "/api/v1/cases/$id" '' -b "$tmp/cookies"
    jq -e '[.obligations[] | select(.state == "pending" or .state == "paused")] | length == 0' "$tmp/body" >/dev/null || closed_pending=$((closed_pending + 1))
done
checks=$((checks + 1))
[ "$closed_pending" -eq 0 ] || fail "$closed_pending closed demo cases still have pending promises"
call POST /api/v1/session "{\"email\":\"officer.sendiass@charter.local\",\"password\":\"$password\"}" -c "$tmp/officer"
call GET '/api/v1/queues/mine?limit=200' '' -b "$tmp/officer"
expect '(.cases | length) > 0 and ([.cases[].service] | unique) == ["sendiass/enquiries"]' "an officer's own queue holds only their service"
# Older cases, from the months before, are all closed: the public pages and
# reports have a last quarter to show.
count() {
    if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
        psql -qtA "$(cat "$CHARTER_TEST_PG_URL_FILE")" -v ON_ERROR_STOP=1 \
            -c "SET search_path TO ${db##*schema=}" -c "$1"
    else
        sqlite3 "$db" "$1"
    fi
}
old=$(( $(date +%s) - 60 * 86400 ))
checks=$((checks + 1))
[ "$(count "SELECT count(*) FROM cases WHERE received_at < $old")" -gt 0 ] || fail "no demo case is older than 60 days"
checks=$((checks + 1))
[ "$(count "SELECT count(*) FROM cases WHERE received_at < $old AND status <> 'closed'")" -eq 0 ] ||
    fail "an old demo case is still open"
finish
