#!/bin/sh
# The audit log nobody can rewrite: real work through the API leaves a hash
# chain that `charter audit verify` finds whole (exit 0); then the database
# is edited behind the desk's back (the append-only triggers dropped) and
# verify names the row changed, the row removed and the pair reordered
# (exit 1), each time against a fresh copy of the untouched log.
. "$(dirname "$0")/lib.sh"
start_server
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"

# sql STATEMENTS: run against the desk's database, printing rows as a|b.
if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
    schema=${db##*schema=}
    sql() { psql -qtA "${db%%\?schema=*}" -v ON_ERROR_STOP=1 -c "SET search_path TO \"$schema\"; $1" 2>&1; }
    drop_triggers='DROP TRIGGER audit_no_change ON audit'
else
    sql() { sqlite3 "$db" "$1" 2>&1; }
    drop_triggers='DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete'
fi

# verify: runs charter audit verify; sets vrc and writes its output to $tmp/verify.
verify() {
    "$charter" audit verify --db "$db" >"$tmp/verify" 2>&1
    vrc=$?
}
expect_verify() { # expect_verify RC GREP-PATTERN WHAT
    checks=$((checks + 1))
    if [ "$vrc" != "$1" ] || ! grep -qE "$2" "$tmp/verify"; then
        failures=$((failures + 1))
        echo "FAIL: $3: expected exit $1 and /$2/, got exit $vrc:"
        cat "$tmp/verify"
    fi
}

# --- Real work: cases created, read, changed; a person; a relationship ---
case_body='{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"Chain"}'
for i in 1 2 3; do
    call POST /api/v1/cases "$case_body" -H "$A"
    expect_status 201 "case $i created"
done
id=$(json .id)
call GET "/api/v1/cases/$id" '' -H "$A"
expect_status 200 "a case read"
call POST /api/v1/people '{"name":"Robin Chain"}' -H "$A"
expect_status 201 "a person created"

# The console's changes are audited too, and link into the same chain
# while the server runs: a user added and a token made, from "cli".
echo 'a good long password' | "$charter" admin user add --db "$db" --email cli@cognus.example \
    --name "Console Made" --role officer --service cognus/enquiries --password-stdin >/dev/null
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'create' AND object = 'user' AND remote = 'cli' AND user_id IS NULL" | tail -n 1)" = 1 ] ||
    fail "charter admin user add leaves a create-user audit row from cli"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'create' AND object = 'token' AND remote = 'cli' AND object_id IS NOT NULL" | tail -n 1)" -ge 1 ] ||
    fail "charter admin token leaves a create-token audit row from cli"
call POST /api/v1/cases "$case_body" -H "$A"
expect_status 201 "the server appends after the console did"

verify
expect_verify 0 'chain is whole: [0-9]+ rows' "the untouched chain is whole"
rows=$(sql "SELECT count(*) FROM audit WHERE seq IS NOT NULL" | tail -n 1)
checks=$((checks + 1))
[ "$rows" -ge 5 ] || fail "expected at least 5 chained audit rows, found $rows"
grep -q "whole: $rows rows" "$tmp/verify" || fail "verify counts $rows rows: $(cat "$tmp/verify")"
# Every create names its new record: the last case's create row has its id.
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'create' AND object = 'case' AND object_id = $id" | tail -n 1)" = 1 ] ||
    fail "the create audit row names case $id"
# Contiguous from 1, each linked to the one before.
checks=$((checks + 1))
[ "$(sql "SELECT min(seq) || ' ' || max(seq) || ' ' || count(*) FROM audit WHERE seq IS NOT NULL" | tail -n 1)" = "1 $rows $rows" ] ||
    fail "the chain's seq runs 1..$rows without a gap"

# The triggers still refuse edits through SQL.
checks=$((checks + 1))
sql "UPDATE audit SET action = 'read' WHERE seq = 2" | grep -q 'append-only' ||
    fail "an UPDATE of the audit log is refused by the append-only trigger"
checks=$((checks + 1))
sql "DELETE FROM audit WHERE seq = 2" | grep -q 'append-only' ||
    fail "a DELETE from the audit log is refused by the append-only trigger"

# --- Both or neither: when the audit row cannot be written, the change is
# not made and the read is not served ---
if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
    sql "CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS
         \$\$BEGIN RAISE EXCEPTION 'refused for the test'; END\$\$;
         CREATE TRIGGER audit_refuse BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION audit_refuse()" >/dev/null
    unrefuse="DROP TRIGGER audit_refuse ON audit"
else
    sql "CREATE TRIGGER audit_refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'refused for the test'); END" >/dev/null
    unrefuse="DROP TRIGGER audit_refuse"
