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

# The points of contact each charter names, and its privacy notice.
call GET /public/hackney-services-for-schools
for text in '<h2>How to contact us</h2>' '<h3>Services for Schools team</h3>' \
    '<dt>Telephone</dt><dd><a href="tel:02088207566">020 8820 7566</a></dd>' \
    '<dt>Email</dt><dd><a href="mailto:s4s@hackney-schools.example">s4s@hackney-schools.example</a></dd>' \
    '<dt>When</dt><dd>Monday to Friday, 9am to 5pm, except bank holidays.</dd>' \
    'Our <a href="https://education.hackney-schools.example/privacy-notice">privacy notice</a>'; do
    checks=$((checks + 1))
    grep -qF "$text" "$tmp/body" || fail "Hackney's page shows: $text"
done
call GET /public/cognus
for text in '<dt>Post</dt><dd><address>Cognus Limited<br>Cantium House<br>Railway Approach<br>Wallington<br>SM6 0DZ</address></dd>' \
    '<dt>Visiting</dt><dd>By appointment only: please arrange one before you call in.</dd>' \
    '<a href="tel:02083230450">020 8323 0450</a>' '<a href="mailto:feedback@cognus.example">' \
    'href="https://www.cognus.example/privacy-notice"'; do
    checks=$((checks + 1))
    grep -qF "$text" "$tmp/body" || fail "Cognus's page shows: $text"
done
call GET /public/beacon
checks=$((checks + 1))
# A point of contact for one service sits under that service's heading.
tr -d '\n' <"$tmp/body" | grep -qE '<h2>Telephone and email support</h2>.*<h3>The support line</h3>.*<h2>Consultancy in school</h2>.*<h3>Your consultant</h3>.*<h2>What we promise</h2>' ||
    fail "Beacon's points of contact are under their services"
call GET /public/customer-care-template
checks=$((checks + 1))
grep -qF '<dt>Visiting</dt><dd>You can call in without an appointment.</dd>' "$tmp/body" || fail "the template welcomes callers"
call GET /public/uk-statutory
checks=$((checks + 1))
grep -qF 'requests@uk-statutory.example' "$tmp/body" && grep -qF 'privacy notice' "$tmp/body" ||
    fail "the statutory requests and complaints team can be reached, and says how it uses data"

