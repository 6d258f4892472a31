#!/bin/sh
# Policies reload on SIGHUP: a changed charter takes effect for new cases
# and joins the store's policy history; a broken one is refused with its
# file:line:col and the one in use stays.
. "$(dirname "$0")/lib.sh"
cp policies/cognus.yaml "$tmp/cognus.yaml"
start_server --policy "$tmp/cognus.yaml"
token=$("$charter" admin token --email admin@charter.local --db "$db")
A="Authorization: Bearer $token"
new_case='{"service":"enquiries","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"Reload"}'

call GET /api/v1/policies '' -H "$A"
expect '.policies | map([.id, .version]) == [["cognus", 1]]' "one policy at version 1"
call POST /api/v1/cases "$new_case" -H "$A"
expect '.obligations[0].due_at == "2025-12-24T17:00:00Z"' "3 working days"

# reload_and_wait: send SIGHUP and wait for the server to say how it went.
reload_and_wait() {
    before=$(cat "$tmp/serve.out" "$tmp/serve.err" | wc -l)
    kill -HUP "$server_pid"
    for _ in $(seq 1 100); do
        [ "$(cat "$tmp/serve.out" "$tmp/serve.err" | wc -l)" -gt "$before" ] && return 0
        sleep 0.05
    done
}

sed -i 's/within: 3 working days/within: 5 working days/' "$tmp/cognus.yaml"
reload_and_wait
call GET /api/v1/policies '' -H "$A"
expect '.policies | map([.id, .version]) == [["cognus", 2]]' "the changed charter is version 2"
call POST /api/v1/cases "$new_case" -H "$A"
expect '.obligations[0].due_at == "2025-12-30T17:00:00Z"' "new cases count 5 working days"

sed -i 's/within: 5 working days/within: 5 workng days/' "$tmp/cognus.yaml"
reload_and_wait
checks=$((checks + 1))
grep -q "cognus.yaml:[0-9]*:[0-9]*: unknown unit 'workng days'" "$tmp/serve.err" || fail "the broken charter is reported at its line and column"
call GET /api/v1/policies '' -H "$A"
expect '.policies | map([.id, .version]) == [["cognus", 2]]' "the charter in use stays"
call POST /api/v1/cases "$new_case" -H "$A"
expect_status 201 "and the desk still works"
expect '.obligations[0].due_at == "2025-12-30T17:00:00Z"' "with the last good charter"
finish
