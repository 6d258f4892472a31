#!/bin/sh
# The case desk's HTTP API, black-box: sign-in, tokens, cases, contacts,
# queues, the audit log, and bad input of every kind.
. "$(dirname "$0")/lib.sh"
start_server
problem='.type and .title and .status and (.detail | length > 10)'

# --- Sign-in ---
call POST /api/v1/session '{"email":"admin@charter.local","password":"wrong password"}'
expect_status 401 "a wrong password"
expect "$problem" "a wrong password is a problem document"
call POST /api/v1/session '{"email":"admin@charter.local"}'
expect_status 400 "no password"
expect '.fields == ["password"]' "the missing field is named"
call POST /api/v1/session "{\"email\":\"admin@charter.local\",\"password\":\"$admin_pw\"}" -c "$tmp/cookies" -D "$tmp/headers"
expect_status 200 "the administrator signs in"
csrf=$(json .csrf_token)
checks=$((checks + 1))
grep -qi '^Set-Cookie: charter_session=.*HttpOnly; SameSite=Strict' "$tmp/headers" || fail "the session cookie is HttpOnly and SameSite=Strict"

case_body='{"service":"cognus/enquiries","kind":"enquiry","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"School transport","requester":{"name":"A Parent","email":"parent@example.org"},"flags":[]}'
call POST /api/v1/cases "$case_body" -b "$tmp/cookies"
expect_status 403 "a cookie without the CSRF token"
call POST /api/v1/cases "$case_body" -b "$tmp/cookies" -H "X-CSRF-Token: $csrf"
expect_status 201 "a cookie with the CSRF token"
expect '.obligations == [{"id": .obligations[0].id, "promise":"written-reply","kind":"respond","due_at":"2025-12-24T17:00:00Z","state":"breached","met_at":null,"met_by_contact":null,"reason":null,"text":.obligations[0].text,"working_days_left":.obligations[0].working_days_left}] and .obligations[0].working_days_left < 0' "the engine's due time (Friday 16:45 + 3 working days), already past"
expect '.status == "open" and .version == 1 and .requester.email == "parent@example.org"' "the case as created"
case1=$(json .id)

# --- Staff, tokens and who sees what ---
admin_token=$("$charter" admin token --email admin@charter.local --db "$db")
A="Authorization: Bearer $admin_token"
user_id() { sed -n 's/^added .* user \([0-9]*\)$/\1/p'; }
olu_id=$(echo 'cognus officer pass' | "$charter" admin user add --db "$db" --email olu@cognus.example --name "Olu Officer" --role officer --service cognus/enquiries --password-stdin | user_id)
sam_id=$(echo 'sendiass officer pass' | "$charter" admin user add --db "$db" --email sam@sendiass.example --name "Sam Adviser" --role officer --service sendiass/enquiries --password-stdin | user_id)
echo 'cognus manager pass' | "$charter" admin user add --db "$db" --email meg@cognus.example --name "Meg Manager" --role manager --service cognus/enquiries --password-stdin >/dev/null
O="Authorization: Bearer $("$charter" admin token --email olu@cognus.example --db "$db")"
S="Authorization: Bearer $("$charter" admin token --email sam@sendiass.example --db "$db")"
M="Authorization: Bearer $("$charter" admin token --email meg@cognus.example --db "$db")"

call GET "/api/v1/cases/$case1"
expect_status 401 "no credential"
call GET "/api/v1/cases/$case1" '' -H "Authorization: Bearer not-a-real-token"
expect_status 401 "an unknown token"
call GET "/api/v1/cases/$case1" '' -H "$O"
expect_status 200 "an officer of the service reads its case"
expect '.id == '"$case1"' and (.events | length) == 1' "the case's timeline"
call GET "/api/v1/cases/$case1" '' -H "$S"
expect_status 404 "another team's case does not exist for them"
call POST /api/v1/cases "$(echo "$case_body" | sed 's|cognus/enquiries|sendiass/enquiries|')" -H "$O"
expect_status 403 "an officer cannot open a case for another service"
call GET /api/v1/services '' -H "$S"
expect '.services | map(.service) == ["sendiass/enquiries"]' "an officer sees only their services"
call GET /api/v1/services '' -H "$A"
expect '.services | length >= 6' "an administrator sees every service"
call GET /api/v1/audit '' -H "$O"
expect_status 403 "officers cannot read the audit log"
call GET "/api/v1/audit?case=$case1" '' -H "$M"
expect_status 200 "managers can"
expect '[.audit[] | .action] | index("read") != null and index("create") != null' "the read and the creation are audited"
expect '.audit[0].remote == "127.0.0.1"' "with where from"

