#!/bin/sh
# Whose records a team sees: a person, their incidents and their
# restrictions carry the service that recorded them. Another service's
# staff are told such a person does not exist (404, absent from the people
# list and search) until a case, an incident or a restriction of their own
# links them; a restriction binds every service of its own organisation and
# no other body's; incidents and restrictions are read by their own
# organisation only. Administrators see everyone.
. "$(dirname "$0")/lib.sh"
start_server
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
user() { # user EMAIL NAME ROLE SERVICE... -> prints a token
    email=$1 name=$2 role=$3
    shift 3
    set -- $(for s in "$@"; do printf -- '--service %s ' "$s"; done)
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$email" --name "$name" \
        --role "$role" "$@" --password-stdin >/dev/null
    "$charter" admin token --email "$email" --db "$db"
}
CO="Authorization: Bearer $(user olu@cognus.example 'Olu Officer' officer cognus/enquiries)"
CM="Authorization: Bearer $(user meg@cognus.example 'Meg Manager' manager cognus/enquiries)"
SO="Authorization: Bearer $(user sid@sendiass.example 'Sid Officer' officer sendiass/enquiries)"
SM="Authorization: Bearer $(user sue@sendiass.example 'Sue Manager' manager sendiass/enquiries)"
BM="Authorization: Bearer $(user bea@beacon.example 'Bea Manager' manager beacon/enquiries beacon/consultancy)"
BO="Authorization: Bearer $(user ben@beacon.example 'Ben Officer' officer beacon/consultancy)"
review=$(date -u -d '+10 days' +%F)

# --- A person recorded by one team is not another's to see ---
call POST /api/v1/people '{"name":"Robin Quiet","email":"robin@example.org","service":"beacon/enquiries"}' -H "$SO"
expect_status 400 "an officer cannot record a person under another team's service"
expect '.fields == ["service"] and (.detail | test("your services"))' "and is told which field and why"
call POST /api/v1/people '{"name":"Robin Quiet","email":"robin@example.org"}' -H "$SO"
expect_status 201 "a SENDIASS officer records a person"
expect '.service == "sendiass/enquiries"' "under their own service"
robin=$(json .id)
call GET "/api/v1/people/$robin" '' -H "$SO"
expect_status 200 "the recording team sees them"
call GET "/api/v1/people/$robin" '' -H "$CO"
expect_status 404 "a Cognus officer is told there is no such person"
call GET "/api/v1/people/$robin" '' -H "$CM"
expect_status 404 "so is a Cognus manager"
call GET "/api/v1/people?q=Robin" '' -H "$CO"
expect '[.people[].id] | index('"$robin"') | not' "the people list does not show them to Cognus"
call GET "/api/v1/people?q=Robin" '' -H "$SO"
expect '[.people[].id] | index('"$robin"')' "it shows them to SENDIASS"
call GET "/api/v1/search?q=Robin" '' -H "$CO"
expect '[(.people // [])[].id] | index('"$robin"') | not' "search does not find them for Cognus"
call GET "/api/v1/search?q=Robin" '' -H "$SO"
expect '[(.people // [])[].id] | index('"$robin"')' "search finds them for SENDIASS"
call GET "/api/v1/people/$robin" '' -H "$A"
expect_status 200 "an administrator sees everyone"
call POST /api/v1/people '{"name":"Held Back"}' -H "$A"
expect '.service == null' "an administrator may record a person under no service"
held=$(json .id)
call GET "/api/v1/people/$held" '' -H "$SO"
expect_status 404 "whom only administrators see until something links them"

# --- A case of Cognus's own links the same person to Cognus ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Transport",
  "requester":{"name":"Robin Quiet","email":"robin@example.org"}}' -H "$CO"
expect_status 201 "Cognus opens a case for the same address"
expect ".person_id == $robin" "linked to the existing person"
call GET "/api/v1/people/$robin" '' -H "$CO"
expect_status 200 "now Cognus sees the person"
expect '[.cases[].service] == ["cognus/enquiries"]' "with only their own cases"

# --- Restrictions bind their own organisation only ---
call POST "/api/v1/people/$robin/restrictions" "{\"allowed_channels\":[\"email\"],\"reason\":\"Abusive calls.\",
  \"review_on\":\"$review\",\"service\":\"cognus/enquiries\"}" -H "$SM"
expect_status 400 "a SENDIASS manager cannot restrict for Cognus"
expect '.fields == ["service"]' "names the service field"
call POST "/api/v1/people/$robin/restrictions" "{\"allowed_channels\":[\"email\"],\"reason\":\"Abusive calls to SENDIASS.\",
  \"review_on\":\"$review\"}" -H "$SM"
expect_status 201 "SENDIASS restricts Robin to email"
expect '.service == "sendiass/enquiries"' "under SENDIASS"
srestr=$(json .id)
call POST "/api/v1/restrictions/$srestr/notice-sent" '{"how":"letter"}' -H "$SM"
expect '.active == true' "and it is in force"
call GET "/api/v1/restrictions/$srestr" '' -H "$CM"
expect_status 404 "Cognus cannot read SENDIASS's restriction"
call GET "/api/v1/people/$robin" '' -H "$CO"
expect '.restrictions == []' "nor sees it on the person"
call GET "/api/v1/people/$robin/restrictions" '' -H "$CO"
expect '.total == 0' "nor in the person's list"
call GET /api/v1/cases?status=open '' -H "$CO"
ccase=$(jq -r '.cases[0].id' "$tmp/body")
call POST "/api/v1/cases/$ccase/contacts" '{"direction":"outbound","channel":"phone","summary":"Rang back."}' -H "$CO"
expect_status 201 "a Cognus phone call is not bound by SENDIASS's restriction"
call POST /api/v1/cases '{"service":"sendiass/enquiries","channel":"email","subject":"Advice",
  "requester":{"name":"Robin Quiet","email":"robin@example.org"}}' -H "$SO"
