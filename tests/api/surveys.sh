#!/bin/sh
# Customer surveys, black-box: closing a SENDIASS enquiry (survey delay 0
# days here) sends its requester an invitation through the outbox, which
# the SMTP sink receives with a one-time link; the public form (plain
# HTML) refuses a missing or impossible rating, an unknown field and an
# over-long or control-character comment with a sentence and saves
# nothing; a link past its closing date is 410 saying when it closed; one answer is taken
# (200, committed: it survives a kill -9 at once), a second is refused with
# 409; an anonymous answer is kept apart from its case; unknown, malformed
# and other charters' links are 404; cases the policy does not survey (no
# address, another policy, not yet due) get no invitation; and the report
# counts rates and scores by service and quarter as JSON, CSV and xlsx,
# only for services the user may see.
. "$(dirname "$0")/lib.sh"
mkdir -p "$tmp/mail" "$tmp/desk"
/usr/bin/python3 "$(dirname "$0")/smtp_sink.py" "$tmp/mail" >"$tmp/sink.port" &
sink_pid=$!
trap 'kill $sink_pid 2>/dev/null; stop_server; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do
    port=$(cat "$tmp/sink.port" 2>/dev/null)
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { echo "FAIL: the SMTP sink did not start"; exit 1; }
sed 's/delay: 2 days/delay: 0 days/' policies/sendiass.yaml >"$tmp/desk/sendiass.yaml"
cp policies/customer-care-template.yaml policies/cognus.yaml policies/sutton.yaml "$tmp/desk/"
serve() {
    start_server --policy "$tmp/desk/sendiass.yaml" --policy "$tmp/desk/customer-care-template.yaml" \
        --policy "$tmp/desk/cognus.yaml" --policy "$tmp/desk/sutton.yaml" \
        --smtp "smtp://127.0.0.1:$port" --mail-from desk@charter.example \
        --outbox-seconds 1 --sweep-seconds 1
}
serve
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"

# open SERVICE EMAIL SUBJECT: prints the new case's id.
open_case() {
    if [ -n "$2" ]; then
        who=",\"requester\":{\"name\":\"Priya Lee\",\"email\":\"$2\"}"
    else
        who=",\"requester\":{\"name\":\"No Address\"}"
    fi
    call POST /api/v1/cases "{\"service\":\"$1\",\"channel\":\"phone\",\"subject\":\"$3\"$who}" -H "$A"
    json .id
}
# close ID: settles what is open and closes the case.
close_case() {
    call GET "/api/v1/cases/$1" '' -H "$A"
    v=$(json .version)
    settle=$(jq -c '[.obligations[] | select(.state == "pending" or .state == "paused") | {obligation: .id, outcome: "met", reason: "Answered by phone."}]' "$tmp/body")
    call PATCH "/api/v1/cases/$1" "{\"status\":\"closed\",\"settle\":$settle}" -H "$A" -H "If-Match: \"$v\""
    expect_status 200 "case $1 closes"
}
first=$(open_case sendiass/enquiries parent@parent.example "EHCP question")
second=$(open_case sendiass/enquiries carer@parent.example "Transport")
nobody=$(open_case sendiass/enquiries "" "No address given")
other=$(open_case cognus/enquiries parent@parent.example "Not surveyed")
later=$(open_case customer-care-template/enquiries parent@parent.example "Three days on")
opened=$(open_case sendiass/enquiries parent@parent.example "Still open")
for c in $first $second $nobody $other $later; do close_case "$c"; done

