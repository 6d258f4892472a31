#!/bin/sh
# Every way in has a clock, and cases move: a message through a public form
# gets the charter's written-reply promise; an internal target is tracked
# on the case but not promised on the public page; an FOI request that
# reaches Cognus is referred to the London Borough of Sutton and keeps the
# time it first arrived; transfers within an organisation; who may move a
# case, and every refusal as a sentence.
. "$(dirname "$0")/lib.sh"
start_server
problem='.type and .title and .status and (.detail | length > 10)'
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
user() { # user EMAIL ROLE SERVICE... -> prints a token
    email=$1 role=$2
    shift 2
    services=
    for s in "$@"; do services="$services --service $s"; done
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$email" --name "$email" \
        --role "$role" $services --password-stdin >/dev/null
    "$charter" admin token --email "$email" --db "$db"
}
O="Authorization: Bearer $(user olu@cognus.example officer cognus/enquiries)"
M="Authorization: Bearer $(user meg@cognus.example manager cognus/enquiries)"
H="Authorization: Bearer $(user hana@hackney.example officer hackney-services-for-schools/enquiries hackney-services-for-schools/school-improvement)"
form() { # form PATH DATA
    status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data "$2" "$base$1")
}
reference() { sed -n 's/.*Your reference is <strong>\([0-9]*\)<\/strong>.*/\1/p' "$tmp/body"; }
has() { # has TEXT WHAT: the page holds TEXT
    checks=$((checks + 1))
    grep -qF "$1" "$tmp/body" || fail "$2"
}
lacks() {
    checks=$((checks + 1))
    ! grep -qF "$1" "$tmp/body" || fail "$2"
}

# --- A web form is written correspondence ---
form /public/cognus/contact 'subject=Transport+forms&message=Where+is+the+form%3F&name=A+Parent&email=p%40example.org'
expect_status 200 "a web contact to Cognus"
has 'We will reply by <strong>' "the thank-you page promises the written reply"
lacks 'We will be in touch' "and no longer says only that we will be in touch"
ref=$(reference)
call GET "/api/v1/cases/$ref" '' -H "$A"
expect '.channel == "web" and [.obligations[].promise] == ["written-reply"]' "a web contact to Cognus gets the written-reply obligation"
form /public/cognus/feedback 'kind=complaint&message=Nobody+replied.&name=A+Parent&email=p%40example.org'
expect_status 200 "a complaint to Cognus through the feedback form"
call GET "/api/v1/cases/$(reference)" '' -H "$A"
expect '.kind == "complaint" and [.obligations[].promise] == ["written-reply"]' "is written correspondence too"
form /public/beacon/contact 'subject=Support&message=Can+you+call%3F&name=A+Head&email=h%40school.example'
call GET "/api/v1/cases/$(reference)" '' -H "$A"
expect '[.obligations[].promise] == ["same-day-return"]' "a web message to Beacon is returned like an email"

# --- An internal target: tracked, not promised ---
form /public/customer-care-template/feedback 'kind=complaint&message=Rude+on+the+phone.&name=A+Parent&email=p%40example.org'
expect_status 200 "a complaint under the customer care template"
has 'All feedback and complaints are investigated and receive a full response. We do not promise a time for this.' "the thank-you page says plainly that no time is promised"
lacks 'We will reply by' "and promises no date"
call GET "/api/v1/cases/$(reference)" '' -H "$A"
expect '.obligations | length == 1 and .[0].promise == "feedback-response" and .[0].internal == true and (.[0].due_at | length) > 0' "the desk tracks the internal target with a due time"
expect '.next_due_at == .obligations[0].due_at' "and queues the case by it"
call GET /public/customer-care-template
has 'All feedback and complaints are investigated and receive a full response.<br><span class="hint">We do not promise a time for this.</span>' "the standards page does not present the target as a promise"
lacks '14 working days' "nor does it show the target"
form /public/sendiass/feedback 'kind=comment&message=Very+helpful.&name=A+Carer&email=c%40example.org'
has 'Our service standards do not promise a time for answering this kind of message.' "a way in with no clock says so honestly"

