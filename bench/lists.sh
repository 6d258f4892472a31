#!/bin/sh
# Reading the desk at a large council's scale: 1,000,000 cases (a fifth
# open), 200 officers, 200,000 people and every case in the search index,
# on SQLite and on a throwaway PostgreSQL. Each list, filter, queue and
# search an officer uses is read by wrk on one connection; prints
# `name: value unit` lines, each name led by its backend.
set -eu
charter=${1:-build/charter}
secs=${BENCH_SECONDS:-5}
cases=${BENCH_CASES:-1000000}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    sh tests/pg/cluster.sh stop "$tmp/pg" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM
. bench/wrk.sh

# The load, in either dialect: $1 is how a table of the numbers 1..N is
# written, with @N@ in place of the count.
load_sql() {
    series() { echo "$1" | sed "s/@N@/$2/"; }
    cat <<SQL
CREATE TEMP TABLE svc(k INTEGER PRIMARY KEY, name TEXT NOT NULL);
$(sed 's/.*/INSERT INTO svc(k, name) VALUES((SELECT count(*) FROM svc), '"'&'"');/' "$tmp/services")
INSERT INTO users(email, name, role, created_at)
SELECT 'officer' || g.i || '@bench.example', 'Officer ' || g.i, 'officer', 0 FROM $(series "$1" 200);
CREATE TEMP TABLE fn(k INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TEMP TABLE sn(k INTEGER PRIMARY KEY, name TEXT NOT NULL);
$(i=0; for n in Amara Ben Chloe Dev Ella Femi Grace Harry Isla Jack Kofi Layla Mo Nia Oscar Priya Ravi Sara Tom Zara; do
    echo "INSERT INTO fn VALUES($i, '$n');"; i=$((i + 1)); done)
$(i=0; for n in Smith Jones Okafor Nowak Khan Evans Patel Brown Taylor Wilson Davies Murphy Ali Chen \
    Clarke Walker Wright Hughes Green Hall Lewis Wood Harris Martin Jackson Thompson White Ahmed \
    Kaur Begum Singh Hussain Mensah Kowalski Silva Rossi Byrne Reid Price Bell; do
    echo "INSERT INTO sn VALUES($i, '$n');"; i=$((i + 1)); done)
INSERT INTO people(name, email, created_at)
SELECT f.name || ' ' || s.name, lower(f.name || '.' || s.name) || g.i || '@home.example', 0
FROM $(series "$1" 200000), fn f, sn s WHERE f.k = g.i % 20 AND s.k = (g.i / 20) % 40;
INSERT INTO cases(service, kind, channel, subject, status, received_at, deemed_at, requester_name,
                  requester_email, officer_id, person_id, flags, version, next_due_at,
                  created_at, updated_at)
SELECT (SELECT name FROM svc WHERE k = (g.i * 7919) % (SELECT count(*) FROM svc)),
       CASE WHEN g.i % 20 < 12 THEN 'enquiry' WHEN g.i % 20 < 15 THEN 'service-order'
            WHEN g.i % 20 < 17 THEN 'complaint' WHEN g.i % 20 = 17 THEN 'feedback'
            WHEN g.i % 20 = 18 THEN 'foi' ELSE 'sar' END,
       'email',
       (CASE g.i % 4 WHEN 0 THEN 'School transport for pupil ' WHEN 1 THEN 'EHCP assessment for '
        WHEN 2 THEN 'Admission appeal for ' ELSE 'Attendance concern about ' END) || g.i,
       CASE WHEN g.i % 100 < 75 THEN 'closed' WHEN g.i % 100 < 95 THEN 'open' ELSE 'paused' END,
       1735725600 + g.i * 30, 1735725600 + g.i * 30,
       'Parent ' || (g.i % 200000 + 1), 'parent' || (g.i % 200000 + 1) || '@home.example',
       CASE WHEN g.i % 5 = 0 THEN NULL ELSE (SELECT min(id) FROM users) + g.i % 200 END,
       (SELECT min(id) FROM people) + g.i % 200000, '', 1,
       CASE WHEN g.i % 100 < 75 THEN 253402300799 ELSE 1735725600 + g.i * 30 + 259200 END,
       1735725600 + g.i * 30, 1735725600 + g.i * 30
FROM $(series "$1" "$cases");
SQL
}

sqlite_series="(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @N@)
 SELECT i FROM n) AS g"
