#!/bin/sh
# The themes report over 100,000 themed cases on SQLite: a year of SENDIASS
# cases spread over four quarters, seven themes, four channels and three
# outcomes, timed end to end over loopback (the median of several runs).
# Prints `themes_report_ms: value ms`.
set -eu
charter=${1:-build/charter}
cases=${BENCH_THEMED_CASES:-100000}
runs=${BENCH_RUNS:-7}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

. bench/wrk.sh

# The schema comes from the server itself; the cases go in directly.
start "$tmp/bench.db"
stop
sqlite3 "$tmp/bench.db" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $cases)
INSERT INTO cases(service, kind, channel, subject, status, received_at, deemed_at, flags,
                  version, next_due_at, created_at, updated_at)
SELECT 'sendiass/enquiries', 'enquiry',
       CASE i % 4 WHEN 0 THEN 'email' WHEN 1 THEN 'phone' WHEN 2 THEN 'web' ELSE 'letter' END,
       'Bulk case ' || i, CASE WHEN i % 3 = 0 THEN 'open' ELSE 'closed' END,
       1735725600 + (i * 31536000 / $cases), 1735725600 + (i * 31536000 / $cases), '', 1,
       NULL, 1763800000, 1763800000 FROM n;
INSERT INTO obligations(case_id, promise, kind, text, due_at, state, met_at)
SELECT id, 'enquiry-reply', 'respond', 'We reply within 5 working days.', received_at + 432000,
       'met', received_at + CASE WHEN id % 5 = 0 THEN 500000 ELSE 86400 END FROM cases;
INSERT INTO case_themes(case_id, theme, position)
SELECT id, CASE id % 7 WHEN 0 THEN 'ehcp-assessment' WHEN 1 THEN 'ehcp-annual-review'
       WHEN 2 THEN 'school-transport' WHEN 3 THEN 'exclusion' WHEN 4 THEN 'sen-support'
       WHEN 5 THEN 'tribunal' ELSE 'school-placement' END, 0 FROM cases;
COMMIT;
ANALYZE;
SQL
start "$tmp/bench.db"
token=$("$charter" admin token --email admin@charter.local --db "$tmp/bench.db")
url="$base/api/v1/reports/themes?from=2025-Q1&to=2025-Q4"
# One run to warm the caches, then the timed ones.
curl -sf -o "$tmp/report.json" -H "Authorization: Bearer $token" "$url"
rows=$(jq '.rows | length' "$tmp/report.json")
[ "$rows" -gt 0 ] || { echo "bench: the themes report came back empty" >&2; exit 1; }
for _ in $(seq 1 "$runs"); do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$url"
done | sort -n | awk '{ t[NR] = $1 } END { printf "themes_report_ms: %.1f ms\n", t[int((NR + 1) / 2)] * 1000 }'
stop