# Whom a case can be handed to: the service's members and the administrators.
call GET '/api/v1/colleagues?service=cognus/enquiries' '' -H "$O"
expect_status 200 "an officer lists their service's colleagues"
expect '[.colleagues[].name] | (index("Olu Officer") != null and index("Meg Manager") != null and index("Sam Adviser") == null) and (map(select(. == "Olu Officer")) | length) == 1' "members, not another team"
expect '[.colleagues[] | keys] | all(. == ["id","name","role"])' "names and roles, no email addresses"
call GET '/api/v1/colleagues?service=cognus/enquiries' '' -H "$S"
expect_status 404 "another team's colleagues are not listed"
call GET '/api/v1/colleagues' '' -H "$O"
expect_status 400 "colleagues of no service"
expect '.fields == ["service"]' "names the field"

# A bare service id is accepted when it is unique... and refused when not.
call POST /api/v1/cases '{"service":"consultancy","channel":"phone","received_at":"2025-11-03T10:00","subject":"Visit"}' -H "$A"
expect_status 201 "a bare, unique service id"
expect '.service == "beacon/consultancy"' "resolved to its policy"
call POST /api/v1/cases '{"service":"enquiries","channel":"phone","subject":"Which one?"}' -H "$A"
expect_status 400 "an ambiguous bare id"
expect '.fields == ["service"] and (.detail | test("POLICY/SERVICE"))' "says how to name it"

# --- Contacts ---
call POST "/api/v1/cases/$case1/contacts" '{"direction":"inbound","channel":"email","summary":"Any news?"}' -H "$O"
expect_status 201 "an inbound follow-up"
expect '.obligations[0].state == "breached" and .obligations[0].due_at == "2025-12-24T17:00:00Z"' "does not restart the clock"
version=$(json .version)
call POST "/api/v1/cases/$case1/contacts" '{"direction":"inbound","channel":"phone","meets":["respond"]}' -H "$O"
expect_status 400 "an inbound contact claiming to meet a promise"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"email","at":"2025-12-23T11:00:00Z","summary":"Full answer","meets":["respond"]}' -H "$O" -H 'If-Match: "1"'
expect_status 409 "a stale If-Match"
expect '.detail | test("has changed since version 1 .it is now at [0-9]+.; reload it and try again")' "says to reload"
call POST "/api/v1/cases/$case1/contacts" '{"direction":"outbound","channel":"email","at":"2025-12-23T11:00:00Z","summary":"Full answer","meets":["respond"]}' -H "$O" -H "If-Match: \"$version\""
expect_status 201 "the reply"
expect '.obligations[0].state == "met" and .obligations[0].met_at == "2025-12-23T11:00:00Z" and .next_due_at == null' "meets the promise"
expect '[.contacts[].direction] == ["outbound","inbound"] and (.events | length) == 3' "the timeline holds both, in the order they happened"
expect '(.contacts[] | select(.summary == "Full answer") | .id) as $reply | .obligations[0].met_by_contact == $reply' "the promise names the reply that met it"
call GET "/api/v1/cases/$case1" '' -H "$O"
expect '.obligations[0].met_by_contact == (.contacts[] | select(.summary == "Full answer") | .id) and (.contacts[] | select(.summary == "Any news?") | .outcome) == null' "and reads back so"

# --- A case opened with what the person wrote ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"web","subject":"Access needs","message":"I am deaf, please email only","requester":{"name":"B Parent"}}' -H "$O"
expect_status 201 "a case opened with their message"
expect '.version == 2 and (.contacts | map({direction, channel, who, summary})) == [{"direction":"inbound","channel":"web","who":"B Parent","summary":"I am deaf, please email only"}] and .contacts[0].at == .received_at' "keeps the message as its first contact, inbound, when it arrived"
long=$(head -c 20001 /dev/zero | tr '\0' 'x')
call POST /api/v1/cases "{\"service\":\"cognus/enquiries\",\"channel\":\"web\",\"subject\":\"Long\",\"message\":\"$long\"}" -H "$O"
expect_status 400 "a message past 20000 characters"
expect '.fields == ["message"]' "names the message"