# wait_files N: the sink has N messages (the sweep and the outbox look every second).
wait_files() {
    for _ in $(seq 1 300); do
        [ "$(ls "$tmp/mail" | wc -l)" -ge "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
checks=$((checks + 1))
wait_files 2 || fail "two invitations reached the mail server"
/usr/bin/python3 - "$tmp/mail" "$first" "$second" >"$tmp/links" 2>"$tmp/check.out" <<'EOF' || fail "the invitations as received: $(cat "$tmp/check.out")"
import email, email.policy, os, re, sys
folder, first, second = sys.argv[1], sys.argv[2], sys.argv[3]
found = {}
for name in sorted(os.listdir(folder)):
    msg = email.message_from_bytes(open(os.path.join(folder, name), "rb").read(), policy=email.policy.default)
    to = msg["To"].addresses[0].addr_spec
    text = msg.get_content()
    m = re.search(r"https://desk\.sendiass\.example/public/sendiass/survey/([0-9a-f]{32})\b", text)
    assert m, text
    assert msg["From"].addresses[0].addr_spec == "advice@sendiass.example", msg["From"]
    assert msg["Auto-Submitted"] == "auto-generated", msg["Auto-Submitted"]
    case = re.search(r"Your case (\d+) ", text).group(1)
    assert "How did we do? Your case " + case in str(msg["Subject"]), msg["Subject"]
    assert "Dear Priya Lee" in text and "works once" in text and "anonymously" in text, text
    found[case] = (to, m.group(1))
assert sorted(found) == sorted([first, second]), found
assert found[first][0] == "parent@parent.example" and found[second][0] == "carer@parent.example", found
print(found[first][1], found[second][1])
EOF
t1=$(cut -d' ' -f1 "$tmp/links")
t2=$(cut -d' ' -f2 "$tmp/links")
form() { # form TOKEN BODY: posts the survey form as a browser does
    status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
        --data-binary "$2" "$base/public/sendiass/survey/$1")
}
has() { # has TEXT WHAT: the page holds TEXT
    checks=$((checks + 1))
    grep -q "$1" "$tmp/body" || fail "$2: no '$1' in the page"
}

call GET "/public/sendiass/survey/$t1"
expect_status 200 "the link opens the survey"
has 'name="rating"' "a rating to choose"
has 'Very satisfied' "in words"
has 'name="comment"' "and a comment"
has 'Answer anonymously' "SENDIASS allows anonymous answers"
has "case $first with Information, advice and support" "it says which case"
checks=$((checks + 1))
grep -q '<script' "$tmp/body" && fail "the form needs no JavaScript"

form "$t1" 'comment=Helpful'
expect_status 400 "no rating"
has 'There is a problem' "an error summary"
has 'Choose how satisfied you are' "saying what to do"
has 'Helpful' "what was typed is kept"
form "$t1" 'rating=9'
expect_status 400 "a rating that is not one of the five"
has 'one of the five choices' "says which are allowed"
form "$t1" 'rating=4&name=Priya'
expect_status 400 "a field the survey does not have"
has 'a field this survey does not have' "is refused, not dropped"
long=$(head -c 2001 /dev/zero | tr '\0' 'a')
form "$t1" "rating=4&comment=$long"
expect_status 400 "a comment over 2,000 characters"
has 'longer than 2,000 characters' "says the limit"
form "$t1" 'rating=4&comment=%ff%fe'
expect_status 400 "a comment that is not UTF-8"
form "$t1" 'rating=4&comment=cut%00here'
expect_status 400 "a NUL that would cut the comment short"
form "$t1" 'rating=4&comment=bell%07'
expect_status 400 "a control character"
has 'not text' "says why"
call GET "/public/sendiass/survey/$t1"
expect_status 200 "the refusals saved nothing: the survey is still open"

form "$t1" 'rating=4&comment=Clear+advice%2C+thank+you.+%3Cb%3Ekind%3C%2Fb%3E'
expect_status 200 "the answer is taken"
has 'Thank you for your answer' "a thank-you"
# Committed before the thank-you: a crash now loses nothing.
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null
server_pid=
serve
form "$t1" 'rating=1&comment=Changed+my+mind'
expect_status 409 "a second answer with the same link"
has 'already been answered' "with a sentence"
has 'first answer only' "saying which counts"
call GET "/public/sendiass/survey/$t1"
expect_status 409 "the used link says so"

# 2,000 characters of two bytes each are within the limit (it counts characters).
wide=$(/usr/bin/python3 -c 'import urllib.parse; print(urllib.parse.quote("é" * 1999 + "!"))')
form "$t2" "rating=2&comment=$wide&anonymous=maybe"
expect_status 400 "anonymous is a tick box"
has 'tick the box' "says how"
checks=$((checks + 1))
grep -q 'longer than 2,000' "$tmp/body" && fail "2,000 characters of é are not too long"
form "$t2" 'rating=2&comment=Too+slow&anonymous=yes'
expect_status 200 "an anonymous answer"
has 'kept apart from your name' "the thank-you says it is kept apart"

for bad in "0123" "$(printf '%032d' 0)" "$(echo "$t1" | tr 'a-f' 'A-F')"; do
    call GET "/public/sendiass/survey/$bad"
    expect_status 404 "a link we never sent ($bad)"
    has 'cannot find an open survey' "with a sentence"
done
# A link past its closing date (the test moves the date in the database).
sql() {
    if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
        psql -qtA "$(cat "$CHARTER_TEST_PG_URL_FILE")" -v ON_ERROR_STOP=1 \
            -c "SET search_path TO ${db##*schema=}; $1" >/dev/null
    else
        /usr/bin/python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=5); c.execute(sys.argv[2]); c.commit()' "$db" "$1"
    fi
}
third=$(open_case sendiass/enquiries late@parent.example "Closed late")
close_case "$third"
checks=$((checks + 1))
wait_files 3 || fail "a third invitation"
t3=$(/usr/bin/python3 - "$tmp/mail" <<'EOF'
import email, email.policy, os, re, sys
for name in sorted(os.listdir(sys.argv[1])):
    msg = email.message_from_bytes(open(os.path.join(sys.argv[1], name), "rb").read(), policy=email.policy.default)
    if msg["To"].addresses[0].addr_spec == "late@parent.example":
        print(re.search(r"/survey/([0-9a-f]{32})", msg.get_content()).group(1))
EOF
)
sql "UPDATE survey_invitations SET expires_at = 1 WHERE case_id = $third"
call GET "/public/sendiass/survey/$t3"
expect_status 410 "a link past its closing date"
has 'This survey closed on Thu 01 Jan 1970' "says when it closed"
form "$t3" 'rating=5'
expect_status 410 "and takes no answer"
call GET "/public/cognus/survey/$t2"
expect_status 404 "another charter's address does not open the link"
call GET "/public/nosuch/survey/$t2"
expect_status 404 "nor does an unknown charter"

