#!/bin/sh
# Two `charter serve` processes on one PostgreSQL: concurrent changes to one
# case through both never lose an update (the loser gets 409); a case made
# through one is at once in the other's queues; the breach sweep, run by
# both every second, records each breach once.
charter=$1
. "$(dirname "$0")/../api/lib.sh"
[ -n "${CHARTER_TEST_PG_URL_FILE:-}" ] || { echo "FAIL: two servers need PostgreSQL"; exit 1; }
schema=${db##*schema=}
pg=$(cat "$CHARTER_TEST_PG_URL_FILE")

start_server --sweep-seconds 1
a=$base a_pid=$server_pid
mv "$tmp/serve.out" "$tmp/a.out"
start_server --sweep-seconds 1
b=$base b_pid=$server_pid
trap 'kill $a_pid $b_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
token=$("$charter" admin token --email admin@charter.local --db "$db")
A="Authorization: Bearer $token"

base=$a
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2026-11-02T10:00","subject":"Two servers"}' -H "$A"
expect_status 201 "a case made through server A"
id=$(json .id)
base=$b
call GET /api/v1/queues/unassigned '' -H "$A"
expect "[.cases[].id] | index($id) != null" "is at once in server B's queue"

# Twenty rounds of the same change sent through both servers at once.
wins=0 conflicts=0 version=1
for round in $(seq 1 20); do
    for srv in $a $b; do
        curl -s -o /dev/null -w '%{http_code}\n' -X PATCH -H "$A" -H "If-Match: \"$version\"" \
            -H 'Content-Type: application/json' --data-binary "{\"note\":\"round $round\"}" \
            "$srv/api/v1/cases/$id" >>"$tmp/codes.$round" &
    done
    wait_for=0
    while [ "$(wc -l <"$tmp/codes.$round" 2>/dev/null || echo 0)" -lt 2 ] && [ $wait_for -lt 100 ]; do
        sleep 0.05
        wait_for=$((wait_for + 1))
    done
    ok=$(grep -c '^200$' "$tmp/codes.$round")
    lost=$(grep -c '^409$' "$tmp/codes.$round")
    wins=$((wins + ok))
    conflicts=$((conflicts + lost))
    version=$((version + ok))
done
echo "two servers: $wins changes won, $conflicts refused with 409"
checks=$((checks + 1))
[ $((wins + conflicts)) -eq 40 ] || fail "every change got 200 or 409 ($wins, $conflicts)"
checks=$((checks + 1))
[ "$conflicts" -gt 0 ] || fail "no round raced: the test did not exercise concurrent changes"
base=$a
call GET "/api/v1/cases/$id" '' -H "$A"
expect ".version == $version and ([.events[] | select(.what == \"changed\")] | length) == $wins" "each change that won is recorded once, none lost ($wins won, $conflicts refused)"

# A promise falls due while both servers sweep.
psql -q "$pg" -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET search_path TO $schema;
UPDATE obligations SET due_at = extract(epoch from now())::bigint - 5, state = 'pending'
 WHERE case_id = $id;
SQL
sleep 3.5
count=$(psql -qtA "$pg" -c "SET search_path TO $schema; SELECT count(*) FROM events WHERE case_id = $id AND what = 'breached'" | tail -n 1)
checks=$((checks + 1))
[ "$count" = 1 ] || fail "the breach was recorded $count times by two servers, not once"
call GET "/api/v1/cases/$id" '' -H "$A"
expect '.obligations[0].state == "breached"' "the obligation is breached"
kill $a_pid $b_pid
wait
server_pid=
finish
