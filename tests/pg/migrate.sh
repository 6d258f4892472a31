#!/bin/sh
# charter migrate: a desk built on SQLite through the API moves to
# PostgreSQL whole (the same token still works, cases, contacts, audit and
# search are there, purchased hours too, new ids continue after the old),
# and a second migrate
# into the same desk is refused.
charter=$1
. "$(dirname "$0")/../api/lib.sh"
[ -n "${CHARTER_TEST_PG_URL_FILE:-}" ] || { echo "FAIL: migrate needs PostgreSQL"; exit 1; }
pg_db=$db
db=$tmp/charter.db
start_server
token=$("$charter" admin token --email admin@charter.local --db "$db")
A="Authorization: Bearer $token"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"letter","received_at":"2025-12-19T10:00","subject":"Moving house","requester":{"name":"A Parent","email":"parent@example.org"}}' -H "$A"
id=$(json .id)
call POST "/api/v1/cases/$id/contacts" '{"direction":"outbound","channel":"email","at":"2025-12-22T10:00:00Z","summary":"Replied about the new address","meets":["respond"]}' -H "$A"
# A person's needs and a file (every byte value, NUL included) come too.
person=$(json .person_id)
call PATCH "/api/v1/people/$person" '{"needs":{"preferred_channel":"letter","avoid_channels":["phone"]}}' -H "$A"
expect_status 200 "needs recorded before the move"
printf '\211PNG\r\n\032\n\000\001\377 a photo of a note' >"$tmp/note.png"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H "$A" -H 'Content-Type: image/png' \
    --data-binary @"$tmp/note.png" "$base/api/v1/cases/$id/attachments?filename=note.png")
expect_status 201 "a file attached before the move"
file=$(json .id)
call GET "/api/v1/cases/$id" '' -H "$A"
before=$(jq -c 'del(.version)' "$tmp/body")
# Purchased hours come too: a contract, a visit that ended, its charge.
call POST /api/v1/contracts '{"school":"Oak Academy","service":"beacon/consultancy","year":"2025-26","amount":18,"unit":"hours"}' -H "$A"
contract=$(json .id)
call POST "/api/v1/contracts/$contract/visits" '{"starts_at":"2025-11-17T09:30"}' -H "$A"
visit=$(json .id)
call PATCH "/api/v1/visits/$visit" '{"outcome":"cancelled-late"}' -H "$A"
call GET "/api/v1/contracts/$contract" '' -H "$A"
hours_before=$(jq -c . "$tmp/body")
call GET '/api/v1/cases?status=open&limit=1' '' -H "$A"
open_before=$(json .total)
stop_server

"$charter" migrate --from "sqlite:$db" --to "$pg_db" >"$tmp/migrate.out" 2>&1
status=$?
expect_status 0 "the migration"
checks=$((checks + 1))
grep -q '^migrated: every table holds the same number of rows' "$tmp/migrate.out" || fail "the counts are verified: $(cat "$tmp/migrate.out")"

db=$pg_db
start_server
call GET "/api/v1/cases/$id" '' -H "$A"
expect_status 200 "the SQLite desk's token works on PostgreSQL"
checks=$((checks + 1))
[ "$(jq -c 'del(.version)' "$tmp/body")" = "$before" ] || fail "the case is the same after the move"
curl -s -o "$tmp/note.back" -H "$A" "$base/api/v1/attachments/$file"
checks=$((checks + 1))
cmp -s "$tmp/note.png" "$tmp/note.back" || fail "the file is the same, byte for byte, after the move"
call GET '/api/v1/search?q=new%20address' '' -H "$A"
expect "[.cases[].id] == [$id]" "search finds it by its contact's text"
call GET "/api/v1/audit?case=$id" '' -H "$A"
expect '[.audit[].action] | index("create") != null and index("update") != null' "the audit log came too"
call GET "/api/v1/contracts/$contract" '' -H "$A"
checks=$((checks + 1))
[ "$(jq -c . "$tmp/body")" = "$hours_before" ] || fail "the contract, its visits and ledger are the same after the move"
call POST "/api/v1/contracts/$contract/visits" '{"starts_at":"2025-11-24T09:30"}' -H "$A"
expect ".id > $visit" "a new visit takes an id after the old ones"
call GET '/api/v1/cases?status=open&limit=1' '' -H "$A"
expect ".total == $open_before and $open_before > 0" "the case list counts the cases copied"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"After the move"}' -H "$A"
expect_status 201 "a new case on the new desk"
expect ".id > $id" "takes an id after the old ones"
call GET '/api/v1/cases?status=open&limit=1' '' -H "$A"
expect ".total == $open_before + 1" "and counts each case made after the move"
stop_server

"$charter" migrate --from "sqlite:$tmp/charter.db" --to "$pg_db" >"$tmp/migrate.out" 2>&1
status=$?
expect_status 1 "migrating into a desk that is not empty"
checks=$((checks + 1))
grep -q 'already holds a desk' "$tmp/migrate.out" || fail "says why: $(cat "$tmp/migrate.out")"
finish