# The link that expired unanswered still counts as asked.
asked=3 rate=67
call GET /api/v1/reports/surveys
expect_status 401 "the report needs a sign-in"
call GET /api/v1/reports/surveys '' -H "$A"
expect_status 200 "the report"
q=$(date -u +%Y)-Q$(( ($(date -u +%-m) - 1) / 3 + 1 ))
expect ".to == \"$q\" and (.rows | map(.quarter) | unique | length) == 4" "the last four quarters by default"
expect "[.rows[] | select(.service == \"sendiass/enquiries\" and .quarter == \"$q\")][0] | .invited == $asked and .answered == 2 and .response_rate == $rate and .responses == 2 and .ratings == [0,1,0,1,0] and .mean_rating == 3 and .satisfied == 50" "$asked invited, two answered, scored"
expect "[.rows[] | select(.service == \"customer-care-template/enquiries\" and .quarter == \"$q\")][0] | .invited == 0 and .response_rate == null and .mean_rating == null" "a surveyed service with none yet"
expect '[.rows[] | select(.service == "cognus/enquiries")] | length == 0' "a service with no survey is not listed"
expect "(.comments | length) == 2 and ([.comments[] | select(.case_id == $first)][0] | .comment == \"Clear advice, thank you. <b>kind</b>\" and .rating == 4 and .anonymous == false)" "the named comment, with its case"
expect '[.comments[] | select(.anonymous)][0] | .comment == "Too slow" and .case_id == null and .rating == 2' "the anonymous one names no case"