# Complaints and compliments received last quarter (whole UTC months, as
# the promise records above): counted by the kind of case and when it
# arrived, for this charter's services only.
y=$(date -u +%Y) m=$(date -u +%m)
q0=$(( (y * 12 + ${m#0} - 1) / 3 * 3 - 3 ))
first=$(printf '%04d-%02d-01' $((q0 / 12)) $((q0 % 12 + 1)))
next=$(date -u -d "$first +3 months" +%Y-%m-%d)
words=$(date -u -d "$first" '+%-d %B %Y')
last_words=$(date -u -d "$next -1 day" '+%-d %B %Y')
before=$(date -u -d "$first -1 second" +%Y-%m-%dT%H:%M:%SZ)
mid="${first}T10:30:00Z"
newcase() { # newcase SERVICE KIND RECEIVED
    call POST /api/v1/cases "{\"service\":\"$1\",\"kind\":\"$2\",\"channel\":\"email\",\"received_at\":\"$3\",\"subject\":\"Feedback\",\"requester\":{\"name\":\"A Head\",\"email\":\"head@school.example\"}}" -H "$A"
    expect_status 201 "a $2 received $3"
}
newcase hackney-services-for-schools/enquiries complaint "$mid"
newcase hackney-services-for-schools/school-improvement complaint "${first}T00:00:00Z"
newcase hackney-services-for-schools/enquiries complaint "$before"
newcase hackney-services-for-schools/specialist-teaching-inclusion compliment "$mid"
newcase hackney-services-for-schools/enquiries enquiry "$mid"
newcase cognus/enquiries complaint "$mid"
call GET /public/hackney-services-for-schools
checks=$((checks + 1))
grep -qF "<h2>Complaints and compliments</h2><p>From $words to $last_words we received 2 complaints and 1 compliment.</p>" "$tmp/body" ||
    fail "Hackney's page counts last quarter's complaints and compliments ($words to $last_words)"
call GET /public/cognus
checks=$((checks + 1))
grep -qF "we received 1 complaint and no compliments." "$tmp/body" || fail "and Cognus's its own"
call GET /public/sendiass
checks=$((checks + 1))
grep -qF "we received no complaints and no compliments." "$tmp/body" || fail "and SENDIASS none"

# The desk's policy editor (POST /api/v1/policies/check, which loading
# runs too): a mistake in the points of contact comes back at its line and
# column; corrected, the charter passes.
cat >"$tmp/oak.yaml" <<'YAML'
charter: 1
id: oak-trust
organisation: Oak Trust Schools
review_by: 2027-09-01
calendars:
  office: {hours: {monday-friday: 09:00-17:00}, bank_holidays: england-and-wales}
services:
  - {id: enquiries, name: Enquiries, calendar: office}
promises: []
contact:
  - name: Trust office
    telephone: 01632 960 123
    email: office@oak-trust.example
    appointment: by arrangement
YAML
call POST /api/v1/policies/check "$(jq -Rs '{text: .}' "$tmp/oak.yaml")" -H "$A"
expect_status 400 "a point of contact with a mistake"
expect '.problems == [{"line": 14, "column": 18, "message": .problems[0].message}] and (.problems[0].message | startswith("appointment '"'"'by arrangement'"'"' must be required"))' "is refused at its line and column"
sed 's/appointment: by arrangement/appointment: not-needed/' "$tmp/oak.yaml" >"$tmp/oak2.yaml"
call POST /api/v1/policies/check "$(jq -Rs '{text: .}' "$tmp/oak2.yaml")" -H "$A"
expect_status 200 "the corrected points of contact"
expect '.id == "oak-trust" and .services == 1' "pass the check"

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
form /public/hackney-services-for-schools/feedback 'kind=compliment&message=Sam+was+so+helpful.&name=A+Parent&email=parent%40example.org'
expect_status 200 "a compliment through the feedback form"
checks=$((checks + 1))
grep -qF 'We pass every compliment on to the people it is about' "$tmp/body" || fail "the thank-you says where praise goes"
ref=$(sed -n 's/.*Your reference is <strong>\([0-9]*\)<\/strong>.*/\1/p' "$tmp/body")
call GET "/api/v1/cases/$ref" '' -H "$A"
expect '.kind == "compliment" and .subject == "Compliment"' "is a compliment case"

# A body with more fields than any form has is refused whole, not cut short.
many=$(seq 1 70 | sed 's/.*/x&=1/' | paste -sd '&')
form /public/hackney-services-for-schools/contact "subject=Too+many&message=Hello&name=A&email=a%40school.example&$many"
expect_status 400 "a form with 74 fields"
checks=$((checks + 1))
grep -qF 'The form could not be read; type your message again.' "$tmp/body" || fail "says it could not be read"
# An encoded NUL would cut the message short where nobody could see it.
form /public/hackney-services-for-schools/contact "subject=Cut&message=Hello%00and+the+rest&name=A&email=a%40school.example"
expect_status 400 "a message holding a NUL"
checks=$((checks + 1))
grep -qF 'The form could not be read; type your message again.' "$tmp/body" || fail "says it could not be read"

# One address may send only so many forms: twenty in ten minutes.
for i in $(seq 1 13); do
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
# Every answer carries the same protective headers: the stylesheet, a
# redirect, an API refusal and an HTML page alike.
for path in /public/style.css / /api/v1/cases /public/cognus /healthz; do
    checks=$((checks + 1))
    curl -s -o /dev/null -D "$tmp/h" "$base$path"
    grep -qi '^X-Content-Type-Options: nosniff' "$tmp/h" && grep -qi "^Content-Security-Policy: .*frame-ancestors 'none'" "$tmp/h" &&
        grep -qi '^Referrer-Policy: ' "$tmp/h" || fail "$path carries nosniff, frame-ancestors and a Referrer-Policy: $(cat "$tmp/h")"
done
# Heads too large are refused by the desk itself, worded and with the same
# headers, not by libmicrohttpd's bare page (which it gave past 32 KB).
long=$(head -c 40000 /dev/zero | tr '\0' a)
for what in url header; do
    checks=$((checks + 1))
    if [ $what = url ]; then
        code=$(curl -s -o "$tmp/body" -D "$tmp/h" -w '%{http_code}' "$base/public/cognus?x=$long")
        want=414
    else
        code=$(curl -s -o "$tmp/body" -D "$tmp/h" -w '%{http_code}' -H "X-Long: $long" "$base/public/cognus")
        want=431
    fi
    [ "$code" = $want ] && grep -qi '^X-Content-Type-Options: nosniff' "$tmp/h" &&
        grep -qi "^Content-Security-Policy: .*frame-ancestors 'none'" "$tmp/h" && jq -e '.detail | length > 20' "$tmp/body" >/dev/null ||
        fail "a 40 KB $what is refused $want with a sentence and the protective headers (got $code): $(cat "$tmp/h")"
done
finish