scase=$(json .id)
call POST "/api/v1/cases/$scase/contacts" '{"direction":"outbound","channel":"phone","summary":"Rang back."}' -H "$SO"
expect_status 409 "a SENDIASS phone call is refused"
expect '.detail | test("email only")' "saying what is allowed"
call GET "/api/v1/people/$robin/restrictions" '' -H "$SO"
expect ".total == 1 and .restrictions[0].id == $srestr" "SENDIASS sees its restriction"
call POST "/api/v1/people/$robin/restrictions" "{\"allowed_channels\":[\"letter\"],\"reason\":\"Threats to Cognus staff.\",
  \"review_on\":\"$review\"}" -H "$CM"
expect_status 201 "Cognus may make its own restriction while SENDIASS's stands"
expect '.service == "cognus/enquiries"' "under Cognus"
call POST "/api/v1/people/$robin/restrictions" "{\"allowed_channels\":[\"letter\"],\"reason\":\"Again.\",
  \"review_on\":\"$review\"}" -H "$CM"
expect_status 409 "but not a second one of its own"

# --- Across one organisation's services: the restriction binds them all ---
call POST /api/v1/cases '{"service":"beacon/enquiries","channel":"email","subject":"Hours",
  "requester":{"name":"Sam School","email":"sam@school.example"}}' -H "$BM"
sam=$(json .person_id)
call POST "/api/v1/people/$sam/restrictions" "{\"allowed_channels\":[\"email\"],\"reason\":\"Shouted at the desk.\",
  \"review_on\":\"$review\"}" -H "$BM"
expect_status 201 "Beacon's manager restricts Sam"
expect '.service == "beacon/enquiries"' "from the enquiries service"
brestr=$(json .id)
call POST "/api/v1/restrictions/$brestr/notice-sent" '{"how":"email"}' -H "$BM"
call POST /api/v1/cases '{"service":"beacon/consultancy","channel":"phone","subject":"Visit",
  "requester":{"name":"Sam School","email":"sam@school.example"}}' -H "$BO"
expect_status 201 "a consultancy case for Sam"
bcase=$(json .id)
call POST "/api/v1/cases/$bcase/contacts" '{"direction":"outbound","channel":"phone","summary":"Rang."}' -H "$BO"
expect_status 409 "the enquiries restriction binds the consultancy service too"
call GET "/api/v1/restrictions/$brestr" '' -H "$BO"
expect_status 200 "and its officer can read what it allows"
expect '.service == "beacon/enquiries" and (.reason | not)' "without the manager's reasons"

# --- Incidents: recorded under a service, read by its organisation ---
call POST "/api/v1/people/$held/incidents" '{"channel":"phone","kind":"abusive","what":"Swore at Sue."}' -H "$SM"
expect_status 404 "SENDIASS cannot record an incident on a person it cannot see"
call POST "/api/v1/people/$robin/incidents" '{"channel":"phone","kind":"abusive","what":"Swore at Sue.","service":"beacon/enquiries"}' -H "$SM"
expect_status 400 "nor under another body's service"
call POST "/api/v1/people/$robin/incidents" "{\"channel\":\"phone\",\"kind\":\"abusive\",\"what\":\"Swore at Sue.\",\"case_id\":$scase}" -H "$SM"
expect_status 201 "SENDIASS records an incident on its case"
expect '.service == "sendiass/enquiries"' "under the case's service"
call GET "/api/v1/people/$robin/incidents" '' -H "$CM"
expect '[.incidents[].service] | index("sendiass/enquiries") | not' "Cognus does not read SENDIASS's incident"
call GET "/api/v1/people/$robin/incidents" '' -H "$SM"
expect '[.incidents[].service] == ["sendiass/enquiries"]' "SENDIASS does"

# --- An incident alone links a person to the team that recorded it ---
call POST /api/v1/people '{"name":"Casey Walkin"}' -H "$A"
casey=$(json .id)
call POST "/api/v1/people/$casey/incidents" '{"channel":"in-person","kind":"threatening","what":"Came to reception.","service":"cognus/enquiries"}' -H "$A"
expect_status 201 "an administrator records an incident for Cognus"
call GET "/api/v1/people/$casey" '' -H "$CO"
expect_status 200 "Cognus now sees the person"
call GET "/api/v1/people/$casey" '' -H "$SO"
expect_status 404 "SENDIASS still does not"

# --- A copy of someone's data holds the asking team's safeguards only ---
export_json() { # export_json AUTH: Robin's export as that user, into $tmp/body
    rm -rf "$tmp/x" && mkdir -p "$tmp/x"
    curl -s -o "$tmp/x/export.zip" -H "$1" "$base/api/v1/people/$robin/export"
    (cd "$tmp/x" && unzip -q export.zip) && cp "$tmp/x/subject-access.json" "$tmp/body"
}
export_json "$CM"
expect '[.restrictions[].reason] == ["Threats to Cognus staff."] and (.incidents | length) == 0' "Cognus's copy holds its own restriction, not SENDIASS's or its incident"
export_json "$SM"
expect '[.restrictions[].reason] == ["Abusive calls to SENDIASS."] and (.incidents | length) == 1' "SENDIASS's copy holds its own"

# --- The review queue is per organisation ---
call GET /api/v1/queues/restriction-reviews '' -H "$CM"
expect '(.restrictions | length) > 0 and ([.restrictions[].service] | all(. == "cognus/enquiries"))' "Cognus reviews only its own restrictions"

finish
