#!/bin/sh
# A charter an administrator loads through POST /api/v1/policies is in use
# at once and after a restart with the same --policy flags: one with the id
# of a loaded policy replaces that policy's own file (whatever it is
# called), and one with a new id goes into posted/ beside the first
# --policy file, which the desk loads with the files it was given.
. "$(dirname "$0")/lib.sh"
mkdir "$tmp/desk"
cp policies/cognus.yaml "$tmp/desk/cognus-charter.yaml"
start_server --policy "$tmp/desk/cognus-charter.yaml"
token=$("$charter" admin token --email admin@charter.local --db "$db")
A="Authorization: Bearer $token"
cognus_case='{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"Posted"}'
beacon_case='{"service":"beacon/enquiries","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"Posted"}'

# policies_are JQ WHAT: waits (the reload runs on the server's own thread)
# until GET /api/v1/policies satisfies JQ, then checks it once more.
policies_are() {
    for _ in $(seq 1 100); do
        call GET /api/v1/policies '' -H "$A"
        jq -e "$1" "$tmp/body" >/dev/null 2>&1 && break
        sleep 0.05
    done
    expect "$1" "$2"
}

policies_are '.policies | map([.id, .version]) == [["cognus", 1]]' "cognus from cognus-charter.yaml"

# The same id, changed: it replaces the file the desk read it from.
sed 's/within: 3 working days/within: 5 working days/' policies/cognus.yaml >"$tmp/cognus5.yaml"
call POST /api/v1/policies "$(jq -Rs '{text: .}' "$tmp/cognus5.yaml")" -H "$A"
expect_status 202 "the changed charter is accepted"
expect '.id == "cognus" and .file == "cognus-charter.yaml"' "and written over cognus-charter.yaml"
policies_are '.policies | map([.id, .version]) == [["cognus", 2]]' "the changed charter is in use at once"
checks=$((checks + 1))
cmp -s "$tmp/cognus5.yaml" "$tmp/desk/cognus-charter.yaml" || fail "cognus-charter.yaml holds the posted text"
checks=$((checks + 1))
[ -e "$tmp/desk/cognus.yaml" ] && fail "no second cognus.yaml (two files with one id would stop every reload)"
call POST /api/v1/cases "$cognus_case" -H "$A"
expect_status 201 "a case under the posted charter"
expect '.obligations[0].due_at == "2025-12-30T17:00:00Z"' "counts its 5 working days"

# A new id: into posted/, loaded with the named file.
call POST /api/v1/cases "$beacon_case" -H "$A"
expect_status 400 "no beacon yet"
call POST /api/v1/policies "$(jq -Rs '{text: .}' policies/beacon.yaml)" -H "$A"
expect_status 202 "a new charter is accepted"
expect '.id == "beacon" and .file == "beacon.yaml"' "as beacon.yaml"
policies_are '.policies | map(.id) | sort == ["beacon", "cognus"]' "the new charter is in use at once"
checks=$((checks + 1))
cmp -s policies/beacon.yaml "$tmp/desk/posted/beacon.yaml" || fail "it is kept in posted/ beside the --policy file"
call POST /api/v1/cases "$beacon_case" -H "$A"
expect_status 201 "a case under the new charter"

# A restart with the same flags runs both, as posted.
stop_server
start_server --policy "$tmp/desk/cognus-charter.yaml"
call GET /api/v1/policies '' -H "$A"
expect '.policies | map([.id, .version]) | sort == [["beacon", 1], ["cognus", 2]]' "after a restart: both, no new versions"
call POST /api/v1/cases "$cognus_case" -H "$A"
expect '.obligations[0].due_at == "2025-12-30T17:00:00Z"' "cognus still counts 5 working days"
call POST /api/v1/cases "$beacon_case" -H "$A"
expect_status 201 "beacon still takes cases"

# A charter with problems is refused and nothing is written.
call POST /api/v1/policies '{"text":"charter: 1\nid: [broken\n"}' -H "$A"
expect_status 400 "a broken charter"
checks=$((checks + 1))
[ "$(ls "$tmp/desk/posted")" = "beacon.yaml" ] || fail "a refused charter writes nothing: $(ls "$tmp/desk/posted")"
finish
