#!/bin/sh
# The public pages, as a browser without JavaScript uses them: the standards
# page, the contact and feedback forms, their errors, and what they create.
. "$(dirname "$0")/lib.sh"
start_server
token=$("$charter" admin token --email admin@charter.local --db "$db")
A="Authorization: Bearer $token"

call GET /public/hackney-services-for-schools '' -D "$tmp/headers"
expect_status 200 "the standards page"
checks=$((checks + 1))
grep -qi "^Content-Security-Policy: default-src 'none'; style-src 'self'" "$tmp/headers" || fail "a strict Content-Security-Policy"
for text in 'Hackney Education, Services for Schools' '<th scope="row">Monday to Friday</th><td>09:00 to 17:00</td>' \
    'We give a clear and accurate answer to your request within 10 working days.' \
    'Nothing fell due under this promise last quarter.' 'href="/public/hackney-services-for-schools/contact"'; do
    checks=$((checks + 1))
    grep -qF "$text" "$tmp/body" || fail "the standards page shows: $text"
done
checks=$((checks + 1))
! grep -qiE '<script|style=' "$tmp/body" || fail "no script and no inline style"
call GET /public/beacon
checks=$((checks + 1))
grep -qF 'We are open in school term time only.' "$tmp/body" || fail "Beacon's page says term time only"
checks=$((checks + 1))
grep -qF 'Messages that reach us after 15:00 count from the next working day.' "$tmp/body" || fail "and its cut-off"

call GET /public/hackney-services-for-schools/contact
expect_status 200 "the contact form"
checks=$((checks + 1))
grep -qF '<label for="subject">' "$tmp/body" && grep -qF 'id="subject" name="subject"' "$tmp/body" || fail "every field has its label"

form() { # form PATH DATA
    status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data "$2" "$base$1")
}
form /public/hackney-services-for-schools/contact 'subject=&message=&name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&email=nope'
expect_status 400 "a form with mistakes"
checks=$((checks + 1))
grep -qF 'There is a problem' "$tmp/body" && grep -qF 'aria-invalid="true" aria-describedby="email-error"' "$tmp/body" || fail "errors are summarised and tied to their fields"
checks=$((checks + 1))
grep -qF 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' "$tmp/body" || fail "what was typed comes back escaped"
checks=$((checks + 1))
! grep -qF '<script>alert' "$tmp/body" || fail "never as markup"

form /public/hackney-services-for-schools/contact 'subject=Traded+services+invoice&message=Our+invoice+for+the+spring+term+looks+wrong.&name=School+Business+Manager&email=sbm%40school.example'
expect_status 200 "a good contact form"
checks=$((checks + 1))
grep -qE 'Your reference is <strong>[0-9]+</strong>' "$tmp/body" || fail "gives the reference"
checks=$((checks + 1))
grep -qE 'We will reply by <strong>(Monday|Tuesday|Wednesday|Thursday|Friday) [0-9]{1,2} [A-Z][a-z]+ 20[0-9]{2}</strong>' "$tmp/body" || fail "and the promise in words"
ref=$(sed -n 's/.*Your reference is <strong>\([0-9]*\)<\/strong>.*/\1/p' "$tmp/body")
call GET "/api/v1/cases/$ref" '' -H "$A"
expect '.channel == "web" and .subject == "Traded services invoice" and .requester.email == "sbm@school.example" and .contacts[0].summary == "Our invoice for the spring term looks wrong."' "the case holds what was sent"
expect '[.obligations[].promise] == ["written-acknowledge","written-reply"]' "with the charter's promises"

form /public/hackney-services-for-schools/feedback 'message=Nobody+rang+back.&name=A+Parent&email=parent%40example.org'
expect_status 400 "feedback without saying which kind"
form /public/hackney-services-for-schools/feedback 'kind=complaint&message=Nobody+rang+back.&name=A+Parent&email=parent%40example.org'
expect_status 200 "a complaint through the feedback form"
ref=$(sed -n 's/.*Your reference is <strong>\([0-9]*\)<\/strong>.*/\1/p' "$tmp/body")
call GET "/api/v1/cases/$ref" '' -H "$A"
expect '.kind == "complaint" and .obligations[0].promise == "feedback-acknowledge"' "is a complaint case, acknowledged within 5 working days"

# One address may send only so many forms: twenty in ten minutes.
for i in $(seq 1 16); do
    form /public/hackney-services-for-schools/contact 'subject='
done
expect_status 400 "the twentieth post is still read"
form /public/hackney-services-for-schools/contact 'subject='
expect_status 429 "the twenty-first is asked to wait"
checks=$((checks + 1))
grep -qF 'Please try again in ten minutes' "$tmp/body" || fail "and told when to try again"

call GET /public/no-such-charter
expect_status 404 "an unknown charter"
call GET /public/style.css
expect_status 200 "the stylesheet"
finish