# --- Requests handled elsewhere, on the public pages ---
call GET /public/cognus
has 'Freedom of Information and subject access requests are handled by the London Borough of Sutton' "Cognus's standards page names where FOI goes"
form /public/cognus/contact 'request=foi&subject=Spending+on+transport&message=How+much+was+spent%3F&name=A+Resident&email=r%40example.org'
expect_status 200 "an FOI request through Cognus's contact form"
has 'We have passed your request to <strong>London Borough of Sutton</strong>.' "the thank-you page says where it went"
has 'London Borough of Sutton will reply by <strong>' "and when the council will answer"
call GET "/api/v1/cases/$(reference)" '' -H "$A"
expect '.service == "sutton/information-requests" and .kind == "foi" and [.obligations[].promise] == ["foi-reply"] and ([.events[].what] | index("referred")) != null' "it opened with the council, referred"
form /public/cognus/contact 'request=nonsense&subject=x&message=y&name=A&email=a%40b.org'
expect_status 400 "an unknown kind of request"
has 'Choose what kind of message this is.' "is asked again"

# --- Referral through the API ---
call POST /api/v1/cases '{"service":"cognus/enquiries","kind":"foi","channel":"email","received_at":"2026-11-02T10:00","subject":"FOI: school meals contract"}' -H "$O"
expect_status 201 "an FOI request logged at Cognus"
expect '.obligations == []' "Cognus makes no promise of its own about FOI"
foi=$(json .id)
call GET "/api/v1/cases/$foi/destinations" '' -H "$O"
expect_status 200 "where the case may go"
expect '.destinations[0].service == "sutton/information-requests" and .destinations[0].referral == true and (.destinations[0].route_text | test("London Borough of Sutton"))' "the charter's route comes first, with what to tell the requester"
expect '[.destinations[].service] == ["sutton/information-requests"]' "an officer may send it only along the route"
call POST "/api/v1/cases/$foi/transfer" '{"service":"sutton/information-requests","reason":"FOI requests are the council'"'"'s"}' -H "$O"
expect_status 428 "a transfer without If-Match"
call POST "/api/v1/cases/$foi/transfer" '{"service":"sutton/information-requests","reason":"x"}' -H "$O" -H 'If-Match: "7"'
expect_status 409 "a transfer against an old version"
call POST "/api/v1/cases/$foi/transfer" '{"service":"leeds/foi","reason":"x"}' -H "$O" -H 'If-Match: "1"'
expect_status 400 "a transfer to an unknown service"
expect "$problem"' and .fields == ["service"] and (.detail | test("no service .leeds/foi."))' "is refused with a sentence naming it"
call POST "/api/v1/cases/$foi/transfer" '{"service":"sutton/information-requests"}' -H "$O" -H 'If-Match: "1"'
expect_status 400 "a transfer without a reason"
expect '.fields == ["reason"]' "names the missing reason"
call POST "/api/v1/cases/$foi/transfer" '{"service":"cognus/enquiries","reason":"x"}' -H "$O" -H 'If-Match: "1"'
expect_status 400 "a transfer to the service it is in"
call POST "/api/v1/cases/$foi/transfer" '{"service":"sutton/information-requests","reason":"FOI requests are the council'"'"'s"}' -H "$O" -H 'If-Match: "1"' -D "$tmp/headers"
expect_status 200 "the officer refers it along the route"
expect '.service == "sutton/information-requests" and .received_at == "2026-11-02T10:00:00Z" and .version == 2' "re-homed, keeping the time it first arrived"
expect '[.obligations[] | {promise, due_at}] == [{"promise":"foi-reply","due_at":"2026-12-01T23:59:59Z"}]' "the 20 statutory working days count from Monday 2 November (St Andrew's Day and Christmas are not working days)"
expect '.events[-1].what == "referred" and (.events[-1].detail | test("^referred to London Borough of Sutton \\(sutton/information-requests\\): FOI requests"))' "the timeline records the referral and why"
checks=$((checks + 1))
grep -qi '^ETag: "2"' "$tmp/headers" || fail "the answer carries the new ETag"
call GET "/api/v1/cases/$foi" '' -H "$O"
expect_status 404 "once referred, it is no longer the Cognus officer's case"

