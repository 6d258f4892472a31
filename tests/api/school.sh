#!/bin/sh
# A school's own view, black-box: its named contact asks for a sign-in link
# (the same answer whether or not the address is known), the link reaches a
# real SMTP server on loopback, works once (a button, so a mail scanner
# cannot use it up), and opens a session that shows only the contracts
# naming that contact: balance, visits, statements for begun terms, and a
# form that opens a case with a clock. Staff see the same page for a
# contract they may see.
. "$(dirname "$0")/lib.sh"
mkdir -p "$tmp/mail"
/usr/bin/python3 "$(dirname "$0")/smtp_sink.py" "$tmp/mail" >"$tmp/sink.port" &
sink_pid=$!
trap 'kill $sink_pid 2>/dev/null; stop_server; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
    port=$(cat "$tmp/sink.port")
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { echo "FAIL: the SMTP sink did not start"; exit 1; }
start_server --smtp "smtp://127.0.0.1:$port" --mail-from hours@beacon.example --outbox-seconds 1
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
wait_mail() {
    for _ in $(seq 1 100); do
        [ -f "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
# form METHOD PATH DATA [curl args]: a browser's form post, answer in $tmp/body.
form() {
    path=$1 data=$2
    shift 2
    status=$(curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$data" "$@" "$base$path")
}
page() { status=$(curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' "$@"); }
has() { checks=$((checks + 1)); grep -q -- "$1" "$tmp/body" || fail "$2: $(head -c 600 "$tmp/body")"; }
hasnt() { checks=$((checks + 1)); ! grep -q -- "$1" "$tmp/body" || fail "$2"; }

call POST /api/v1/contracts '{"school":"Oak Academy","service":"beacon/consultancy","year":"2026-27","amount":10,"unit":"hours","contact":{"name":"Mr Oak","email":"bm@oak.example"},"scope":"Behaviour in Years 5 and 6"}' -H "$A"
oak=$(json .id)
call POST "/api/v1/contracts/$oak/visits" '{"starts_at":"2026-11-23T09:30"}' -H "$A"
call PATCH "/api/v1/visits/$(json .id)" '{"outcome":"delivered","actual_minutes":150}' -H "$A"
call POST "/api/v1/contracts/$oak/visits" '{"starts_at":"2027-01-12T09:30","release":"SENCO"}' -H "$A"
call POST /api/v1/contracts '{"school":"Oak <Annexe> & Co","service":"beacon/consultancy","year":"2026-27","amount":5,"unit":"hours","contact":{"name":"Mr Oak","email":"bm@oak.example"}}' -H "$A"
call POST /api/v1/contracts '{"school":"Elm Primary","service":"beacon/consultancy","year":"2026-27","amount":20,"unit":"hours","contact":{"name":"Ms Elm","email":"bm@elm.example"}}' -H "$A"
elm=$(json .id)

# --- Asking for a link says the same for any address ---
page "$base/school"
expect_status 200 "the sign-in page"
has 'Email me a sign-in link' "it asks for the contact's address"
form /school/sign-in 'email=nobody%40nowhere.example'
expect_status 200 "an address no contract names"
has 'If that address is the named contact' "is answered as any other"
form /school/sign-in 'email=not-an-address'
expect_status 400 "something that is not an address"
form /school/sign-in 'email=BM%40oak.example'
expect_status 200 "the school's contact, in capitals"
has 'If that address is the named contact' "gets the same answer"
checks=$((checks + 1))
wait_mail "$tmp/mail/001.eml" || fail "the sign-in link reached the mail server"
checks=$((checks + 1))
[ ! -f "$tmp/mail/002.eml" ] || fail "no mail went to the unknown address"
link=$(/usr/bin/python3 -c '
import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
assert m["To"].addresses[0].addr_spec.lower() == "bm@oak.example", m["To"]
print(re.search(r"(http://\S+/school/link\?token=\S+)", m.get_body(("plain",)).get_content()).group(1))
' "$tmp/mail/001.eml")
token=${link##*token=}
checks=$((checks + 1))
case $link in "$base/school/link?token="*) ;; *) fail "the link points at the desk: $link" ;; esac

# Three links in half an hour at most: the form cannot flood an inbox.
for _ in 1 2 3; do form /school/sign-in 'email=bm%40oak.example'; done
expect_status 200 "asking again and again gets the same answer"
checks=$((checks + 1))
wait_mail "$tmp/mail/003.eml" && sleep 2 && [ ! -f "$tmp/mail/004.eml" ] ||
    fail "three links reach the contact, the fourth request sends none: $(ls "$tmp/mail")"

# --- The link: a button first, then it works once ---
page "$link"
expect_status 200 "opening the link"
has 'name="token"' "shows a button to sign in, and does not sign in yet"
form /school/link "token=$token" -H "Origin: http://evil.example"
expect_status 403 "a sign-in posted from another website is refused"
form /school/link "token=$token"
expect_status 303 "pressing it signs in"
cookie=$(sed -n 's/^Set-Cookie: \(charter_school=[^;]*\);.*/\1/p' "$tmp/head" | tr -d '\r')
checks=$((checks + 1))
[ -n "$cookie" ] && grep -qi '^Set-Cookie: charter_school=.*; Path=/school; HttpOnly; SameSite=Strict; Max-Age=28800' "$tmp/head" ||
    fail "a session cookie, HttpOnly and SameSite: $(cat "$tmp/head")"
form /school/link "token=$token"
expect_status 410 "the link works once"
has 'used or has expired' "and says so"

# --- Only the contact's own school ---
page -H "Cookie: $cookie" "$base/school"
expect_status 200 "the school's page"
has 'Oak Academy: Consultancy in school, 2026-27' "their contract"
has 'Behaviour in Years 5 and 6' "with what it covers"
has 'Needs your SENCO released' "and a visit that needs the SENCO"
hasnt 'Elm Primary' "another school's contract is not shown"
has 'Oak &lt;Annexe&gt; &amp; Co' "a second contract naming the same contact, its name escaped"
hasnt '<Annexe>' "never as markup"
has '<td>2.50</td><td></td><td>delivered</td>' "a delivered visit with the time it took, in words"
has "/school/statement?contract=$oak&amp;term=autumn-2026&amp;format=pdf" "a statement for the begun term"
hasnt 'summer-2027' "none for a term not begun"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$tmp/body" | head -1)
page -H "Cookie: $cookie" "$base/school/statement?contract=$oak&term=autumn-2026&format=pdf"
expect_status 200 "their statement as a PDF"
checks=$((checks + 1))
head -c 4 "$tmp/body" | grep -q '%PDF' || fail "a PDF"
page -H "Cookie: $cookie" "$base/school/statement?contract=$elm&term=autumn-2026&format=pdf"
expect_status 404 "not another school's"
page -H "Cookie: $cookie" "$base/school/statement?contract=$oak&term=summer-2027&format=pdf"
expect_status 409 "nor a term not yet begun"
has 'once its term has begun' "said as a page, not as the desk's own error"
page "$base/school/statement?contract=$oak&term=autumn-2026&format=pdf"
expect_status 401 "and nothing without signing in"

# --- Telling the service of a change opens a case with a clock ---
form /school/message "csrf=$csrf&contract=$oak&message=Our+SENCO+leaves+at+Christmas" -H "Cookie: $cookie"
expect_status 200 "the message is sent"
has 'Its reference is' "with a reference"
ref=$(sed -n 's/.*Its reference is \([0-9]*\)\..*/\1/p' "$tmp/body" | head -1)
call GET "/api/v1/cases/$ref" '' -H "$A"
expect '.service == "beacon/enquiries" and .requester.email == "bm@oak.example" and (.subject | test("Oak Academy \\(contract '"$oak"'")) and (.obligations | length) > 0' "a case on the charter's enquiries service, with its promises' clock"
form /school/message "contract=$oak&message=Forged" -H "Cookie: $cookie"
expect_status 403 "a message without the page's form token is refused"
form /school/message "csrf=$csrf&contract=$elm&message=Not+ours" -H "Cookie: $cookie"
has 'Choose one of your school' "nor about another school's contract"

# --- Staff see what the school sees ---
call GET "/api/v1/contracts/$oak/school-view" '' -H "$A"
expect_status 200 "staff preview the school's page"
has 'This is what bm@oak.example sees' "saying whose view it is"
has 'Oak Academy: Consultancy in school' "with the same contract"
hasnt 'name="message"' "without the school's message form"
has "/api/v1/contracts/$oak/statement?term=autumn-2026&amp;format=pdf" "its statements through the desk"
echo 'officer pass 123' | "$charter" admin user add --db "$db" --email ola@cognus.example --name Ola --role officer --service cognus/enquiries --password-stdin >/dev/null
call GET "/api/v1/contracts/$oak/school-view" '' -H "Authorization: Bearer $("$charter" admin token --email ola@cognus.example --db "$db")"
expect_status 404 "another service's officer cannot"

# --- Signing out ---
form /school/sign-out "" -H "Cookie: $cookie"
expect_status 403 "signing out needs the page's own form"
form /school/sign-out "csrf=$csrf" -H "Cookie: $cookie"
expect_status 200 "signed out"
checks=$((checks + 1))
grep -qi '^Set-Cookie: charter_school=;' "$tmp/head" || fail "the cookie is cleared"
page -H "Cookie: $cookie" "$base/school"
has 'Email me a sign-in link' "and the old session no longer works"
finish