# --- Changing a case: flags recompute, pause and resume, assign, close ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T10:00","subject":"Complex one"}' -H "$O"
cx=$(json .id)
call PATCH "/api/v1/cases/$cx" '{"flags":["complex"]}' -H "$O"
expect_status 428 "a change without If-Match"
call PATCH "/api/v1/cases/$cx" '{"flags":["complex"]}' -H "$O" -H 'If-Match: "18446744073709551616"'
expect_status 400 "an If-Match too large for any version is malformed, not clamped"
call PATCH "/api/v1/cases/$cx" '{"flags":["complex"]}' -H "$O" -H 'If-Match: "7"x'
expect_status 400 "nor one with more after it"
call PATCH "/api/v1/cases/$cx" '{"flags":["complex"]}' -H "$O" -H 'If-Match: "7"'
expect_status 409 "a change against a stale version"
call PATCH "/api/v1/cases/$cx" '{"flags":["complex"]}' -H "$O" -H 'If-Match: "1"'
expect_status 200 "flagging the case complex"
expect '[.obligations[] | [.promise, .due_at]] == [["complex-acknowledge","2025-12-24T17:00:00Z"],["complex-reply","2026-01-07T17:00:00Z"]]' "recomputes: acknowledge in 3 days, answer in 10"
call PATCH "/api/v1/cases/$cx" '{"status":"paused","note":"waiting for the school"}' -H "$O" -H 'If-Match: "2"'
expect '.status == "paused" and ([.obligations[].state] | unique) == ["paused"] and .next_due_at == null' "pausing stops every clock"
call GET /api/v1/queues/overdue '' -H "$O"
expect "[.cases[].id] | index($cx) == null" "a paused case is in no due queue"
call PATCH "/api/v1/cases/$cx" '{"status":"open"}' -H "$O" -H 'If-Match: "3"'
expect '.status == "open" and ([.obligations[].state] | unique) == ["breached"]' "resuming restarts the clocks (past due: breached)"
expect '[.events[].detail] | index("paused: waiting for the school") != null and index("resumed") != null' "both on the timeline"
call PATCH "/api/v1/cases/$cx" '{"officer_id": 99999}' -H "$O" -H 'If-Match: "4"'
expect_status 400 "assigning to nobody"
call PATCH "/api/v1/cases/$cx" '{"kind":"service-order"}' -H "$O" -H 'If-Match: "4"'
expect_status 200 "re-kinding an enquiry as a service order"
expect '.kind == "service-order" and [.obligations[].promise] == ["service-order"]' "recomputes: a service order has its own promise, so the written-reply ones go"
call PATCH "/api/v1/cases/$cx" '{"kind":"enquiry"}' -H "$O" -H 'If-Match: "5"'
expect '[.obligations[].promise] == ["complex-acknowledge","complex-reply"]' "and back again they return"
call PATCH "/api/v1/cases/$cx" "{\"officer_id\": $sam_id}" -H "$O" -H 'If-Match: "6"'
expect_status 400 "assigning to someone outside the service"
call PATCH "/api/v1/cases/$cx" "{\"officer_id\": $olu_id}" -H "$O" -H 'If-Match: "6"'
expect_status 200 "assigning to a member"
call GET /api/v1/queues/mine '' -H "$O"
expect "[.cases[].id] == [$cx]" "the case is in the officer's own queue"
call PATCH "/api/v1/cases/$cx" '{"status":"closed"}' -H "$O" -H 'If-Match: "7"'
expect '.status == "closed"' "closing"
call GET /api/v1/queues/mine '' -H "$O"
expect '.cases == []' "a closed case leaves every queue"

