#!/bin/sh
# HTTP benchmark of the case desk on loopback (wrk): durable case creations
# per second and latency with 1 and 16 connections, queue page reads with
# 100,000 open cases, the server's resident memory, and the disk's own
# fdatasync rate beside them. Prints `name: value unit` lines.
set -eu
charter=${1:-build/charter}
fsync_bench=${2:-build/bench_fsync}
secs=${BENCH_SECONDS:-5}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT

"$fsync_bench" "$tmp"

start() {
    "$charter" serve --db "$tmp/bench.db" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    base=
    for _ in $(seq 1 100); do
        base=$(sed -n 's|^Charter is listening on \(http[^ ]*\)/$|\1|p' "$tmp/out")
        [ -n "$base" ] && return 0
        sleep 0.05
    done
    echo "bench: the server did not start" >&2
    cat "$tmp/err" >&2
    exit 1
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

start
export CHARTER_TOKEN=$("$charter" admin token --email admin@charter.local --db "$tmp/bench.db")
run create_1conn 1 create.lua /api/v1/cases
run create_16conn 16 create.lua /api/v1/cases

# 100,000 open cases with their obligations, written straight into the
# database between runs (the server is stopped meanwhile).
kill "$pid"
wait "$pid" 2>/dev/null || true
sqlite3 "$tmp/bench.db" <<'SQL'
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO cases(service, kind, channel, subject, status, received_at, deemed_at, flags,
                  version, next_due_at, created_at, updated_at)
SELECT 'cognus/enquiries', 'enquiry', 'email', 'Bulk case ' || i, 'open',
       1735725600 + i * 600, 1735725600 + i * 600, '', 1, 1735725600 + i * 600 + 259200,
       1763800000, 1763800000 FROM n;
INSERT INTO obligations(case_id, promise, kind, text, due_at, state)
SELECT id, 'written-reply', 'respond', 'We reply within 3 working days.', next_due_at, 'pending'
FROM cases WHERE subject LIKE 'Bulk case %';
COMMIT;
SQL
start
open_cases=$(sqlite3 "$tmp/bench.db" "SELECT count(*) FROM cases WHERE status = 'open'")
echo "open_cases: $open_cases cases"
run queue_read 16 read.lua "/api/v1/queues/overdue?limit=50"
run queue_read_1conn 1 read.lua "/api/v1/queues/overdue?limit=50"
echo "server_rss_mb: $(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$pid/status) MB"
