#!/bin/sh
# HTTP benchmark of the case desk on loopback (wrk), on SQLite and on a
# throwaway PostgreSQL side by side: durable case creations per second and
# latency with 1 and 16 connections, 50-case queue pages with 100,000 open
# cases, the server's resident memory, the disk's own fdatasync rate, and
# queue pages with 1,000,000 open cases on PostgreSQL. Prints
# `name: value unit` lines, each name led by its backend.
set -eu
charter=${1:-build/charter}
fsync_bench=${2:-build/bench_fsync}
secs=${BENCH_SECONDS:-5}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    sh tests/pg/cluster.sh stop "$tmp/pg" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"$fsync_bench" "$tmp"

start() { # start DB
    rm -f "$tmp/out" # or the last server's URL could be read before the new one writes
    "$charter" serve --db "$1" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    base=
    for _ in $(seq 1 200); do
        base=$(sed -n 's|^Charter is listening on \(http[^ ]*\)/$|\1|p' "$tmp/out" 2>/dev/null)
        [ -n "$base" ] && return 0
        sleep 0.05
    done
    echo "bench: the server did not start" >&2
    cat "$tmp/err" >&2
    exit 1
}

stop() {
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
}

# Milliseconds from a wrk latency figure such as 812.00us, 2.10ms or 1.02s.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
        printf "%.2f", n }'
}

# run NAME CONNECTIONS SCRIPT PATH
run() {
    threads=$(($2 < 2 ? 1 : 2))
    wrk -t "$threads" -c "$2" -d "${secs}s" --latency -s "bench/$3" "$base$4" >"$tmp/wrk"
    rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$tmp/wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk")
    echo "$1_per_s: $rps req/s"
    echo "$1_p50_ms: $(to_ms "$p50") ms"
    echo "$1_p99_ms: $(to_ms "$p99") ms"
    [ -z "$non2xx" ] || echo "$1_errors: $non2xx responses"
}

# SQL that adds N open cases with one obligation each (SQLite dialect, or
# PostgreSQL's generate_series).
bulk_sqlite() {
    cat <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
INSERT INTO cases(service, kind, channel, subject, status, received_at, deemed_at, flags,
                  version, next_due_at, created_at, updated_at)
SELECT 'cognus/enquiries', 'enquiry', 'email', 'Bulk case ' || i, 'open',
       1735725600 + i * 60, 1735725600 + i * 60, '', 1, 1735725600 + i * 60 + 259200,
       1763800000, 1763800000 FROM n;
INSERT INTO obligations(case_id, promise, kind, text, due_at, state)
SELECT id, 'written-reply', 'respond', 'We reply within 3 working days.', next_due_at, 'pending'
FROM cases WHERE subject LIKE 'Bulk case %';
COMMIT;
SQL
}

bulk_postgres() {
    cat <<SQL
SET search_path TO bench;
INSERT INTO cases(service, kind, channel, subject, status, received_at, deemed_at, flags,
                  version, next_due_at, created_at, updated_at)
SELECT 'cognus/enquiries', 'enquiry', 'email', 'Bulk case ' || i, 'open',
       1735725600 + i * 60, 1735725600 + i * 60, '', 1, 1735725600 + i * 60 + 259200,
       1763800000, 1763800000 FROM generate_series(1, $1) AS i;
INSERT INTO obligations(case_id, promise, kind, text, due_at, state)
SELECT id, 'written-reply', 'respond', 'We reply within 3 working days.', next_due_at, 'pending'
FROM cases WHERE subject LIKE 'Bulk case %' AND id > (SELECT coalesce(max(case_id), 0) FROM obligations);
ANALYZE;
SQL
}

# backend NAME DB BULK-COMMAND
backend() {
    name=$1 db=$2
    start "$db"
    CHARTER_TOKEN=$("$charter" admin token --email admin@charter.local --db "$db")
    export CHARTER_TOKEN
    run "${name}_create_1conn" 1 create.lua /api/v1/cases
    run "${name}_create_16conn" 16 create.lua /api/v1/cases
    stop
    $3 100000
    start "$db"
    run "${name}_queue_read" 16 read.lua "/api/v1/queues/overdue?limit=50"
    run "${name}_queue_read_1conn" 1 read.lua "/api/v1/queues/overdue?limit=50"
    echo "${name}_server_rss_mb: $(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$pid/status) MB"
    stop
}

load_sqlite() { bulk_sqlite "$1" | sqlite3 "$tmp/bench.db"; }
backend sqlite "$tmp/bench.db" load_sqlite

sh tests/pg/cluster.sh start "$tmp/pg"
pg_url="$(cat "$tmp/pg/url")"
load_postgres() { bulk_postgres "$1" | psql -q "$pg_url" -v ON_ERROR_STOP=1 >/dev/null; }
backend postgres "$pg_url?schema=bench" load_postgres

# A million open cases on PostgreSQL.
load_postgres 900000
start "$pg_url?schema=bench"
CHARTER_TOKEN=$("$charter" admin token --email admin@charter.local --db "$pg_url?schema=bench")
export CHARTER_TOKEN
echo "postgres_open_cases: $(psql -qtA "$pg_url" -c "SELECT count(*) FROM bench.cases WHERE status = 'open'") cases"
run postgres_queue_read_1m 16 read.lua "/api/v1/queues/overdue?limit=50"
stop