# --- Contact outcomes: resolved at first contact, handed over ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"voicemail","received_at":"2025-10-06T10:00","subject":"Quick question"}' -H "$O"
quick=$(json .id)
call POST "/api/v1/cases/$quick/contacts" '{"direction":"inbound","channel":"phone","outcome":"resolved","summary":"Answered on the call"}' -H "$O"
expect_status 201 "a call resolved at first contact"
expect '([.obligations[].state] | unique) == ["met"] and .next_due_at == null' "meets every promise the case held"
call POST "/api/v1/cases/$quick/contacts" '{"direction":"inbound","channel":"phone","outcome":"handed-over"}' -H "$O"
expect_status 400 "a handover without the colleague"
expect '.fields == ["handed_to"]' "names handed_to"
call POST "/api/v1/cases/$quick/contacts" "{\"direction\":\"outbound\",\"channel\":\"phone\",\"outcome\":\"handed-over\",\"handed_to\":$sam_id}" -H "$O"
expect_status 400 "a handover to someone outside the service"
call POST "/api/v1/cases/$quick/contacts" "{\"direction\":\"outbound\",\"channel\":\"phone\",\"outcome\":\"handed-over\",\"handed_to\":$olu_id}" -H "$O"
expect_status 201 "a handover to a named colleague"
expect ".officer_id == $olu_id and (.events[-1].detail | test(\"handed to Olu Officer\"))" "makes them the case's officer, on the timeline"
expect ".contacts[-1].handed_to == $olu_id and .contacts[-1].outcome == \"handed-over\" and .contacts[0].handed_to == null and .contacts[-1].logged_by == $olu_id" "the contact says whom it was handed to, and who logged it"
call POST "/api/v1/cases/$quick/contacts" '{"direction":"inbound","channel":"phone","outcome":"sorted"}' -H "$O"
expect_status 400 "an outcome that is not one"
call GET "/api/v1/cases/$quick" '' -H "$O"
call PATCH "/api/v1/cases/$quick" '{"status":"closed"}' -H "$O" -H "If-Match: \"$(json .version)\""
expect_status 200 "closing the settled case"

# --- Queues ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"letter","received_at":"2025-06-02T10:00","subject":"Late letter"}' -H "$O"
late=$(json .id)
call GET "/api/v1/cases/$late" '' -H "$O"
expect '.obligations[0].working_days_left < -100' "a long-missed promise counts its working days overdue"
call GET /api/v1/queues/overdue '' -H "$O"
expect_status 200 "the overdue queue"
expect "[.cases[].id] | index($late) != null and index($case1) == null" "holds the unanswered letter, not the answered email"
call GET /api/v1/queues/unassigned '' -H "$M"
expect "[.cases[].id] | index($late) != null" "unassigned holds it too"
call GET /api/v1/queues/unassigned '' -H "$S"
expect '.cases == []' "but not for another team"
call GET /api/v1/queues/mine '' -H "$O"
expect '.cases == []' "nothing is assigned to the officer yet"
for q in due-today at-risk; do
    call GET "/api/v1/queues/$q" '' -H "$O"
    expect_status 200 "the $q queue"
done
call GET '/api/v1/queues/unassigned?service=sendiass/enquiries' '' -H "$A"
expect "[.cases[].id] | index($late) == null" "a queue narrowed to another service leaves the letter out"
call GET '/api/v1/queues/unassigned?service=cognus/enquiries' '' -H "$A"
expect "[.cases[].id] | index($late) != null" "and narrowed to its own service holds it"
call GET '/api/v1/queues/unassigned?service=sendiass/enquiries' '' -H "$O"
expect_status 404 "an officer cannot narrow to a service not theirs"
call GET /api/v1/queues/someday '' -H "$O"
expect_status 404 "an unknown queue"
call GET '/api/v1/queues/overdue?limit=5000' '' -H "$O"
expect_status 400 "a limit too large"
expect '.fields == ["limit"]' "names the field"

# --- Bad input gets a sentence, and loses nothing saved ---
call POST /api/v1/cases '{"service":' -H "$O"
expect_status 400 "malformed JSON"
expect "$problem and (.detail | test(\"not valid JSON\"))" "says the JSON is broken"
call POST /api/v1/cases '[1,2]' -H "$O"
expect_status 400 "JSON that is not an object"
call POST /api/v1/cases '{"service":"nursery/enquiries","channel":"fax","received_at":"2026-02-30T09:00","subject":""}' -H "$O"
expect_status 400 "every field wrong"
expect '.fields | (index("service") != null and index("channel") != null and index("received_at") != null and index("subject") != null)' "names every field at fault"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"x","received_at":"2099-01-01T10:00:00Z"}' -H "$O"
expect_status 400 "a time in the future"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"x","flags":["Not A Flag"]}' -H "$O"
expect_status 400 "a malformed flag"
big=$(head -c 70000 /dev/zero | tr '\0' 'x')
call POST /api/v1/cases "{\"subject\":\"$big\"}" -H "$O"
expect_status 413 "an oversized body"
expect "$problem" "413 is a problem document too"
call GET /api/v1/cases/abc '' -H "$O"
expect_status 404 "a case id that is not a number"
call GET /api/v1/nothing '' -H "$O"
expect_status 404 "an unknown endpoint"
call GET "/api/v1/cases/$case1" '' -H "$O"
expect '.version == 3 and (.contacts | length) == 2' "the case is as it was"

