#!/bin/sh
# The API is strict, black-box: a member an endpoint does not take (at the
# top or inside an object) is refused and named, a body that is not JSON is
# refused with 415, a known path asked with the wrong method answers 405 with
# Allow, and every 401 says how to authenticate. Each refusal saves nothing.
. "$(dirname "$0")/lib.sh"
start_server
problem='.type and .title and .status and (.detail | length > 10)'

token=$("$charter" admin token --email admin@charter.local --db "$db")
A="Authorization: Bearer $token"

# send METHOD PATH CONTENT-TYPE BODY [CURL-ARGS...]: like call, with the
# Content-Type given ("" sends none at all).
send() {
    method=$1 path=$2 type=$3 data=$4
    shift 4
    status=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$method" "$@" \
        -H "Content-Type:${type:+ $type}" --data-binary "$data" "$base$path")
}

# header NAME: the value of a response header in $tmp/headers.
header() {
    tr -d '\r' <"$tmp/headers" | sed -n "s/^$1: //Ip" | head -n 1
}

# expect_header NAME VALUE WHAT
expect_header() {
    checks=$((checks + 1))
    got=$(header "$1")
    [ "$got" = "$2" ] || fail "$3: expected $1: $2, got '$got'"
}

cases_count() {
    call GET '/api/v1/cases?limit=200' '' -H "$A"
    json '.cases | length'
}

case_body='{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"School transport","requester":{"name":"A Parent","email":"parent@example.org"}}'
call POST /api/v1/cases "$case_body" -H "$A"
expect_status 201 "a case to work on"
id=$(json .id)
before=$(cases_count)

# --- Unknown members: refused, named, nothing saved ---
call POST /api/v1/cases "$(echo "$case_body" | sed 's/^{/{"consent":true,/')" -H "$A"
expect_status 400 "an unknown member on a new case"
expect "$problem" "is a problem document"
expect '.fields == ["consent"]' "the member is named"
expect '.detail | test("consent") and test("service, kind, channel, received_at, subject, organisation, requester, flags and message")' "the detail lists what the endpoint takes"
call POST /api/v1/cases "$(echo "$case_body" | sed 's/"name":"A Parent"/"name":"A Parent","nickname":"Al"/')" -H "$A"
expect_status 400 "an unknown member inside requester"
expect '.fields == ["requester.nickname"]' "the nested member is named by its path"
expect '.detail | test("Inside requester there is no nickname; requester takes name and email")' "the detail says what requester takes"
call POST /api/v1/cases "$(echo "$case_body" | sed 's/^{/{"consent":true,"urgent":1,/')" -H "$A"
expect_status 400 "two unknown members"
expect '.fields == ["consent","urgent"]' "both are named"
[ "$(cases_count)" = "$before" ] || fail "no case was saved by a refused request"
checks=$((checks + 1))

call PATCH "/api/v1/cases/$id" '{"note":"moved","service":"sendiass/enquiries"}' -H "$A" -H 'If-Match: "1"'
expect_status 400 "service cannot be changed through PATCH"
expect '.fields == ["service"] and (.detail | test("status, kind, note, officer_id, flags and settle"))' "service is named, and what PATCH takes"
call PATCH "/api/v1/cases/$id" '{"consent":true}' -H "$A" -H 'If-Match: "1"'
expect_status 400 "consent is not a case field"
call POST "/api/v1/cases/$id/contacts" '{"direction":"outbound","channel":"phone","mood":"calm"}' -H "$A"
expect_status 400 "an unknown member on a contact"
expect '.fields == ["mood"]' "the contact's unknown member is named"
call GET "/api/v1/cases/$id" '' -H "$A"
expect '.version == 1 and .service == "cognus/enquiries" and (.contacts | length) == 0 and (.events | length) == 1' "the case is as it was: no note, no contact, same service"

call POST /api/v1/people '{"name":"Pat Parent"}' -H "$A"
expect_status 201 "a person"
person=$(json .id)
call POST /api/v1/people '{"name":"Pat Parent","nickname":"Pat"}' -H "$A"
expect_status 400 "an unknown member on a person"
expect '.fields == ["nickname"]' "named"
long=x$(printf 'é%.0s' $(seq 1 60))
call POST /api/v1/people "{\"name\":\"Pat Parent\",\"$long\":1}" -H "$A"
expect_status 400 "a long member name in letters beyond ASCII"
expect '(.fields[0] | startswith("xéé")) and (.detail | test("This request does not take xéé"))' "is named, cut short on a whole letter"
call POST /api/v1/people '{"name":"Kim Parent"}' -H "$A"
expect '.id == '"$((person + 1))" "the refused person took no id: nothing was saved"

