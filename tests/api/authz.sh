#!/bin/sh
# The authorisation matrix: every role against every endpoint. Officers
# and managers see only their own services' cases (a SEND information
# service's records are invisible to other teams); the audit log is for
# managers and administrators; nobody gets anything without signing in.
. "$(dirname "$0")/lib.sh"
start_server
add() { # add EMAIL ROLE SERVICE -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$1" \
        --role "$2" ${3:+--service "$3"} --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
admin=$("$charter" admin token --email admin@charter.local --db "$db")
officer=$(add officer@cognus.example officer cognus/enquiries)
other=$(add adviser@sendiass.example officer sendiass/enquiries)
manager=$(add manager@cognus.example manager cognus/enquiries)
outsider=$(add manager@sendiass.example manager sendiass/enquiries)

case_json='{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T10:00","subject":"Matrix"}'
call POST /api/v1/cases "$case_json" -H "Authorization: Bearer $admin"
id=$(json .id)
case_with_person='{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T10:00","subject":"Person","requester":{"name":"P","email":"p@example.org"},"organisation":"Matrix School"}'
call POST /api/v1/cases "$case_with_person" -H "Authorization: Bearer $admin"
person=$(json .person_id)
school=$(json .organisation_id)
version=1

# role method path expected-status [body]
while read -r role method path expected body; do
    [ -z "$role" ] && continue
    case $role in
    none) auth= ;;
    admin) auth="Authorization: Bearer $admin" ;;
    officer) auth="Authorization: Bearer $officer" ;;
    other) auth="Authorization: Bearer $other" ;;
    manager) auth="Authorization: Bearer $manager" ;;
    outsider) auth="Authorization: Bearer $outsider" ;;
    esac
    path=$(echo "$path" | sed "s/PERSON/$person/; s/SCHOOL/$school/; s/ID/$id/")
    extra=
    [ "$method" = PATCH ] && extra="If-Match: \"$version\""
    if [ -n "$auth" ]; then
        call "$method" "$path" "$body" -H "$auth" ${extra:+-H "$extra"}
    else
        call "$method" "$path" "$body" ${extra:+-H "$extra"}
    fi
    expect_status "$expected" "$role $method $path"
    [ "$method" = PATCH ] && [ "$status" = 200 ] && version=$(json .version)
    [ "$method" = POST ] && [ "$status" = 201 ] && case "$path" in */contacts) version=$(json .version) ;; esac
done <<EOF_MATRIX
none     GET   /api/v1/cases/ID               401
none     POST  /api/v1/cases                  401 $case_json
none     GET   /api/v1/queues/overdue         401
none     GET   /api/v1/services               401
none     GET   /api/v1/audit                  401
none     GET   /api/v1/search?q=matrix        401
none     GET   /api/v1/reports/compliance     401
none     GET   /api/v1/openapi.yaml           200
none     GET   /healthz                       200
none     GET   /api/v1/people/PERSON          401
none     POST  /api/v1/people                 401 {"name":"X"}
none     GET   /api/v1/organisations/SCHOOL   401
none     POST  /api/v1/organisations          401 {"name":"X School"}
none     GET   /api/v1/policies               401
officer  GET   /api/v1/people/PERSON          200
other    GET   /api/v1/people/PERSON          404
manager  GET   /api/v1/people/PERSON          200
outsider GET   /api/v1/people/PERSON          404
admin    GET   /api/v1/people/PERSON          200
officer  POST  /api/v1/people                 201 {"name":"New Person"}
other    POST  /api/v1/people                 201 {"name":"Another Person"}
officer  GET   /api/v1/organisations/SCHOOL   200
other    GET   /api/v1/organisations/SCHOOL   200
officer  POST  /api/v1/organisations          201 {"name":"Officer School"}
officer  GET   /api/v1/policies               200
officer  POST  /api/v1/policies/check         403 {"text":"charter: 1"}
manager  POST  /api/v1/policies/check         403 {"text":"charter: 1"}
admin    POST  /api/v1/policies/check         400 {"text":"charter: 1"}
officer  POST  /api/v1/policies               403 {"text":"charter: 1"}
officer  GET   /api/v1/users                  403
manager  GET   /api/v1/users                  200
admin    GET   /api/v1/users                  200
manager  POST  /api/v1/users                  403 {"email":"x@y.org","name":"X","role":"officer","password":"a long password"}
admin    POST  /api/v1/users                  201 {"email":"new@cognus.example","name":"New Officer","role":"officer","password":"a long password","services":["cognus/enquiries"]}
admin    POST  /api/v1/users                  409 {"email":"new@cognus.example","name":"Again","role":"officer","password":"a long password"}
admin    POST  /api/v1/users                  400 {"email":"bad","name":"X","role":"boss","password":"short","services":["nowhere/none"]}
none     POST  /api/v1/tokens                 401
officer  POST  /api/v1/tokens                 201
other    GET   /api/v1/policies               200
officer  GET   /api/v1/cases/ID               200
other    GET   /api/v1/cases/ID               404
manager  GET   /api/v1/cases/ID               200
outsider GET   /api/v1/cases/ID               404
admin    GET   /api/v1/cases/ID               200
officer  POST  /api/v1/cases                  201 $case_json
other    POST  /api/v1/cases                  403 $case_json
manager  POST  /api/v1/cases                  201 $case_json
outsider POST  /api/v1/cases                  403 $case_json
other    POST  /api/v1/cases/ID/contacts      404 {"direction":"inbound","channel":"phone"}
outsider POST  /api/v1/cases/ID/contacts      404 {"direction":"inbound","channel":"phone"}
officer  POST  /api/v1/cases/ID/contacts      201 {"direction":"inbound","channel":"phone"}
manager  POST  /api/v1/cases/ID/contacts      201 {"direction":"inbound","channel":"phone"}
other    PATCH /api/v1/cases/ID               404 {"flags":["complex"]}
outsider PATCH /api/v1/cases/ID               404 {"flags":["complex"]}
officer  PATCH /api/v1/cases/ID               200 {"flags":["complex"]}
manager  PATCH /api/v1/cases/ID               200 {"flags":[]}
admin    PATCH /api/v1/cases/ID               200 {"note":"checked"}
officer  GET   /api/v1/audit                  403
other    GET   /api/v1/audit                  403
manager  GET   /api/v1/audit                  200
outsider GET   /api/v1/audit                  200
admin    GET   /api/v1/audit                  200
officer  GET   /api/v1/queues/overdue         200
other    GET   /api/v1/queues/overdue         200
officer  GET   /api/v1/search?q=matrix        200
officer  GET   /api/v1/reports/compliance     200
outsider GET   /api/v1/reports/compliance     200
EOF_MATRIX