call GET "/api/v1/reports/surveys?from=$q&to=$q&service=sendiass/enquiries&format=csv" '' -H "$A"
expect_status 200 "as CSV"
checks=$((checks + 1))
[ "$(head -n 1 "$tmp/body" | tr -d '\r')" = "service,service_name,quarter,invited,answered,response_rate_percent,responses,mean_rating,satisfied_percent,very_dissatisfied,dissatisfied,neither,satisfied,very_satisfied" ] || fail "the CSV header"
checks=$((checks + 1))
[ "$(sed -n 2p "$tmp/body" | tr -d '\r')" = "sendiass/enquiries,\"Information, advice and support\",$q,$asked,2,$rate,2,3.00,50,0,1,0,1,0" ] || fail "the CSV row"
checks=$((checks + 1))
[ "$(wc -l <"$tmp/body")" -eq 2 ] || fail "one service, one quarter"
curl -s -o "$tmp/surveys.xlsx" -H "$A" "$base/api/v1/reports/surveys?format=xlsx&from=$q&to=$q"
checks=$((checks + 1))
/usr/bin/python3 - "$tmp/surveys.xlsx" "$q" "$first" "$asked" "$rate" >"$tmp/check.out" 2>&1 <<'EOF' || fail "the workbook: $(cat "$tmp/check.out")"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["Surveys", "Comments"], wb.sheetnames
rows = [[c.value for c in r] for r in wb["Surveys"].iter_rows()]
assert rows[0][:5] == ["Service", "Service name", "Quarter", "Invited", "Answered"], rows[0]
row = [r for r in rows if r[0] == "sendiass/enquiries"][0]
assert row[2] == sys.argv[2] and row[3] == int(sys.argv[4]) and row[4] == 2 and row[5] == int(sys.argv[5]) and row[7] == 3 and row[8] == 50, row
assert row[9:] == [0, 1, 0, 1, 0], row
blank = [r for r in rows if r[0] == "customer-care-template/enquiries"][0]
assert blank[3] == 0 and blank[5] is None and blank[7] is None, blank
comments = [[c.value for c in r] for r in wb["Comments"].iter_rows()][1:]
assert sorted(c[5] if c[5] == "anonymous" else str(c[5]) for c in comments) == sorted([sys.argv[3], "anonymous"]), comments
EOF

for bad in 'from=2026-Q5:from' 'to=last:to' 'from=2027-Q1&to=2026-Q1:from' 'from=2000-Q1&to=2026-Q1:from' \
           'format=pdf:format' 'service=nosuch/desk:service' 'colour=red:colour'; do
    call GET "/api/v1/reports/surveys?${bad%:*}" '' -H "$A"
    expect_status 400 "a report asked wrongly (${bad%:*})"
    expect ".fields == [\"${bad##*:}\"] and (.detail | length) > 20" "names ${bad##*:} with a sentence"
done

# An officer sees only their own services' figures.
echo 'a long officer password' | "$charter" admin user add --db "$db" --email olu@cognus.example --name Olu \
    --role officer --service cognus/enquiries --password-stdin >/dev/null
O="Authorization: Bearer $("$charter" admin token --email olu@cognus.example --db "$db")"
call GET /api/v1/reports/surveys '' -H "$O"
expect_status 200 "an officer's report"
expect '(.rows | length) == 0 and (.comments | length) == 0' "holds nothing of SENDIASS"
call GET "/api/v1/reports/surveys?service=sendiass/enquiries" '' -H "$O"
expect_status 400 "another team's service is not theirs to ask for"

