#!/bin/sh
# A full disk and a failing disk under a running desk (SQLite): the server
# runs with tests/fault/inject.c preloaded, which fails its database
# writes with ENOSPC or EIO while a control file says so. A write is then
# refused 503 with a sentence that names the disk and says what to do; a
# read of a record, which must be recorded in the access log, is refused
# the same way; lists and the queue are still served; nothing of a refused
# write is visible afterwards; and once the fault clears the same process
# saves again, with the database and the audit chain whole.
# Usage: faults.sh CHARTER FAULT_LIBRARY
. "$(dirname "$0")/lib.sh"
lib=$2
[ -f "$lib" ] || { echo "FAIL: no fault library at $lib"; exit 1; }
real=$charter
cat >"$tmp/charter-faulty" <<EOF
#!/bin/sh
CHARTER_FAULT_CONTROL=$tmp/fault CHARTER_FAULT_PREFIX=$db LD_PRELOAD=$lib exec "$real" "\$@"
EOF
chmod +x "$tmp/charter-faulty"
charter=$tmp/charter-faulty
start_server
charter=$real
token=$("$charter" admin token --email admin@charter.local --db "$db")
auth="Authorization: Bearer $token"
new_case='{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"Fault test"}'

call POST /api/v1/cases "$new_case" -H "$auth"
expect_status 201 "a case is saved while the disk is well"
id=$(json .id)
call GET /api/v1/cases '' -H "$auth"
before=$(json .total)

for fault in ENOSPC EIO EIO-SYNC; do
    echo "$fault" >"$tmp/fault"
    case $fault in
    ENOSPC) says='is full' ;;
    EIO) says='reported an error' ;;
    *) says='failed to confirm the change was written' ;;
    esac
    curl -s -D "$tmp/head" -o "$tmp/body" -X POST -H "$auth" -H 'Content-Type: application/json' \
        --data-binary "$new_case" "$base/api/v1/cases" >/dev/null
    status=$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$tmp/head")
    expect_status 503 "$fault: a new case is refused"
    expect ".detail | test(\"disk that holds the desk.s database $says\") and test(\"administrator\")" \
        "$fault: the refusal names the disk and who can fix it"
    checks=$((checks + 1))
    grep -qi '^Retry-After: 60' "$tmp/head" || fail "$fault: the 503 says when to try again (Retry-After)"

    call PATCH "/api/v1/cases/$id" '{"note":"Written while the disk failed"}' -H "$auth" -H 'If-Match: "1"'
    expect_status 503 "$fault: a change to a case is refused"

    # Reads that need no access record go on; opening one record, which
    # the access log must record, is refused rather than served unrecorded.
    call GET /api/v1/cases '' -H "$auth"
    expect_status 200 "$fault: the case list is still served"
    expect ".total == $before" "$fault: the list shows nothing of the refused writes"
    call GET '/api/v1/search?q=Fault' '' -H "$auth"
    expect_status 200 "$fault: search is still served"
    call GET "/api/v1/cases/$id" '' -H "$auth"
    expect_status 503 "$fault: opening a case cannot be recorded, so it is not shown"
    expect '.detail | test("records this in its audit log")' "$fault: the refusal says why the record is not shown"

    rm -f "$tmp/fault"
    call GET "/api/v1/cases/$id" '' -H "$auth"
    expect_status 200 "$fault cleared: the case opens again"
    expect '.version == 1 and .subject == "Fault test"' "$fault cleared: the refused change left no trace"
    call POST /api/v1/cases "$new_case" -H "$auth"
    expect_status 201 "$fault cleared: the same server saves again"
    call GET /api/v1/cases '' -H "$auth"
    before=$((before + 1))
    expect ".total == $before" "$fault cleared: exactly the one new case was added"
done

checks=$((checks + 1))
grep -q 'disk that holds' "$tmp/serve.err" || fail "the server's log names the disk fault for the administrator"
stop_server
checks=$((checks + 1))
verdict=$(sqlite3 "$db" 'PRAGMA integrity_check')
[ "$verdict" = ok ] || fail "the database is not sound after the faults: $verdict"
checks=$((checks + 1))
"$charter" audit verify --db "$db" >"$tmp/verify" 2>&1 || fail "the audit chain is not whole after the faults: $(cat "$tmp/verify")"
finish
