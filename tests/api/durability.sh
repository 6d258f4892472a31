#!/bin/sh
# Durability: every case whose creation was answered 201 survives a kill -9
# of the server in the middle of a write load, with its create audit row:
# the two share one transaction, so no case is left without its audit, and
# the audit chain is whole after the crash.
. "$(dirname "$0")/lib.sh"
start_server
token=$("$charter" admin token --email admin@charter.local --db "$db")

# Four writers create cases as fast as they can, noting each id the server
# acknowledged; the server is killed under them, again and again.
writer() {
    n=0
    while [ $n -lt 400 ]; do
        out=$(curl -s -m 5 -w '\n%{http_code}' -X POST -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' \
            --data-binary '{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"Load"}' \
            "$base/api/v1/cases") || break
        code=$(echo "$out" | tail -n 1)
        [ "$code" = 201 ] || break
        echo "$out" | head -n 1 | jq -r .id >>"$tmp/acked.$1"
        n=$((n + 1))
    done
}
# The kill comes at a different moment each round: twenty rounds (make
# check's bounded campaign; CHARTER_KILL_ROUNDS for more), each verified
# once the server is back.
rounds=${CHARTER_KILL_ROUNDS:-20}
round=0 count=0 missing=0
while [ $round -lt "$rounds" ]; do
    round=$((round + 1))
    for w in 1 2 3 4; do writer "$round.$w" & done
    # Kill once enough writes are acknowledged to mean something, however
    # slowly a loaded machine runs them (a fixed sleep made this flaky);
    # then a little later each round, so the kill lands mid-commit too.
    want=$((20 + round * 3))
    for _ in $(seq 1 600); do
        [ "$(cat "$tmp"/acked.$round.* 2>/dev/null | grep -c .)" -gt "$want" ] && break
        sleep 0.05
    done
    kill -9 "$server_pid"
    wait "$server_pid" 2>/dev/null
    server_pid=
    wait
    these=$(cat "$tmp"/acked.$round.* 2>/dev/null | sort -n | uniq)
    n=$(echo "$these" | grep -c .)
    checks=$((checks + 1))
    [ "$n" -gt 20 ] || fail "round $round: the load acknowledged only $n writes before the kill"
    count=$((count + n))
    start_server
    for id in $these; do
        call GET "/api/v1/cases/$id" '' -H "Authorization: Bearer $token"
        [ "$status" = 200 ] || missing=$((missing + 1))
    done
done
acked=$(cat "$tmp"/acked.* 2>/dev/null | sort -n | uniq)
checks=$((checks + 1))
[ "$missing" -eq 0 ] || fail "$missing of $count acknowledged cases were lost by $rounds crashes"
echo "durability: kill_rounds: $rounds, acked: $count, lost: $missing"

# sql QUERY: one value from the desk's database.
if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
    sql() { psql -qtA "${db%%\?schema=*}" -v ON_ERROR_STOP=1 -c "SET search_path TO \"${db##*schema=}\"; $1" | tail -n 1; }
else
    sql() { sqlite3 "$db" "$1"; }
fi
ids=$(echo "$acked" | paste -sd, -)
audited=$(sql "SELECT count(DISTINCT object_id) FROM audit WHERE action = 'create' AND object = 'case' AND object_id IN ($ids)")
checks=$((checks + 1))
[ "$audited" = "$count" ] || fail "only $audited of $count acknowledged cases have their create audit row"
# Nor is any case in the database (acknowledged or cut off by the kill)
# without its audit row.
unaudited=$(sql "SELECT count(*) FROM cases WHERE id NOT IN (SELECT object_id FROM audit WHERE action = 'create' AND object = 'case' AND object_id IS NOT NULL)")
checks=$((checks + 1))
[ "$unaudited" = 0 ] || fail "$unaudited cases were stored without their create audit row"
checks=$((checks + 1))
"$charter" audit verify --db "$db" >"$tmp/verify" 2>&1 || fail "the audit chain is not whole after the crash: $(cat "$tmp/verify")"
echo "durability: every stored case has its create audit row; $(cat "$tmp/verify")"
finish