# What the other team sees of cognus's work: nothing.
for q in overdue unassigned due-today at-risk mine; do
    call GET "/api/v1/queues/$q" '' -H "Authorization: Bearer $other"
    expect '.cases == []' "another team's $q queue is empty of cognus cases"
done
call GET '/api/v1/search?q=matrix' '' -H "Authorization: Bearer $other"
expect '.cases == []' "another team's search finds nothing"
call GET "/api/v1/organisations/$school" '' -H "Authorization: Bearer $other"
expect '.cases == []' "another team sees the school but none of its cognus cases"
call GET '/api/v1/reports/compliance?from=2025-12&to=2025-12' '' -H "Authorization: Bearer $outsider"
expect '.rows == []' "another team's report holds nothing"
call GET '/api/v1/reports/compliance?from=2025-12&to=2025-12' '' -H "Authorization: Bearer $manager"
expect '.rows | length > 0' "the team's own report does"

# The audit log is scoped: who did what to a Cognus case, when and from
# where, is Cognus's to know. Another service's manager is refused that
# case's rows (404, as for the case itself) and sees none of them in the
# whole log; Cognus's manager and an administrator see them.
call GET "/api/v1/cases/$id" '' -H "Authorization: Bearer $manager"
call GET "/api/v1/audit?case=$id" '' -H "Authorization: Bearer $outsider"
expect_status 404 "another service's manager is refused the audit of a case they cannot see"
call GET '/api/v1/audit?limit=1000' '' -H "Authorization: Bearer $outsider"
expect "[.audit[] | select((.object == \"case\" and .object_id == $id) or (.object == \"person\" and .object_id == $person))] | length == 0" "nor finds its rows, or its people's, in the whole log"
call GET "/api/v1/audit?case=$id" '' -H "Authorization: Bearer $manager"
expect_status 200 "the case's own manager reads its audit"
expect "[.audit[] | select(.object == \"case\" and .object_id == $id)] | length > 0" "and its rows are there"
call GET '/api/v1/audit?limit=1000' '' -H "Authorization: Bearer $manager"
expect "([.audit[] | select(.object == \"case\" and .object_id == $id)] | length > 0) and ([.audit[] | select(.object == \"user\")] | length == 0)" "who changed staff accounts is for administrators"
call GET '/api/v1/audit?limit=1000' '' -H "Authorization: Bearer $admin"
expect "[.audit[] | select(.object == \"user\")] | length > 0" "who see the whole log"

# A token made through the API works, and the new officer can sign in.
call POST /api/v1/tokens '' -H "Authorization: Bearer $officer"
made=$(json .token)
call GET /api/v1/services '' -H "Authorization: Bearer $made"
expect '.services | map(.service) == ["cognus/enquiries"]' "a token made through the API works"
call POST /api/v1/session '{"email":"new@cognus.example","password":"a long password"}'
expect_status 200 "the officer added through the API signs in"
call GET /api/v1/users '' -H "Authorization: Bearer $manager"
expect '[.users[] | select(.email == "new@cognus.example")][0].services == ["cognus/enquiries"] and ([.users[] | has("password_hash")] | any | not)' "the staff list shows services and no password hashes"

# Sign-in attempts are limited: ten failures, then 429 for everyone from there.
for i in 1 2 3 4 5 6 7 8 9 10; do
    call POST /api/v1/session '{"email":"officer@cognus.example","password":"wrong password"}'
done
expect_status 401 "the tenth wrong password"
call POST /api/v1/session '{"email":"officer@cognus.example","password":"a good long password"}'
expect_status 429 "then even the right one waits"
finish