call GET /api/v1/users '' -H "$A"
users=$(json '.users | length')
call POST /api/v1/users '{"email":"new@cognus.example","name":"New Officer","role":"officer","password":"a long password","services":["cognus/enquiries"],"working_pattern":"mon-fri"}' -H "$A"
expect_status 400 "an unknown member on a new user"
expect '.fields == ["working_pattern"]' "named"
call GET /api/v1/users '' -H "$A"
expect ".users | length == $users" "no user was added"

call POST /api/v1/contracts '{"school":"Oak","service":"beacon/consultancy","year":"2025-26","amount":6,"unit":"hours","contact":{"name":"Mr Oak","email":"oak@example.org","phone":"0123"}}' -H "$A"
expect_status 400 "an unknown member inside a contract's contact"
expect '.fields == ["contact.phone"]' "named by its path"
call GET /api/v1/contracts '' -H "$A"
expect '.contracts | length == 0' "no contract was saved"
call POST /api/v1/contracts '{"school":"Oak","service":"beacon/consultancy","year":"2025-26","amount":6,"unit":"hours","contact":{"name":"Mr Oak","email":"oak@example.org"}}' -H "$A"
expect_status 201 "the same contract without it"
contract=$(json .id)
call PATCH "/api/v1/contracts/$contract" '{"amount":20}' -H "$A"
expect_status 400 "what was bought is not a contract change"
expect '.fields == ["amount"] and (.detail | test("adjustment"))' "and the answer says where it changes"
call POST "/api/v1/contracts/$contract/visits" '{"starts_at":"2025-11-17T09:30","room":"hall"}' -H "$A"
expect_status 400 "an unknown member on a visit"
call GET "/api/v1/contracts/$contract" '' -H "$A"
expect '(.visits | length) == 0 and .purchased_minutes == 360' "no visit was booked and the hours are unchanged"
call POST "/api/v1/contracts/$contract/visits" '{"starts_at":"2025-11-17T09:30"}' -H "$A"
expect_status 201 "a visit"
visit=$(json .id)
call PATCH "/api/v1/visits/$visit" '{"late":{"notice_at":"2025-11-17T09:00","expected_at":"2025-11-17T10:00","reason":"traffic"}}' -H "$A"
expect_status 400 "an unknown member inside late"
expect '.fields == ["late.reason"] and (.detail | test("Inside late there is no reason; late takes notice_at, expected_at, channel, told and note"))' "named, with what late takes"
call GET "/api/v1/visits/$visit" '' -H "$A"
expect '.late == null' "the visit is not marked late"

call POST /api/v1/session "{\"email\":\"admin@charter.local\",\"password\":\"$admin_pw\",\"remember\":true}"
expect_status 400 "an unknown member at sign-in"
expect '.fields == ["remember"]' "named"
call POST /api/v1/tokens '' -H "$A"
expect_status 201 "a token needs no body"
call POST /api/v1/tokens '{"name":"laptop"}' -H "$A"
expect_status 400 "a token takes only a label and a life"
expect '.fields == ["name"] and (.detail | test("takes label and expires_in_days"))' "and says what it takes"
call POST /api/v1/tokens '{}' -H "$A"
expect_status 201 "an empty object is no body"

# --- A body that is not JSON: 415, nothing saved ---
send POST /api/v1/cases text/plain "$case_body" -H "$A"
expect_status 415 "a case sent as text/plain"
expect "$problem" "is a problem document"
expect '.detail | test("application/json")' "the answer says to send application/json"
expect_header Accept-Post application/json "415 on a POST says what it accepts"
send POST /api/v1/cases application/x-www-form-urlencoded "$case_body" -H "$A"
expect_status 415 "a case sent as a form"
send POST /api/v1/cases '' "$case_body" -H "$A"
expect_status 415 "a body with no Content-Type"
[ "$(cases_count)" = "$before" ] || fail "no case was saved from a body that is not JSON"
checks=$((checks + 1))
send PATCH "/api/v1/cases/$id" text/plain '{"note":"from text"}' -H "$A" -H 'If-Match: "1"'
expect_status 415 "a PATCH as text/plain"
expect_header Accept-Patch application/json "415 on a PATCH says what it accepts"
call GET "/api/v1/cases/$id" '' -H "$A"
expect '.version == 1' "the case is unchanged"
send POST /api/v1/cases 'application/json; charset=utf-8' "$case_body" -H "$A"
expect_status 201 "application/json with a charset is JSON"
send POST /api/v1/cases 'Application/JSON' "$case_body" -H "$A"
expect_status 201 "the media type is read without regard to case"
send POST /api/v1/cases 'application/jsonp' "$case_body" -H "$A"
expect_status 415 "application/jsonp is not JSON"
send POST "/api/v1/contracts/$contract/entries" text/plain '{"kind":"drawdown","what":"report","minutes":60}' -H "$A"
expect_status 415 "logged time sent as text/plain"
call GET "/api/v1/contracts/$contract" '' -H "$A"
expect '.balance_minutes == .purchased_minutes' "no time was logged"
send POST /api/v1/session text/plain "{\"email\":\"admin@charter.local\",\"password\":\"$admin_pw\"}"
expect_status 415 "a sign-in sent as text/plain, before any credential is looked at"
checks=$((checks + 1))
! grep -qi '^Set-Cookie' "$tmp/headers" || fail "no session is made from it"
send POST /api/v1/tokens text/plain '' -H "$A"
expect_status 201 "a bodyless POST stays allowed whatever it says"
# The public forms are HTML forms and stay form-encoded.
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST \
    --data 'subject=Invoice&message=Our+invoice+looks+wrong.&name=A+Bursar&email=bursar%40school.example' \
    "$base/public/hackney-services-for-schools/contact")
