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

. bench/wrk.sh

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