# No address, no survey, not yet due, still open: no invitation.
for c in $nobody $other $later $opened; do
    call GET "/api/v1/cases/$c/outbox" '' -H "$A"
    expect '[.messages[] | select(.purpose == "survey")] | length == 0' "case $c is not surveyed"
done
call GET "/api/v1/cases/$first/outbox" '' -H "$A"
expect '[.messages[] | select(.purpose == "survey")] | length == 1' "the first case was invited once"
checks=$((checks + 1))
[ "$(ls "$tmp/mail" | wc -l)" -eq 3 ] || fail "only the invitations of the surveyed cases were sent"

# Mistakes in a survey: block, at their place in the file.
cat >"$tmp/bad.yaml" <<'EOF'
charter: 1
id: bad
organisation: Bad
time_zone: Europe/London
review_by: 2027-09-01
calendars:
  office:
    hours:
      monday-friday: 09:00-17:00
    bank_holidays: england-and-wales
services:
  - id: enquiries
    name: Enquiries
    calendar: office
    survey:
      delay: soon
      kinds: [enquiry, foo]
      anonymus: true
      site: ftp://desk.bad.example/x
promises: []
EOF
"$charter" policy check "$tmp/bad.yaml" >"$tmp/body" 2>&1
rc=$?
checks=$((checks + 1))
[ "$rc" -ne 0 ] || fail "a bad survey block fails the check"
has "bad.yaml:16:14: survey delay: 'soon' is not a span" "the delay, at its place"
has "bad.yaml:17:24: unknown survey kind 'foo'; did you mean 'foi'" "the kind"
has "bad.yaml:18:7: unknown key 'anonymus' in a service's survey; did you mean 'anonymous'" "a misspelt key"
has "bad.yaml:19:13: survey site" "the site"

# The public standards page says how satisfied people were last quarter,
# beside the complaints and compliments. This quarter's answers are not
# there yet; moved back into last quarter, they are.
call GET /public/sendiass
expect_status 200 "the standards page"
has 'Satisfaction last quarter' "has a satisfaction section"
has 'no closed cases to ask about' "which says there were none to ask last quarter"
month=$(date -u +%-m)
qstart=$(date -u +%Y)-$(printf %02d $(((month - 1) / 3 * 3 + 1)))-01
back=$(($(date -u -d "$qstart" +%s) - 86400))
stop_server
if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
    run_sql() { psql -qtA "$(cat "$CHARTER_TEST_PG_URL_FILE")" -v ON_ERROR_STOP=1 -c "SET search_path TO ${db##*schema=}; $1" >/dev/null; }
else
    run_sql() { sqlite3 -cmd '.timeout 5000' "$db" "$1"; }
fi
run_sql "UPDATE survey_responses SET submitted_at = $back; UPDATE survey_invitations SET sent_at = $back, responded_at = CASE WHEN responded_at IS NULL THEN NULL ELSE $back END"
serve
call GET /public/sendiass
expect_status 200 "the standards page again"
has 'fewer than 5 people answered our survey, too few to publish' "two answers are too few to publish"
checks=$((checks + 1))
grep -q 'average rating was' "$tmp/body" && fail "two people's ratings are published"
grep -q 'no closed cases to ask about' "$tmp/body" && fail "the moved answers still read as none"
# Three more ratings that quarter make five: now the figures are given.
stop_server
run_sql "INSERT INTO survey_responses(invitation_id, service, rating, comment, anonymous, submitted_at) VALUES (NULL, 'sendiass/enquiries', 5, NULL, 1, $back), (NULL, 'sendiass/enquiries', 5, NULL, 1, $back), (NULL, 'sendiass/enquiries', 3, NULL, 1, $back)"
serve
call GET /public/sendiass
expect_status 200 "the standards page with five ratings"
has 'average rating was' "gives last quarter's average rating"
has 'were satisfied or very satisfied' "and the share satisfied"

kill $sink_pid
wait $sink_pid 2>/dev/null
finish