# --- Who may move a case ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Advice on an EHCP"}' -H "$O"
enq=$(json .id)
received=$(json .received_at)
call POST "/api/v1/cases/$enq/transfer" '{"service":"sendiass/enquiries","reason":"SEND advice"}' -H "$O" -H 'If-Match: "1"'
expect_status 403 "an officer cannot send a case to a service they do not belong to"
expect "$problem" "and is told who can"
call GET /api/v1/users '' -H "$A"
olu=$(json '.users[] | select(.email == "olu@cognus.example") | .id')
call PATCH "/api/v1/cases/$enq" '{"officer_id":'"$olu"'}' -H "$M" -H 'If-Match: "1"'
expect_status 200 "the enquiry is assigned to the Cognus officer"
call GET "/api/v1/cases/$enq/destinations" '' -H "$M"
expect '[.destinations[].service] | index("sendiass/enquiries") != null' "a manager may send it anywhere"
call POST "/api/v1/cases/$enq/transfer" '{"service":"sendiass/enquiries","reason":"SEND advice is SENDIASS'"'"'s"}' -H "$M" -H 'If-Match: "2"'
expect_status 200 "a manager refers it to another body"
expect '[.obligations[] | {promise, state}] == [{"promise":"written-reply","state":"withdrawn"},{"promise":"enquiry-reply","state":"pending"}]' "Cognus's promise is withdrawn and SENDIASS's applies"
expect '.obligations[0].reason | test("^referred to SEND Information, Advice and Support Service \\(sendiass/enquiries\\): SEND advice")' "the withdrawn promise says why"
expect '.obligations[0].service == "cognus/enquiries" and (.obligations[1] | has("service") | not)' "and stays Cognus's, in Cognus's figures"
expect '.next_due_at == .obligations[1].due_at' "the case is queued by its new promise alone"
expect '.officer_id == null' "and leaves the Cognus officer, who is not in SENDIASS, for SENDIASS's unassigned queue"
sendiass_due=$("$charter" due --policy policies/sendiass.yaml --channel email --received "$received" --json | jq -r '.obligations[0].due')
expect '.obligations[1].due_at == "'"$sendiass_due"'"' "SENDIASS's 5 working days count from the original receipt"

# A promise broken before the referral stays broken, as the old body's
# history: it no longer sets the case's place in the queues, and later
# changes leave it alone.
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-01T10:00","subject":"An old letter"}' -H "$M"
late=$(json .id)
expect '.obligations[0].state == "breached"' "Cognus's reply is already overdue"
call POST "/api/v1/cases/$late/transfer" '{"service":"sendiass/enquiries","reason":"for SENDIASS"}' -H "$M" -H 'If-Match: "1"'
expect '[.obligations[] | {promise, state, service}] == [{"promise":"written-reply","state":"breached","service":"cognus/enquiries"},{"promise":"enquiry-reply","state":"breached","service":null}]' "the broken promise stays broken, and Cognus's"
call PATCH "/api/v1/cases/$late" '{"flags":["urgent"]}' -H "$A" -H 'If-Match: "2"'
expect_status 200 "a later change to the referred case"
expect '[.obligations[].promise] == ["written-reply","enquiry-reply"] and .obligations[0].state == "breached"' "leaves the old body's history alone"
call POST "/api/v1/cases/$late/contacts" '{"direction":"outbound","channel":"email","summary":"Our answer","meets":["respond"]}' -H "$A" -H 'If-Match: "3"'
expect '[.obligations[] | {promise, state}] == [{"promise":"written-reply","state":"breached"},{"promise":"enquiry-reply","state":"met"}] and .next_due_at == null' "a reply from SENDIASS keeps SENDIASS's promise, not Cognus's"

# --- A transfer within one organisation ---
call POST /api/v1/cases '{"service":"hackney-services-for-schools/enquiries","channel":"email","subject":"Governor training"}' -H "$H"
hk=$(json .id)
call POST "/api/v1/cases/$hk/contacts" '{"direction":"outbound","channel":"email","summary":"Thanks, we are on it","meets":["acknowledge"]}' -H "$H" -H 'If-Match: "1"'
call POST "/api/v1/cases/$hk/transfer" '{"service":"hackney-services-for-schools/school-improvement","reason":"a school improvement matter"}' -H "$H" -H 'If-Match: "2"'
expect_status 200 "an officer of both services transfers between them"
expect '.service == "hackney-services-for-schools/school-improvement" and .events[-1].what == "transferred" and (.events[-1].detail | test("^transferred to School improvement and consultancy"))' "a transfer, with the reason on the timeline"
expect '[.obligations[] | {promise, state}] == [{"promise":"written-acknowledge","state":"met"},{"promise":"written-reply","state":"pending"}]' "the organisation's promises go with the case: the acknowledgement sent is not owed again, the reply is still owed once"
reply=$(json '[.obligations[] | select(.promise == "written-reply")][0].id')
call PATCH "/api/v1/cases/$hk" '{"status":"closed","settle":[{"obligation":'"$reply"',"outcome":"withdrawn","reason":"The governor found the course elsewhere."}]}' -H "$H" -H 'If-Match: "3"'
expect_status 200 "the case is closed, its reply withdrawn"
call POST "/api/v1/cases/$hk/transfer" '{"service":"hackney-services-for-schools/enquiries","reason":"back"}' -H "$H" -H 'If-Match: "4"'
expect_status 409 "a closed case does not move"
expect '.detail | test("reopen it first")' "and says what to do"
finish