pg_series="generate_series(1::bigint, @N@) AS g(i)"

# The officer and manager who read the lists as staff do: the officer sees
# one service, the manager every service.
staff_sql() {
    cat <<SQL
INSERT INTO users(email, name, role, created_at) VALUES
 ('one.service@bench.example', 'One Service', 'officer', 0),
 ('all.services@bench.example', 'All Services', 'manager', 0);
INSERT INTO user_services(user_id, service)
 SELECT id, 'cognus/school-transport' FROM users WHERE email = 'one.service@bench.example';
INSERT INTO user_services(user_id, service)
 SELECT u.id, s.name FROM users u, svc s WHERE u.email = 'all.services@bench.example';
SQL
}

# read_as NAME TOKEN PATH [CONNECTIONS]: wrk on one connection, so the
# figures are each request's own time, not time spent queued behind others.
read_as() {
    CHARTER_TOKEN=$2
    export CHARTER_TOKEN
    run "$1" "${4:-1}" read.lua "$3"
}

# lists NAME DB SQL-COMMAND
lists() {
    name=$1 db=$2 sql=$3
    start "$db"
    admin=$("$charter" admin token --email admin@charter.local --db "$db")
    one=$("$charter" admin token --email one.service@bench.example --db "$db")
    all=$("$charter" admin token --email all.services@bench.example --db "$db")
    officer=$($sql "SELECT id FROM users WHERE email = 'officer42@bench.example'")
    echo "${name}_cases: $(curl -s -H "Authorization: Bearer $admin" \
        "$base/api/v1/cases?limit=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p') cases"
    read_as "${name}_list_open" "$admin" "/api/v1/cases?status=open&limit=20"
    read_as "${name}_list_open_16conn" "$admin" "/api/v1/cases?status=open&limit=20" 16
    read_as "${name}_list_service_open" "$admin" \
        "/api/v1/cases?service=cognus/enquiries&status=open&limit=20"
    read_as "${name}_list_officer_any" "$admin" "/api/v1/cases?officer_id=${officer:-1}&limit=20"
    read_as "${name}_list_unassigned_open" "$admin" "/api/v1/cases?officer_id=none&status=open&limit=20"
    read_as "${name}_list_kind_paused" "$admin" "/api/v1/cases?kind=sar&status=paused&limit=20"
    read_as "${name}_list_page_50" "$admin" "/api/v1/cases?status=open&limit=20&offset=1000"
    read_as "${name}_list_officer_one_service" "$one" "/api/v1/cases?status=open&limit=20"
    read_as "${name}_list_manager_all" "$all" "/api/v1/cases?limit=20"
    read_as "${name}_queue_overdue" "$admin" "/api/v1/queues/overdue?limit=50"
    read_as "${name}_queue_unassigned" "$all" "/api/v1/queues/unassigned?limit=50"
    read_as "${name}_people_list" "$admin" "/api/v1/people?limit=20"
    # A first name and surname 250 people share, and a surname 5,000 have.
    read_as "${name}_people_find" "$admin" "/api/v1/people?q=amara+okafor&limit=20"
    read_as "${name}_people_find_common" "$admin" "/api/v1/people?q=okafor&limit=20"
    read_as "${name}_search_word" "$admin" "/api/v1/search?q=transport+4242&limit=20"
    read_as "${name}_search_prefix" "$admin" "/api/v1/search?q=ehc+12345&limit=20"
    read_as "${name}_search_reference" "$admin" "/api/v1/search?q=%23777777&limit=20"
    echo "${name}_server_rss_mb: $(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$pid/status) MB"
    if [ "$name" = sqlite ]; then mix "$admin" "$sql" "${officer:-1}"; fi
    stop
}