fi
cases_before=$(sql "SELECT count(*) FROM cases" | tail -n 1)
call POST /api/v1/cases "$case_body" -H "$A"
expect_status 500 "a case whose audit row cannot be written"
expect '.detail | contains("nothing was changed")' "says nothing was changed"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM cases" | tail -n 1)" = "$cases_before" ] ||
    fail "the case was stored although its audit row was not"
call GET "/api/v1/cases/$id" '' -H "$A"
expect_status 500 "a read whose audit row cannot be written is not served"
sql "$unrefuse" >/dev/null
call POST /api/v1/cases "$case_body" -H "$A"
expect_status 201 "cases are created again once the audit log takes rows"

stop_server
# A copy of the untouched log to restore between tamperings.
sql "CREATE TABLE audit_orig AS SELECT * FROM audit" >/dev/null
sql "$drop_triggers" >/dev/null
restore() {
    sql "DELETE FROM audit; INSERT INTO audit SELECT * FROM audit_orig" >/dev/null
}
id_at() { sql "SELECT id FROM audit WHERE seq = $1" | tail -n 1; }

# --- One row edited ---
third=$(id_at 3)
sql "UPDATE audit SET remote = '203.0.113.9' WHERE seq = 3" >/dev/null
verify
expect_verify 1 "row $third \\(seq 3\\) was changed" "an edited row is named as changed"

# The hash recomputed by hand breaks the next row's link instead.
restore
verify
expect_verify 0 'chain is whole' "the restored copy is whole again"
sql "UPDATE audit SET user_id = NULL WHERE seq = 2" >/dev/null
verify
expect_verify 1 "row $(id_at 2) \\(seq 2\\) was changed" "a row whose user was blanked is named"

# --- One row deleted ---
restore
sql "DELETE FROM audit WHERE seq = 3" >/dev/null
verify
expect_verify 1 "seq 3 was removed" "a deleted row is named as removed"

# --- Two rows swapped (every column but the id) ---
restore
second=$(id_at 2) fourth=$(id_at 4)
cols="at, user_id, action, object, object_id, remote, seq, prev_hash, hash"
sql "DELETE FROM audit WHERE id IN ($second, $fourth);
     INSERT INTO audit(id, $cols) SELECT $second, $cols FROM audit_orig WHERE id = $fourth;
     INSERT INTO audit(id, $cols) SELECT $fourth, $cols FROM audit_orig WHERE id = $second" >/dev/null
verify
expect_verify 1 "row $fourth \\(seq 2\\) was reordered" "a swapped pair is named as reordered"

# --- A row's place cleared, so it passes for one from before the chain ---
restore
sql "UPDATE audit SET seq = NULL WHERE seq = (SELECT max(seq) FROM audit_orig)" >/dev/null
verify
expect_verify 1 "was changed" "a row stripped of its seq is named"

restore
verify
expect_verify 0 'chain is whole' "the restored log is whole"

# --- The newest row cut off: whole on its own, caught by the recorded hash ---
recorded=$(sed -n 's/.*--recorded \([0-9]*:[0-9a-f]*\)).*/\1/p' "$tmp/verify")
checks=$((checks + 1))
[ -n "$recorded" ] || fail "verify prints the seq and hash to record: $(cat "$tmp/verify")"
"$charter" audit verify --db "$db" --recorded "$recorded" >"$tmp/verify" 2>&1
vrc=$?
expect_verify 0 'chain is whole' "the chain still holds the recorded row"
sql "DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit_orig)" >/dev/null
verify
expect_verify 0 'chain is whole' "a chain cut at its end is whole on its own"
"$charter" audit verify --db "$db" --recorded "$recorded" >"$tmp/verify" 2>&1
vrc=$?
expect_verify 1 "removed from the end.*seq ${recorded%%:*} was recorded" "the recorded row shows the cut"
restore
"$charter" audit verify --db "$db" --recorded "${recorded%%:*}:$(printf '%064d' 0)" >"$tmp/verify" 2>&1
vrc=$?
expect_verify 1 "row [0-9]+ \\(seq ${recorded%%:*}\\) was changed.*rewritten" "another hash at the recorded seq"
"$charter" audit verify --db "$db" --recorded "12:XYZ" >"$tmp/verify" 2>&1
vrc=$?
expect_verify 2 'SEQ:HASH' "a malformed --recorded is a usage error"

# --- Usage ---
"$charter" audit verify --db "$tmp/nowhere/x.db" >"$tmp/verify" 2>&1
vrc=$?
expect_verify 2 'no database|folder' "a desk that is not there is a usage error"
"$charter" audit verify --bogus >"$tmp/verify" 2>&1
vrc=$?
expect_verify 2 'bogus' "an unknown option is a usage error"
"$charter" audit verify --help >"$tmp/verify" 2>&1
vrc=$?
expect_verify 0 'hash chain' "--help explains the chain"
finish
