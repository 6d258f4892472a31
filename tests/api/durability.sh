#!/bin/sh
# Durability: every case whose creation was answered 201 survives a kill -9
# of the server in the middle of a write load.
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
finish
