#!/bin/sh
# Erasure of a person: administrators only, with a reason, refused while a
# legal hold stands (on the person or a case about them). Afterwards the
# person is found by no search, their cases are kept anonymised (no
# subject, requester or contact text), their relationships, consents and
# files are gone, the audit says an erasure happened and by whom, and
# neither the SQLite file after VACUUM nor any PostgreSQL row holds their
# name, email or a phrase from their contacts. Someone else's case stays.
. "$(dirname "$0")/lib.sh"
start_server
add() { # add EMAIL ROLE SERVICE -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$1" \
        --role "$2" ${3:+--service "$3"} --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
officer=$(add officer@cognus.example officer cognus/enquiries)
manager=$(add manager@cognus.example manager cognus/enquiries)
admin=$(add dpo@cognus.example admin)
A="Authorization: Bearer $officer"
M="Authorization: Bearer $manager"
D="Authorization: Bearer $admin"

name="Zebediah Quillfeather"
email="zq.erasure@example.org"
phrase="marmalade hovercraft"
new_case() { # new_case SUBJECT NAME EMAIL NOTE -> sets case_id, person_id
    call POST /api/v1/cases "{\"service\":\"cognus/enquiries\",\"channel\":\"email\",\"received_at\":\"2026-01-05T10:00\",\"subject\":\"$1\",\"requester\":{\"name\":\"$2\",\"email\":\"$3\"}}" -H "$A"
    expect_status 201 "a case for $2"
    case_id=$(json .id)
    person_id=$(json .person_id)
    call POST "/api/v1/cases/$case_id/contacts" "{\"direction\":\"inbound\",\"channel\":\"phone\",\"who\":\"$2\",\"summary\":\"$4\"}" -H "$A"
    expect_status 201 "a contact on case $case_id"
}
new_case "Transport for Quillfeather" "$name" "$email" "Told us about the $phrase at school"
case1=$case_id
person=$person_id
new_case "EHCP review" "$name" "$email" "Second call: $phrase again"
case2=$case_id
new_case "Olive's annual review" "Olive Untouched" olive@example.org "Olive's own words"
other_case=$case_id
other=$person_id
call POST "/api/v1/people/$person/relationships" "{\"kind\":\"parent\",\"other_id\":$other,\"note\":\"Quillfeather's mother\"}" -H "$A"
expect_status 201 "a relationship"
call POST "/api/v1/people/$person/consents" "{\"grantee_id\":$other,\"scope\":\"all\",\"evidence\":\"Quillfeather signed letter\",\"given_on\":\"2026-11-01\"}" -H "$A"
expect_status 201 "a consent"
printf 'Quillfeather medical letter: %s\n' "$phrase" >"$tmp/letter.txt"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain; charset=utf-8' \
    --data-binary @"$tmp/letter.txt" "$base/api/v1/people/$person/attachments?filename=Quillfeather.txt")
expect_status 201 "a file on the person"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: text/plain; charset=utf-8' \
    --data-binary @"$tmp/letter.txt" "$base/api/v1/cases/$case1/attachments?filename=Quillfeather-case.txt")
expect_status 201 "a file on their case"
call GET "/api/v1/search?q=Quillfeather" "" -H "$A"
expect "[.cases[].id] | sort == ([$case1, $case2] | sort)" "before: search finds both cases"

# --- who may, and the error paths ---
call POST "/api/v1/people/$person/erase" '{"reason":"Erasure request"}' -H "$A"
expect_status 403 "an officer cannot erase"
call POST "/api/v1/people/$person/erase" '{"reason":"Erasure request"}' -H "$M"
expect_status 403 "a manager cannot erase"
expect '.detail | test("administrator")' "the refusal says who can"
call POST "/api/v1/people/999999/erase" '{"reason":"Erasure request"}' -H "$D"
expect_status 404 "erasing an unknown person"
call POST "/api/v1/people/$person/erase" '{"reason":' -H "$D"
expect_status 400 "bad JSON"
call POST "/api/v1/people/$person/erase" '{"reason":"x","everything":true}' -H "$D"
expect_status 400 "an unknown member"
expect '.fields | index("everything") != null' "the unknown member is named"
call POST "/api/v1/people/$person/erase" '{}' -H "$D"
expect_status 400 "no reason"
call PUT "/api/v1/people/$person/hold" '{"reason":"   "}' -H "$M"
expect_status 400 "a hold's reason of spaces says nothing"
expect '.fields | index("reason") != null' "the fault names reason"

# --- a hold on the person, then on one of their cases, refuses it ---
call PUT "/api/v1/people/$person/hold" '{"reason":"Ombudsman complaint 77"}' -H "$M"
expect_status 200 "a hold on the person"
call POST "/api/v1/people/$person/erase" '{"reason":"Erasure request"}' -H "$D"
expect_status 409 "erasing a held person"
expect '.detail | test("legal hold") and test("Ombudsman complaint 77") and test("released")' "the refusal names the hold and what to do"
call DELETE "/api/v1/people/$person/hold" "" -H "$M"
expect_status 200 "the person's hold released"
call PUT "/api/v1/cases/$case2/hold" '{"reason":"Tribunal bundle"}' -H "$M"
call POST "/api/v1/people/$person/erase" '{"reason":"Erasure request"}' -H "$D"
expect_status 409 "erasing a person with a held case"
expect ".detail | test(\"[Cc]ase $case2 \") and test(\"Tribunal bundle\")" "the refusal names the held case"
call DELETE "/api/v1/cases/$case2/hold" "" -H "$M"
expect_status 200 "the case's hold released"
call GET "/api/v1/cases/$case1" "" -H "$A"
expect ".subject == \"Transport for Quillfeather\"" "a refused erasure changed nothing"

# --- the erasure ---
call POST "/api/v1/people/$person/erase" '{"reason":"Erasure request of 2026-11-30"}' -H "$D"
expect_status 200 "an administrator erases the person"
case "$db" in
postgres*) ;;
*)
    # The WAL is emptied at once, so the pages as they were before the
    # erasure are not left in the -wal file while the server runs.
    for word in Quillfeather "$email"; do
        checks=$((checks + 1))
        [ ! -e "$db-wal" ] || [ "$(grep -c -a -i -- "$word" "$db-wal")" -eq 0 ] ||
            fail "the WAL still holds '$word' after the erasure"
    done
    ;;