# mix TOKEN SQL-COMMAND OFFICER: a working day at 64 connections, as
# bench/mix.lua spreads it (80% reads, 15% contacts, 5% new cases), then
# the server's memory after it and at its peak.
mix() {
    MIX_LO=$($2 "SELECT min(id) FROM cases")
    MIX_CASES=$cases
    MIX_OFFICER=$3
    export MIX_LO MIX_CASES MIX_OFFICER
    CHARTER_TOKEN=$1
    export CHARTER_TOKEN
    run "${name}_mix_64conn" 64 mix.lua /
    echo "${name}_mix_64conn_writes: $($2 "SELECT count(*) FROM cases WHERE subject = 'Working-day enquiry'") cases, $($2 "SELECT count(*) FROM contacts WHERE summary = 'Rang to ask how the request is going.'") contacts"
    echo "${name}_server_rss_after_mix_mb: $(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$pid/status) MB"
    echo "${name}_server_peak_rss_mb: $(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' /proc/$pid/status) MB"
}

# The services the desk runs, as the API names them.
start "$tmp/list.db"
token=$("$charter" admin token --email admin@charter.local --db "$tmp/list.db")
curl -s -H "Authorization: Bearer $token" "$base/api/v1/services" |
    grep -o '"service":"[^"]*"' | cut -d'"' -f4 >"$tmp/services"
stop

backends=${BENCH_BACKENDS:-sqlite postgres}
case " $backends " in *" sqlite "*)
t0=$(date +%s)
{
    echo "BEGIN;"
    load_sql "$sqlite_series"
    staff_sql
    echo "INSERT INTO search(case_id, body) SELECT id, subject || char(10) || requester_name
 FROM cases;"
    echo "COMMIT;"
} | sqlite3 "$tmp/list.db"
echo "sqlite_load_s: $(($(date +%s) - t0)) s"
[ -z "${BENCH_KEEP:-}" ] || cp "$tmp/list.db" "$BENCH_KEEP" # to look into afterwards
sqlite_sql() { sqlite3 "$tmp/list.db" "$1"; }
lists sqlite "$tmp/list.db" sqlite_sql
;; esac
case " $backends " in *" postgres "*) ;; *) exit 0 ;; esac

if [ -n "${BENCH_PG_URL:-}" ]; then # a cluster of your own, left as loaded
    pg_url=$BENCH_PG_URL
else
    sh tests/pg/cluster.sh start "$tmp/pg"
    pg_url="$(cat "$tmp/pg/url")"
fi
start "$pg_url?schema=lists"
stop
t0=$(date +%s)
{
    echo "SET search_path TO lists;"
    echo "BEGIN;"
    # As charter migrate does: the counts are made once, after the load.
    echo "ALTER TABLE cases DISABLE TRIGGER case_counts_write;"
    load_sql "$pg_series"
    staff_sql
    echo "INSERT INTO search(case_id, body) SELECT id, to_tsvector('simple', subject || ' '
 || requester_name) FROM cases;"
    echo "DELETE FROM case_counts;"
    echo "INSERT INTO case_counts SELECT service, kind, status, coalesce(officer_id, 0), id % 8,
 count(*) FROM cases GROUP BY 1, 2, 3, 4, 5;"
    echo "ALTER TABLE cases ENABLE TRIGGER case_counts_write;"
    echo "COMMIT;"
    echo "VACUUM ANALYZE;" # as after any bulk load: the counts' old row versions go
} | psql -q "$pg_url" -v ON_ERROR_STOP=1 >/dev/null
echo "postgres_load_s: $(($(date +%s) - t0)) s"
pg_sql() { psql -qtA "$pg_url" -c "SET search_path TO lists" -c "$1"; }
lists postgres "$pg_url?schema=lists" pg_sql
