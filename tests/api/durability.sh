#!/bin/sh
# Durability: every case whose creation was answered 201 survives a kill -9
# of the server in the middle of a write load, with its create audit row:
# the two share one transaction, so no case is left without its audit, and
# the audit chain is whole after the crash.
. "$(dirname "$0")/lib.sh"
start_server
token=$("$charter" admin token --email admin@charter.local --db "$db")

# Four writers create cases as fast as they can, noting each id the server
# acknowledged; the server is killed under them.
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
for w in 1 2 3 4; do writer $w & done
# Kill once enough writes are acknowledged to mean something, however
# slowly a loaded machine runs them (a fixed sleep made this flaky).
for _ in $(seq 1 600); do
    [ "$(cat "$tmp"/acked.* 2>/dev/null | grep -c .)" -gt 20 ] && break
    sleep 0.05
done
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null
server_pid=
wait
acked=$(cat "$tmp"/acked.* 2>/dev/null | sort -n | uniq)
count=$(echo "$acked" | grep -c .)
checks=$((checks + 1))
[ "$count" -gt 20 ] || fail "the load acknowledged only $count writes before the kill"

start_server
missing=0
for id in $acked; do
    call GET "/api/v1/cases/$id" '' -H "Authorization: Bearer $token"
    [ "$status" = 200 ] || missing=$((missing + 1))
done
checks=$((checks + 1))
[ "$missing" -eq 0 ] || fail "$missing of $count acknowledged cases were lost by the crash"
echo "durability: $count acknowledged creations before kill -9, $missing lost"

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
