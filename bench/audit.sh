#!/bin/sh
# The access log at scale: AUDIT_ROWS (default 10,000,000) audit rows on
# SQLite and on a throwaway PostgreSQL (AUDIT_BACKENDS="sqlite" or
# "postgres" for one), then the two readings a data protection officer
# makes, timed over HTTP with wrk (one connection, BENCH_SECONDS each, a
# random subject per request): who viewed a person's records (the person
# and their two cases) and what one member of staff viewed, each over a
# whole year, a page of 50, as an administrator and as a manager.
# Prints `name: value unit` lines; audit_query_10m_ms is the worst p99.
set -eu
charter=${1:-build/charter}
rows=${AUDIT_ROWS:-10000000}
secs=${BENCH_SECONDS:-10}
people=$((rows / 1000 > 10 ? rows / 1000 : 10))
cases=$((people * 2))
staff=50
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    sh tests/pg/cluster.sh stop "$tmp/pg" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

echo "audit workload: $rows audit rows over 2025 (70% about cases, 30% about people)," \
    "$people people with 2 cases each, $staff staff; each query a whole year, limit 50," \
    "1 connection, ${secs}s after a 2s warm-up, random subject, as an administrator and as" \
    "the manager of the cases' service"

. bench/wrk.sh # start, stop and to_ms; this script reads wrk its own way (run below)

worst=0
# run NAME KIND LO N: wrk over random subjects LO..LO+N-1.
run() {
    # A short warm-up first (not counted), so that the figures are of a
    # running desk rather than of the first reads after a restart.
    AUDIT_KIND=$2 AUDIT_LO=$3 AUDIT_N=$4 wrk -t 1 -c 1 -d 2s -s bench/audit.lua \
        "$base/api/v1/audit" >/dev/null
    AUDIT_KIND=$2 AUDIT_LO=$3 AUDIT_N=$4 wrk -t 1 -c 1 -d "${secs}s" --latency \
        -s bench/audit.lua "$base/api/v1/audit" >"$tmp/wrk"
    reqs=$(awk '/requests in/ {print $1}' "$tmp/wrk")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$tmp/wrk")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$tmp/wrk")")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk")
    echo "$1_requests: $reqs"
    echo "$1_p50_ms: $p50 ms"
    echo "$1_p99_ms: $p99 ms"
    [ -z "$non2xx" ] || echo "$1_errors: $non2xx responses"
    worst=$(awk -v a="$worst" -v b="$p99" 'BEGIN {print (b > a) ? b : a}')
}

# queries BACKEND DB: both readings as an administrator (every line shown)
# and as the manager of the service every case is in (each line's record
# checked against the manager's services), on a running server.
queries() {
    echo 'a good long password' | "$charter" admin user add --db "$2" --email mgr@bench.example \
        --name 'Bench manager' --role manager --service cognus/enquiries --password-stdin >/dev/null
    start "$2"
    CHARTER_TOKEN=$("$charter" admin token --email admin@charter.local --db "$2")
    export CHARTER_TOKEN
    run "$1_audit_person_10m" person 1 "$people"
    run "$1_audit_user_10m" user 2 "$staff"
    CHARTER_TOKEN=$("$charter" admin token --email mgr@bench.example --db "$2")
    run "$1_audit_person_manager_10m" person 1 "$people"
    run "$1_audit_user_manager_10m" user 2 "$staff"
    stop
}

# The rows are chained by seq as the desk writes them, so the server's
# sweeps see the log it would have, not ten million rows from before the
# chain; their hashes are placeholders (nothing here runs verify), a fixed
# prefix and the row's seq, as SQL cannot hash.
fake=bench-chain-
# The people, cases, staff and audit rows: in each block of ten rows three
# are about one person and seven about cases, spread evenly over every
# person and case by multiplying the block by a prime. The dialects differ
# only in how they count: a recursive CTE on SQLite, generate_series on
# PostgreSQL.
fill_sql() { # fill_sql SERIES-OF-N-AS-i-FOR-people SERIES-FOR-cases SERIES-FOR-staff SERIES-FOR-rows HASH-PREFIX
    cat <<SQL
INSERT INTO people(id, name, email, created_at)
SELECT i, 'Bench person ' || i, 'p' || i || '@bench.example', 1735689600 FROM $1;
INSERT INTO cases(id, service, kind, channel, subject, status, received_at, deemed_at, flags,
                  version, next_due_at, created_at, updated_at, person_id)
SELECT i, 'cognus/enquiries', 'enquiry', 'email', 'Bench case ' || i, 'open', 1735689600,
       1735689600, '', 1, 1735689600 + 259200, 1735689600, 1735689600, 1 + (i - 1) % $people
FROM $2;
INSERT INTO users(id, email, name, role, created_at)
SELECT i, 'staff' || i || '@bench.example', 'Bench staff ' || i, 'officer', 1735689600 FROM $3;
INSERT INTO audit(seq, prev_hash, hash, at, user_id, action, object, object_id, remote)
SELECT i, '$5' || (i - 1), '$5' || i, 1735689600 + (i * 31536000) / $rows, 2 + (i * 31) % $staff,
       CASE WHEN i % 7 = 0 THEN 'update' ELSE 'read' END,
       CASE WHEN i % 10 < 3 THEN 'person' ELSE 'case' END,
       CASE WHEN i % 10 < 3 THEN 1 + (i / 10 * 7919) % $people
            ELSE 1 + ((i / 10 * 7 + i % 10) * 104729) % $cases END,
       '192.0.2.' || (i % 250)
FROM $4;
SQL
}