# --- People and organisations ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2025-11-03T10:00","subject":"Second question","requester":{"name":"A Parent","email":"parent@example.org"},"organisation":"Hill Primary School"}' -H "$O"
expect_status 201 "a second case from the same parent"
person=$(json .person_id)
school=$(json .organisation_id)
call GET "/api/v1/cases/$case1" '' -H "$O"
expect ".person_id == $person" "is linked to the same person, found by email"
call GET "/api/v1/people/$person" '' -H "$O"
expect_status 200 "the person's page"
expect '.name == "A Parent" and (.cases | length) == 2' "with both cases"
call GET "/api/v1/people/$person" '' -H "$S"
expect_status 404 "another team cannot see the person"
call GET "/api/v1/audit" '' -H "$M"
expect "[.audit[] | select(.object == \"person\" and .object_id == $person and .action == \"read\")] | length >= 1" "reading a person is audited"
call GET "/api/v1/organisations/$school" '' -H "$O"
expect '.name == "Hill Primary School" and (.cases | length) == 1' "the school's page lists its case"
call GET "/api/v1/organisations/$school" '' -H "$S"
expect '.cases == []' "but not to another team"
call POST /api/v1/organisations '{"name":"Hill Primary School"}' -H "$O"
expect_status 409 "an organisation of the same name"
call POST /api/v1/organisations '{"name":"Oak Academy","kind":"university"}' -H "$O"
expect_status 400 "an unknown kind of organisation"
call POST /api/v1/people '{"name":"Young Person","date_of_birth":"2008-02-30"}' -H "$O"
expect_status 400 "a date of birth that does not exist"
expect '.fields == ["date_of_birth"]' "names the field"
call POST /api/v1/people "{\"name\":\"Young Person\",\"date_of_birth\":\"2008-02-29\",\"organisation_id\":$school}" -H "$O"
expect_status 201 "a person with a date of birth and a school"
young=$(json .id)
expect ".date_of_birth == \"2008-02-29\" and .organisation_id == $school" "as given"
expect '.service == "cognus/enquiries"' "recorded under the officer's service"
call GET "/api/v1/people/$young" '' -H "$O"
expect_status 200 "the recording team sees a person with no case yet"
call GET "/api/v1/people/$young" '' -H "$S"
expect_status 404 "another team does not"

# --- Search and the compliance report ---
call GET '/api/v1/search?q=school%20transport' '' -H "$O"
expect_status 200 "search"
expect "[.cases[].id] | index($case1) != null" "finds the case by its subject"
call GET '/api/v1/search?q=parent%40example.org' '' -H "$O"
expect "[.cases[].id] | index($case1) != null" "and by the requester's email"
call GET '/api/v1/search?q=school%20transport' '' -H "$S"
expect '.cases == []' "but not in another team's service"
call GET '/api/v1/search?q=%22%20OR%20NEAR(' '' -H "$O"
expect_status 200 "query syntax typed by a person is only words"
call GET '/api/v1/search' '' -H "$O"
expect_status 400 "a search without words"
call GET '/api/v1/reports/compliance?from=2025-06&to=2026-01' '' -H "$M"
expect_status 200 "the compliance report"
expect '.rows | map(select(.service == "cognus/enquiries" and .promise == "written-reply" and .month == "2025-12")) | .[0] | .due == 1 and .met_on_time == 1 and .not_met == 0 and .median_working_hours == 10.25' "December: the email, answered on time in 10.25 working hours (Friday 16:45 to Tuesday 11:00)"
expect '.rows | map(select(.month == "2025-06")) | .[0].not_met == 1' "June: the late letter, not kept"
call GET '/api/v1/reports/compliance?from=2025-06&to=2026-01&format=csv' '' -H "$M"
checks=$((checks + 1))
head -n 1 "$tmp/body" | grep -q '^service,promise,month,due,met_on_time,met_late,not_met,on_time_rate,median_working_hours' || fail "the CSV has its header"
checks=$((checks + 1))
grep -q '^cognus/enquiries,written-reply,2025-12,1,1,0,0,1.000,10.25' "$tmp/body" || fail "the CSV has December's row"
call GET '/api/v1/reports/compliance?from=2026-13' '' -H "$M"
expect_status 400 "a month that does not exist"

