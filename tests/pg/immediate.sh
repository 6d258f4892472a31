#!/bin/sh
# PostgreSQL crashing under the desk: its own cluster (so the other suites'
# cluster is left alone) is stopped with `pg_ctl -m immediate` in the middle
# of a write load, which is a crash of the database server, and started
# again. While it is down every write is refused 503 with a sentence, never
# 500 or a dropped connection; once it is back the same charter process
# serves again without a restart; and every write acknowledged before the
# crash is still there, with its audit row, and the audit chain whole.
here=$(cd "$(dirname "$0")" && pwd)
pgdir=$(mktemp -d)
sh "$here/cluster.sh" start "$pgdir" || exit 1
CHARTER_TEST_PG_URL_FILE=$pgdir/url
export CHARTER_TEST_PG_URL_FILE
. "$here/../api/lib.sh"
trap 'stop_server; sh "$here/cluster.sh" stop "$pgdir"; rm -rf "$tmp"' EXIT

bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
home=$(cat "$pgdir/cluster")
port=$(sed 's|.*:\([0-9]*\)/.*|\1|' "$pgdir/url")
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
pg_start() {
    as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $home -c fsync=on -c max_connections=300" \
        start >/dev/null 2>&1
}

start_server
token=$("$charter" admin token --email admin@charter.local --db "$db")

# Each writer creates cases until told to stop, sorting every answer: 201
# (noted as acknowledged), 503 with a sentence (the outage, said plainly),
# anything else (a fault).
writer() {
    while [ ! -e "$tmp/stop" ]; do
        out=$(curl -s -m 20 -w '\n%{http_code}' -X POST -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' \
            --data-binary '{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"Load"}' \
            "$base/api/v1/cases")
        code=$(echo "$out" | tail -n 1)
        case $code in
        201) echo "$out" | head -n 1 | jq -r .id >>"$tmp/acked.$1" ;;
        503)
            if echo "$out" | head -n 1 | jq -e '.detail | test("database server (is not|stopped) answering")' >/dev/null 2>&1; then
                echo x >>"$tmp/refused.$1"
            else
                echo "503 without the sentence: $(echo "$out" | head -n 1)" >>"$tmp/faults"
            fi
            sleep 0.05
            ;;
        *) echo "HTTP $code: $(echo "$out" | head -n 1 | head -c 300)" >>"$tmp/faults" ;;
        esac
    done
}
# count KIND ROUND: the lines the round's writers noted of that kind (the
# glob is expanded here, each time, as files appear).
count() { cat "$tmp/$1.$2".* 2>/dev/null | grep -c .; }
wait_for() { # wait_for KIND ROUND N: until there are more than N
    for _ in $(seq 1 600); do
        [ "$(count "$1" "$2")" -gt "$3" ] && return 0
        sleep 0.05
    done
    return 1
}

rounds=${CHARTER_PG_CRASH_ROUNDS:-3}
round=0 acked=0 refused=0 missing=0
while [ $round -lt "$rounds" ]; do
    round=$((round + 1))
    rm -f "$tmp/stop"
    pids=
    for w in 1 2 3 4; do
        writer "$round.$w" &
        pids="$pids $!"
    done
    checks=$((checks + 1))
    wait_for acked $round $((20 + round * 5)) || fail "round $round: the load made no headway before the crash"
    as_owner "$bin/pg_ctl" -D "$home/data" -m immediate -w stop >/dev/null 2>&1
    before=$(count acked $round)
    wait_for refused $round 3 || true
    checks=$((checks + 1))
    pg_start || fail "round $round: PostgreSQL did not start again: $(tail -n 5 "$home/server.log")"
    # The same charter process takes writes again, without a restart.
    checks=$((checks + 1))
    wait_for acked $round $((before + 20)) || fail "round $round: no writes were acknowledged after PostgreSQL came back"
    touch "$tmp/stop"
    wait $pids
    acked=$((acked + $(count acked $round)))
    refused=$((refused + $(count refused $round)))
    for id in $(cat "$tmp"/acked.$round.* 2>/dev/null); do
        call GET "/api/v1/cases/$id" '' -H "Authorization: Bearer $token"
        [ "$status" = 200 ] || missing=$((missing + 1))
    done
done
checks=$((checks + 1))
[ -s "$tmp/faults" ] && fail "answers other than 201 or a worded 503 while PostgreSQL was down: $(sort "$tmp/faults" | uniq -c | head -n 5); the server said: $(grep -v 'not answering' "$tmp/serve.err" | tail -n 5)"
checks=$((checks + 1))
[ "$refused" -gt 0 ] || fail "no write was refused while PostgreSQL was down: the crash missed the load"
checks=$((checks + 1))
[ "$missing" -eq 0 ] || fail "$missing of $acked acknowledged cases were lost by $rounds crashes of PostgreSQL"
echo "pg_immediate: crash_rounds: $rounds, acked: $acked, refused_503: $refused, lost: $missing"

sql() { psql -qtA "${db%%\?schema=*}" -v ON_ERROR_STOP=1 -c "SET search_path TO \"${db##*schema=}\"; $1" | tail -n 1; }
unaudited=$(sql "SELECT count(*) FROM cases WHERE id NOT IN (SELECT object_id FROM audit WHERE action = 'create' AND object = 'case' AND object_id IS NOT NULL)")
checks=$((checks + 1))
[ "$unaudited" = 0 ] || fail "$unaudited cases were stored without their create audit row"
checks=$((checks + 1))
"$charter" audit verify --db "$db" >"$tmp/verify" 2>&1 || fail "the audit chain is not whole after the crashes: $(cat "$tmp/verify")"
finish