expect_status 200 "a public form post is still read"

# --- Wrong method: 405 with Allow ---
call DELETE "/api/v1/cases/$id" '' -H "$A" -D "$tmp/headers"
expect_status 405 "DELETE on a case"
expect "$problem" "is a problem document"
expect '.detail | test("GET, HEAD, PATCH")' "the detail names the methods"
expect_header Allow "GET, HEAD, PATCH" "a case answers GET (so HEAD) and PATCH"
call PUT /api/v1/cases '' -H "$A" -D "$tmp/headers"
expect_status 405 "PUT on the cases"
expect_header Allow "GET, HEAD, POST" "the cases answer GET and POST"
call PATCH /api/v1/tokens '' -H "$A" -D "$tmp/headers"
expect_status 405 "PATCH on tokens"
expect_header Allow "GET, HEAD, POST" "tokens are listed and made"
call PUT /api/v1/session '' -H "$A" -D "$tmp/headers"
expect_status 405 "PUT on the session"
expect_header Allow "POST, GET, HEAD, DELETE" "the session is made, read and ended"
call GET "/api/v1/contracts/$contract/statement/send" '' -H "$A" -D "$tmp/headers"
expect_status 405 "GET on sending a statement"
expect_header Allow "POST" "a statement is sent by POST"
call POST /healthz '' -D "$tmp/headers"
expect_status 405 "POST on the health check, without signing in"
expect_header Allow "GET, HEAD" "the health check is read"
call POST /public/hackney-services-for-schools '' -D "$tmp/headers"
expect_status 405 "POST on a standards page"
expect_header Allow "GET, HEAD" "a standards page is read"
status=$(curl -s -o /dev/null -D "$tmp/headers" -w '%{http_code}' -I -H "$A" "$base/api/v1/cases/$id")
expect_status 200 "HEAD on a case is its GET"
# Read to the end of the connection: nothing may follow the headers.
checks=$((checks + 1))
python3 - "${base#http://}" "$token" "$id" >"$tmp/after" <<'PY' || fail "a HEAD answer has no body"
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=5)
s.sendall(("HEAD /api/v1/cases/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Connection: close\r\n\r\n" % (sys.argv[3], sys.argv[2])).encode())
data = b""
while chunk := s.recv(65536):
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
sys.exit(0 if head.startswith(b"HTTP/1.1 200") and body == b"" else 1)
PY
expect_header ETag '"1"' "HEAD gives the case's ETag as GET does"
call DELETE "/api/v1/cases/$id" ''
expect_status 401 "a wrong method still needs a signed-in user first"
call GET /api/v1/nothing-here '' -H "$A"
expect_status 404 "an unknown path is not found"
call GET /api/v1/cases/abc '' -H "$A"
expect_status 404 "a case id that is not a number is not found"

# --- Every 401 says how to authenticate ---
call GET "/api/v1/cases/$id" '' -D "$tmp/headers"
expect_status 401 "no credential"
expect_header WWW-Authenticate 'Bearer realm="charter"' "no credential"
call GET "/api/v1/cases/$id" '' -H "Authorization: Bearer not-a-real-token" -D "$tmp/headers"
expect_header WWW-Authenticate 'Bearer realm="charter"' "an unknown token"
call GET "/api/v1/cases/$id" '' -b "charter_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" -D "$tmp/headers"
expect_status 401 "a session cookie that has ended"
expect_header WWW-Authenticate 'Bearer realm="charter"' "a cookie session"
call POST /api/v1/session '{"email":"admin@charter.local","password":"wrong password"}' -D "$tmp/headers"
expect_status 401 "a wrong password"
expect_header WWW-Authenticate 'Bearer realm="charter"' "a wrong password"

finish