# --- The case list and its filters ---
call GET '/api/v1/cases?status=closed' '' -H "$O"
expect "[.cases[].id] | index($cx) != null and index($case1) == null" "closed cases"
call GET '/api/v1/cases?officer_id=me' '' -H "$O"
expect "[.cases[].id] | index($quick) != null and index($late) == null" "my cases"
call GET '/api/v1/cases?officer_id=none&service=enquiries' '' -H "$O"
expect_status 400 "a bare service id that is not unique"
call GET '/api/v1/cases?officer_id=none&service=cognus/enquiries&kind=enquiry&status=open' '' -H "$O"
expect "[.cases[].id] | index($late) != null and index($quick) == null" "unassigned open enquiries of one service"
call GET '/api/v1/cases?q=school%20transport&status=open' '' -H "$O"
expect "[.cases[].id] == [$case1]" "words and filters together"
call GET '/api/v1/cases?q=school%20transport' '' -H "$S"
expect '.cases == []' "another team finds nothing"
call GET '/api/v1/cases?status=bogus&officer_id=someone' '' -H "$O"
expect_status 400 "bad filters"
expect '.fields == ["status","officer_id"]' "are named"
call GET '/api/v1/cases?service=sendiass/enquiries' '' -H "$O"
expect_status 400 "a service not theirs"

# --- Paging: a page of the list and how many match in all ---
for i in 1 2 3 4 5 6 7; do
    call POST /api/v1/cases "{\"service\":\"sendiass/enquiries\",\"channel\":\"phone\",\"subject\":\"Paging $i\"}" -H "$S"
done
expect_status 201 "seven cases for one team"
call GET '/api/v1/cases?status=open&limit=3' '' -H "$S"
expect '.total == 7 and .limit == 3 and .offset == 0 and (.cases | length) == 3' "the first page of three says 7 match"
first=$(json '[.cases[].id] | join(",")')
call GET '/api/v1/cases?status=open&limit=3&offset=6' '' -H "$S"
expect '.total == 7 and .offset == 6 and (.cases | length) == 1' "the last page holds the seventh"
call GET '/api/v1/cases?status=open&limit=3&offset=3' '' -H "$S"
expect "(.cases | length) == 3 and ([.cases[].id] | join(\",\")) != \"$first\"" "the second page is other cases"
call GET '/api/v1/cases?status=open&limit=3&offset=50' '' -H "$S"
expect '.total == 7 and .cases == []' "past the end: no cases, still the total"
call GET '/api/v1/cases?q=paging&limit=2&offset=2' '' -H "$S"
expect '.total == 7 and (.cases | length) == 2' "a search says how many matched too"
call GET '/api/v1/cases?q=paging' '' -H "$O"
expect '.total == 0 and .cases == []' "another team counts none of them"
call GET '/api/v1/queues/unassigned?limit=2' '' -H "$S"
expect '.total == 7 and (.cases | length) == 2' "a queue says how many it holds"
call GET '/api/v1/queues/unassigned?limit=2&offset=6' '' -H "$S"
expect '.total == 7 and (.cases | length) == 1' "and pages through them"
call GET '/api/v1/queues/mine' '' -H "$S"
expect '.total == 0' "an empty queue counts 0"
call GET '/api/v1/cases?limit=5x&offset=-1' '' -H "$S"
expect_status 400 "paging numbers that are not whole numbers in range"
expect '.fields == ["limit","offset"]' "name both"

# --- The API description ---
call GET /api/v1/openapi.yaml
expect_status 200 "the OpenAPI document is served without signing in"
checks=$((checks + 1))
cmp -s "$tmp/body" docs/openapi.yaml || fail "the served document is docs/openapi.yaml"
# Every route the server answers is described.
for path in /api/v1/session /api/v1/cases '/api/v1/cases/{id}' '/api/v1/cases/{id}/contacts' \
    '/api/v1/queues/{name}' /api/v1/services /api/v1/colleagues /api/v1/audit /api/v1/search \
    /api/v1/reports/compliance /api/v1/policies /api/v1/people '/api/v1/people/{id}' \
    /api/v1/organisations '/api/v1/organisations/{id}' /api/v1/policies/check /healthz; do
    checks=$((checks + 1))
    grep -qF "  $path:" docs/openapi.yaml || fail "docs/openapi.yaml does not describe $path"
done

finish