sqlite_bench() {
    # SQLite: the schema made by charter itself, then the audit indexes set
    # aside while the rows go in (a sort-built index is far quicker to make
    # than ten million random inserts) and made again from their own SQL.
    db=$tmp/audit.db
    start "$db"
    stop
    seq_sqlite() { echo "(WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) SELECT i FROM n)"; }
    t0=$(date +%s)
    # Read before the filling sqlite3 opens the file, not alongside it.
    indexes=$(sqlite3 "$db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit' AND sql IS NOT NULL")
    drops=$(sqlite3 "$db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit' AND sql IS NOT NULL")
    {
        echo ".bail on"
        echo "PRAGMA synchronous = OFF;"
        echo "$drops"
        echo "BEGIN;"
        fill_sql "$(seq_sqlite 1 $people)" "$(seq_sqlite 1 $cases)" "$(seq_sqlite 2 $((staff + 1)))" "$(seq_sqlite 1 $rows)" "$fake"
        echo "COMMIT;"
        echo "$indexes"
        echo "ANALYZE;"
    } | sqlite3 "$db"
    echo "sqlite_audit_fill_s: $(($(date +%s) - t0)) s"
    echo "sqlite_audit_rows: $(sqlite3 "$db" 'SELECT count(*) FROM audit') rows"
    queries sqlite "$db"
}

postgres_bench() {
    # PostgreSQL: the same, with generate_series.
    sh tests/pg/cluster.sh start "$tmp/pg"
    pg_url="$(cat "$tmp/pg/url")"
    pgdb="$pg_url?schema=bench"
    start "$pgdb"
    stop
    t0=$(date +%s)
    psql -qtA "$pg_url" -c "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = 'bench' AND tablename = 'audit' AND indexname <> 'audit_pkey'" >"$tmp/pg_indexes"
    drops=$(psql -qtA "$pg_url" -c "SELECT 'DROP INDEX bench.' || indexname || ';' FROM pg_indexes WHERE schemaname = 'bench' AND tablename = 'audit' AND indexname <> 'audit_pkey'")
    {
        echo "SET search_path TO bench;"
        echo "$drops"
        echo "BEGIN;"
        fill_sql "generate_series(1::bigint, $people) AS i" "generate_series(1::bigint, $cases) AS i" \
            "generate_series(2::bigint, $((staff + 1))) AS i" "generate_series(1::bigint, $rows) AS i" "$fake"
        echo "COMMIT;"
        echo "SELECT setval(pg_get_serial_sequence('bench.people', 'id'), $people);"
        echo "SELECT setval(pg_get_serial_sequence('bench.cases', 'id'), $cases);"
        echo "SELECT setval(pg_get_serial_sequence('bench.users', 'id'), $((staff + 1)));"
        echo "SET maintenance_work_mem = '256MB';"
        cat "$tmp/pg_indexes"
        echo "VACUUM ANALYZE;"
        # Written out now, not by the checkpointer in the middle of the
        # timings, where it would stall the commits of the readings' lines.
        echo "CHECKPOINT;"
    } | psql -q "$pg_url" -v ON_ERROR_STOP=1 >/dev/null
    echo "postgres_audit_fill_s: $(($(date +%s) - t0)) s"
    echo "postgres_audit_rows: $(psql -qtA "$pg_url" -c 'SELECT count(*) FROM bench.audit') rows"
    start "$pgdb"
    queries postgres "$pgdb"
}

for backend in ${AUDIT_BACKENDS:-sqlite postgres}; do
    "${backend}_bench"
done

# The machine's load while it ran: on a shared machine the tails are the
# neighbours' as much as the desk's.
echo "audit_load_average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "audit_query_10m_ms: $worst ms (worst p99 of those above, at $rows rows)"