esac
expect ".person_id == $person and .cases_anonymised == 2" "both cases anonymised"
call POST "/api/v1/people/$person/erase" '{"reason":"again"}' -H "$D"
expect_status 409 "erasing twice"
expect '.detail | test("already erased")' "says it was already erased"
call PATCH "/api/v1/people/$person" '{"name":"Quillfeather Again","email":"back@example.org"}' -H "$A"
expect_status 409 "an erased record is not filled in again"
expect '.detail | test("erased on") and test("new person")' "says what to do instead"
call GET "/api/v1/search?q=Again" "" -H "$A"
expect '.cases == []' "and nothing of the refused change was kept"
call GET "/api/v1/search?q=Quillfeather" "" -H "$A"
expect '.cases == []' "search finds no case by the name"
call GET "/api/v1/search?q=marmalade" "" -H "$A"
expect '.cases == []' "nor by a phrase of their contacts"
call GET "/api/v1/people?q=Quillfeather" "" -H "$A"
expect '.total == 0' "the people search does not find them"
call GET "/api/v1/people?q=zq.erasure" "" -H "$A"
expect '.total == 0' "nor by their email"
for c in $case1 $case2; do
    call GET "/api/v1/cases/$c" "" -H "$A"
    expect_status 200 "case $c is kept"
    expect '.subject == "Anonymised case" and .requester.name == null and .requester.email == null' "case $c has no subject or requester"
    expect '[.contacts[] | select(.who != null or .summary != null)] == []' "case $c's contacts hold no names or text"
done
call GET "/api/v1/people/$person" "" -H "$D"
expect '.name == "Erased person" and .email == null' "the person row keeps no name or email"
expect '(.erased_at | type) == "string"' "and says when it was erased"
call GET "/api/v1/people/$other" "" -H "$D"
expect '.erased_at == null' "a person never erased says so too"
call GET "/api/v1/search?q=Olive" "" -H "$A"
expect "[.cases[].id] == [$other_case]" "someone else's case is untouched"
call GET "/api/v1/cases/$other_case" "" -H "$A"
expect '.contacts[-1].summary == "Olive'"'"'s own words"' "with its contacts"

# --- nothing left in the store's bytes ---
stop_server
case "$db" in
postgres*)
    url=$(cat "$CHARTER_TEST_PG_URL_FILE")
    schema=${db##*schema=}
    pg_dump --data-only --schema="$schema" "$url" >"$tmp/dump.sql" 2>"$tmp/err"
    checks=$((checks + 1))
    grep -q "Olive Untouched" "$tmp/dump.sql" || fail "the dump should hold the other person: $(head -c 300 "$tmp/err")"
    for word in Quillfeather "$email" "$phrase"; do
        checks=$((checks + 1))
        n=$(grep -c -i -- "$word" "$tmp/dump.sql")
        [ "$n" -eq 0 ] || fail "$n rows of the PostgreSQL dump still hold '$word': $(grep -i -- "$word" "$tmp/dump.sql" | head -3)"
    done
    n=$(psql -At "$url" -c "SELECT count(*) FROM \"$schema\".audit WHERE action = 'erase' AND object = 'person' AND object_id = $person")
    checks=$((checks + 1))
    [ "$n" = 1 ] || fail "the audit should record one erasure (got $n)"
    ;;
*)
    # secure_delete zeroes what the erasure freed, so even before VACUUM
    # (the server checkpointed its WAL on stopping) none of it is there.
    for word in Quillfeather "$email" "$phrase"; do
        checks=$((checks + 1))
        n=$(grep -c -a -i -- "$word" "$db")
        [ "$n" -eq 0 ] || fail "before VACUUM the SQLite file still holds '$word' ($n lines)"
    done
    sqlite3 "$db" 'VACUUM' || fail "VACUUM failed"
    checks=$((checks + 1))
    [ -e "$db-wal" ] && [ -s "$db-wal" ] && fail "a WAL file is left after the server stopped and VACUUM ran"
    checks=$((checks + 1))
    [ "$(grep -c -a 'Olive Untouched' "$db")" -gt 0 ] || fail "the file should hold the other person's name"
    for word in Quillfeather "$email" "$phrase"; do
        checks=$((checks + 1))
        n=$(grep -c -a -i -- "$word" "$db")
        [ "$n" -eq 0 ] || fail "the SQLite file still holds '$word' ($n lines)"
    done
    n=$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action = 'erase' AND object = 'person' AND object_id = $person")
    checks=$((checks + 1))
    [ "$n" = 1 ] || fail "the audit should record one erasure (got $n)"
    ;;
esac
start_server
finish
