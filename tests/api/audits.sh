#!/bin/sh
# Beacon's behaviour audits: an audit of a school from the policy's survey
# template with a code per group; each group's public form (no JavaScript)
# shows its sample so far and takes answers only over HTTPS; the results
# come back as JSON and as a workbook whose per-group counts match what was
# sent and which has a chart per scale question; a follow-up is compared
# with its baseline question by question; a technical problem reported
# through the public form opens a case with the charter's clock.
. "$(dirname "$0")/lib.sh"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
start_server --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
problem='.type and .title and .status and (.detail | length > 10)'
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
user() { # user EMAIL NAME ROLE SERVICE -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$2" \
        --role "$3" --service "$4" --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
C="Authorization: Bearer $(user cleo@beacon.example 'Cleo Consultant' officer beacon/consultancy)"
O="Authorization: Bearer $(user olu@cognus.example 'Olu Officer' officer cognus/enquiries)"
K="--cacert $tmp/cert.pem"
yesterday=$(date -u -d '-1 day' +%F)
later=$(date -u -d '+30 days' +%F)
today=$(date -u +%F)

call GET /api/v1/audit-templates '' -H "$C" $K
expect_status 200 "the survey templates"
expect '[.templates[] | select(.policy == "beacon" and .id == "behaviour")] | length == 1' "Beacon's behaviour template"
expect '[.templates[0].questions[].type] == ["scale","scale","scale","single","multiple","text"]' "with scale, single, multiple and free-text questions"
expect '[.services[].service] == ["beacon/consultancy"]' "a consultant sees only the services they work in"

# --- Refusals, each with a sentence, nothing saved ---
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behavior\",\"school\":\"Beacon Primary\",\"opens_on\":\"$yesterday\",\"closes_on\":\"$later\"}" -H "$C" $K
expect_status 400 "an unknown template"
expect "$problem and (.detail | contains(\"behaviour\")) and .fields == [\"template\"]" "names the templates there are"
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"school\":\"Beacon Primary\",\"opens_on\":\"$later\",\"closes_on\":\"$yesterday\"}" -H "$C" $K
expect_status 400 "closing before opening"
expect '.fields == ["closes_on"]' "names closes_on"
call POST /api/v1/audits "{\"service\":\"cognus/enquiries\",\"template\":\"behaviour\",\"school\":\"Beacon Primary\",\"opens_on\":\"$yesterday\",\"closes_on\":\"$later\"}" -H "$A" $K
expect_status 400 "a charter that runs no audits"
expect '.detail | contains("runs no behaviour audits")' "says so"
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"school\":\"Beacon Primary\",\"opens_on\":\"$yesterday\",\"closes_on\":\"$later\",\"groups\":[\"dinner-staff\"]}" -H "$C" $K
expect_status 400 "an unknown group"
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"school\":\"Beacon Primary\",\"opens_on\":\"$yesterday\",\"closes_on\":\"$later\"}" -H "$O" $K
expect_status 403 "staff of another service cannot set one up"
call GET /api/v1/audits '' -H "$A" $K
expect '.audits == []' "nothing was saved by the refusals"

# --- The baseline audit ---
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"school\":\"Beacon Primary\",\"intervention\":\"Calm corridors\",\"opens_on\":\"$yesterday\",\"closes_on\":\"$later\"}" -H "$C" $K
expect_status 201 "a baseline audit"
expect '[.groups[].group] == ["pupils","parents","teachers","governors"] and ([.groups[].responses] | add) == 0 and .state == "open"' "asks all four groups, none answered yet"
expect '[.groups[].code | test("^[A-Za-z0-9_-]{12}$")] | all' "with a code per group"
expect '.refused_here == false' "over HTTPS its forms take answers"
expect '.groups[0].form == "/public/beacon/audit/\(.groups[0].code)"' "and a public form per code"
b1=$(json .id)
pupils=$(json '.groups[0].code')
parents=$(json '.groups[1].code')
teachers=$(json '.groups[2].code')
governors=$(json '.groups[3].code')
call GET "/api/v1/audits/$b1" '' -H "$O" $K
expect_status 404 "staff of another service cannot see it"

form() { # form PATH DATA [CURL-ARGS]
    p=$1 d=$2
    shift 2
    status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data "$d" "$@" "$base_url$p")
}
base_url=$base
page() { # page PATH
    status=$(curl -s -o "$tmp/body" -w '%{http_code}' $K "$base_url$1")
}
has() { # has TEXT WHAT
    checks=$((checks + 1))
    grep -qF -- "$1" "$tmp/body" || fail "$2: the page shows $1"
}
page "/public/beacon/audit/$parents"
expect_status 200 "the parents' form"
has 'So far 0 parents from Beacon Primary have answered this survey.' "the school sees its sample size"
has '<legend>Pupils feel safe in school.</legend>' "questions are fieldsets with legends"
has 'type="checkbox" name="q-where-problems"' "a multiple choice is checkboxes"
has '<label for="q-one-change">What one change would most improve behaviour in the school? (optional)</label>' "free text is labelled"
has 'href="/public/beacon/audit-problem?code=' "links to the technical-problem form"
checks=$((checks + 1))
! grep -qiE '<script|style=' "$tmp/body" || fail "no script and no inline style"

answer='q-feel-safe=4&q-lessons-calm=3&q-rules-fair=5&q-bullying-dealt-with=1&q-where-problems=1&q-where-problems=2&q-one-change=More+staff+at+break'
form "/public/beacon/audit/$parents" 'q-feel-safe=4&q-lessons-calm=9' $K
expect_status 400 "a form with mistakes"
has 'There is a problem' "is summarised"
has 'Choose one point from 1 to 5.' "says what is wrong with a point out of range"
has 'Choose an answer to this question.' "and with a required question left blank"
has 'value="4" checked' "keeps what was chosen"
has '<fieldset class="question" id="q-lessons-calm" aria-describedby="q-lessons-calm-error">' "a question's error is tied to it"
form "/public/beacon/audit/$parents" "$answer&q-favourite-colour=blue" $K
expect_status 400 "an answer to a question the survey does not ask"
has 'does not ask (q-favourite-colour), so nothing has been saved' "is refused, not dropped"
form "/public/beacon/audit/NoSuchCode123" "$answer" $K
expect_status 404 "an unknown code"
has 'There is no survey with this code.' "says so"

sent=0
for code in $pupils $pupils $pupils $parents $parents $teachers $teachers $governors; do
    form "/public/beacon/audit/$code" "$answer" $K
    [ "$status" = 200 ] && sent=$((sent + 1))
done
checks=$((checks + 1))
[ "$sent" = 8 ] || fail "eight forms answered over HTTPS, $sent taken"
has 'So far 1 governor from Beacon Primary has answered this survey.' "the thank-you gives the sample so far"
has '<li>Pupils: 3</li><li>Parents: 2</li><li>Teachers: 2</li><li>Governors: 1</li>' "and the school's whole sample, group by group"
page "/public/beacon/audit/$teachers"
fid=$(sed -n 's/.*name="form" value="\([A-Za-z0-9_-]*\)".*/\1/p' "$tmp/body")
checks=$((checks + 1))
[ -n "$fid" ] || fail "the form carries its own id"
form "/public/beacon/audit/$teachers" "form=$fid&q-feel-safe=2&q-lessons-calm=2&q-rules-fair=1&q-bullying-dealt-with=2" $K
expect_status 200 "a form without the optional answers"
has 'So far 3 teachers from' "counted"
form "/public/beacon/audit/$teachers" "form=$fid&q-feel-safe=2&q-lessons-calm=2&q-rules-fair=1&q-bullying-dealt-with=2" $K
expect_status 200 "the same form sent again (a refresh)"
has 'We had these answers already' "is taken as already saved"
has 'So far 3 teachers from' "and counted once"

call GET "/api/v1/audits/$b1" '' -H "$C" $K
expect '[.groups[].responses] == [3,2,3,1] and .responses == 9' "staff see the count per group"
call GET "/api/v1/audits/$b1/results" '' -H "$C" $K
expect_status 200 "the results as JSON"
expect '.total == 9' "count every response"
expect '(.questions[0].by_group.pupils.answered == 3) and (.questions[0].by_group.teachers.mean == 3.33) and (.questions[0].all.counts == [0,1,0,8,0])' "with each scale question's counts and means by group"
expect '.questions[4].all.counts == [0,8,8,0,0,0]' "and a multiple choice's counts"
expect '[.questions[5].answers[].text] | length == 8' "and the free text"
call GET "/api/v1/audits/$b1/results?format=pdf" '' -H "$C" $K
expect_status 400 "an unknown format"

curl -s $K -H "$C" -o "$tmp/results.xlsx" -w '%{content_type}' "$base_url/api/v1/audits/$b1/results?format=xlsx" >"$tmp/type"
checks=$((checks + 1))
grep -q 'spreadsheetml' "$tmp/type" || fail "the workbook's content type"
checks=$((checks + 1))
/usr/bin/python3 - "$tmp/results.xlsx" >"$tmp/book" 2>&1 <<'EOF' || fail "the workbook: $(cat "$tmp/book")"
import sys, zipfile
from openpyxl import load_workbook
path = sys.argv[1]
wb = load_workbook(path)
assert wb.sheetnames == ["Summary", "Pupils", "Parents", "Teachers", "Governors", "Responses"], wb.sheetnames
summary = wb["Summary"]
rows = [[c.value for c in r] for r in summary.iter_rows()]
start = next(i for i, r in enumerate(rows) if r[0] == "Responses by group")
counts = {r[0]: r[1] for r in rows[start + 1:start + 6]}
assert counts == {"Pupils": 3, "Parents": 2, "Teachers": 3, "Governors": 1, "Total": 9}, counts
for name, n in [("Pupils", 3), ("Parents", 2), ("Teachers", 3), ("Governors", 1)]:
    ws = wb[name]
    assert ws["A2"].value == "Responses" and ws["B2"].value == n, (name, ws["B2"].value)
raw = wb["Responses"]
assert raw.max_row == 10, raw.max_row
groups = sorted(r[1].value for r in raw.iter_rows(min_row=2))
assert groups.count("pupils") == 3 and groups.count("teachers") == 3, groups
charts = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/chart")]
assert len(charts) == 3, charts
EOF

# --- The technical-problem form opens a case with a clock ---
page "/public/beacon/audit-problem?code=$parents"
expect_status 200 "the problem form"
has "value=\"$parents\"" "carries the survey's code"
form /public/beacon/audit-problem 'message=Broken&name=Pat&email=pat%40parent.example&phone=0123' $K
expect_status 400 "a report with a field the form does not have"
has 'The form could not be read' "is refused, not dropped"
form /public/beacon/audit-problem 'message=&name=&email=nope' $K
expect_status 400 "a report with mistakes"
has 'aria-invalid="true" aria-describedby="email-error"' "errors are tied to their fields"
form /public/beacon/audit-problem "message=The+submit+button+does+nothing&code=$parents&name=Pat+Parent&email=pat%40parent.example" $K
expect_status 200 "a technical problem reported"
has 'Your reference is <strong>' "gives the reference"
has 'We will reply by <strong>' "and when we will reply"
ref=$(sed -n 's/.*Your reference is <strong>\([0-9]*\)<\/strong>.*/\1/p' "$tmp/body")
call GET "/api/v1/cases/$ref" '' -H "$A" $K
expect '.service == "beacon/enquiries" and .channel == "web" and (.contacts[0].summary | contains("Survey code: '"$parents"'"))' "the case holds the report"
expect '[.obligations[].promise] == ["same-day-return"] and .obligations[0].due_at != null' "with the charter's clock running"

# --- A follow-up after the intervention, side by side with the baseline ---
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"baseline_id\":$b1,\"opens_on\":\"$yesterday\",\"closes_on\":\"$later\"}" -H "$C" $K
expect_status 400 "a follow-up opening with its baseline"
expect '.fields == ["opens_on"]' "must open after it"
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"baseline_id\":$b1,\"opens_on\":\"$today\",\"closes_on\":\"$later\",\"groups\":[\"pupils\",\"teachers\"]}" -H "$C" $K
expect_status 201 "a follow-up"
expect '.school == "Beacon Primary" and .intervention == "Calm corridors" and ([.groups[].group] == ["pupils","teachers"])' "takes the school and intervention from its baseline"
follow=$(json .id)
fpupils=$(json '.groups[0].code')
for i in 1 2; do
    form "/public/beacon/audit/$fpupils" 'q-feel-safe=5&q-lessons-calm=4&q-rules-fair=5&q-bullying-dealt-with=0' $K
done
call GET "/api/v1/audits/$follow/compare" '' -H "$C" $K
expect_status 200 "the comparison"
expect '.baseline.id == '"$b1"' and .follow_up.id == '"$follow"' and .baseline.responses == 9 and .follow_up.responses == 2' "sets the two side by side"
expect '(.questions[0].baseline_mean == 3.78) and (.questions[0].follow_up_mean == 5.00) and (.questions[0].change == 1.22)' "with the change per question"
expect '(.questions[0].by_group[] | select(.group == "pupils") | .change) == 1.00' "and per group"
expect '(.questions[3].options[0].follow_up_share == 1.00) and (.questions[3].options[1].change == -0.89)' "and a choice's shares"
call GET "/api/v1/audits/$follow/compare?format=xlsx" '' -H "$C" $K
expect_status 400 "the comparison has no workbook: refused, not answered as JSON"
expect '.fields == ["format"]' "format is named"
call GET "/api/v1/audits/$b1/compare" '' -H "$C" $K
expect_status 409 "a baseline has nothing to compare with"
expect "$problem" "and says so"

# --- A class answers from the school's one connection ---
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"school\":\"Big School\",\"opens_on\":\"$yesterday\",\"closes_on\":\"$later\",\"groups\":[\"pupils\"]}" -H "$C" $K
class=$(json '.groups[0].code')
taken=0
for i in $(seq 1 30); do
    form "/public/beacon/audit/$class" "$answer" $K
    [ "$status" = 200 ] && taken=$((taken + 1))
done
checks=$((checks + 1))
[ "$taken" = 30 ] || fail "thirty pupils answering from one address: $taken taken"
call GET /api/v1/audits '' -H "$C" $K
expect '[.audits[] | select(.school == "Big School") | .responses] == [30]' "all thirty counted"
big=$(json '[.audits[] | select(.school == "Big School")][0].id')
call PATCH "/api/v1/audits/$big" "{\"opens_on\":\"$today\"}" -H "$C" $K
expect_status 409 "the opening day stays once answers came"
expect "$problem and (.detail | contains(\"30 answers\"))" "and says why"
call PATCH "/api/v1/audits/$big" "{\"closes_on\":\"$(date -u -d '-3 days' +%F)\"}" -H "$C" $K
expect_status 400 "closing before it opened"
call PATCH "/api/v1/audits/$big" "{\"closes_on\":\"$yesterday\"}" -H "$O" $K
expect_status 404 "staff of another service cannot change it"
call PATCH "/api/v1/audits/$big" "{\"closes_on\":\"$yesterday\",\"school\":\"Other\"}" -H "$C" $K
expect_status 400 "only the dates change"
call PATCH "/api/v1/audits/$big" "{\"closes_on\":\"$yesterday\"}" -H "$C" $K
expect_status 200 "closed early"
expect '.state == "closed" and .responses == 30' "the audit is closed, its answers kept"
form "/public/beacon/audit/$class" "$answer" $K
expect_status 410 "and takes no more"

# --- Open and close dates ---
old1=$(date -u -d '-20 days' +%F)
old2=$(date -u -d '-10 days' +%F)
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"school\":\"Old School\",\"opens_on\":\"$old1\",\"closes_on\":\"$old2\"}" -H "$C" $K
expect_status 400 "an audit wholly in the past is refused: nobody could answer it"
expect '.fields == ["closes_on"]' "the closing date is named"
has 'closes_on is in the past' "and says why"
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"school\":\"Old School\",\"opens_on\":\"$old1\",\"closes_on\":\"$later\"}" -H "$C" $K
expect_status 201 "an audit that opened a while ago"
closed=$(json '.groups[0].code')
old=$(json .id)
call PATCH "/api/v1/audits/$old" "{\"closes_on\":\"$old2\"}" -H "$C" $K
expect_status 200 "closed as of ten days ago"
form "/public/beacon/audit/$closed" "$answer" $K
expect_status 410 "a closed audit takes no answers"
has 'This survey closed on' "and says when it closed"
call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"school\":\"New School\",\"opens_on\":\"$later\",\"closes_on\":\"$later\"}" -H "$C" $K
soon=$(json '.groups[0].code')
form "/public/beacon/audit/$soon" "$answer" $K
expect_status 403 "one not yet open takes none"
has 'This survey opens on' "and says when it opens"

# --- Plain HTTP: the charter requires TLS, so answers are refused ---
stop_server
start_server
base_url=$base
K=
page "/public/beacon/audit/$parents"
expect_status 200 "the form over plain HTTP"
has 'only over a secure connection' "warns that it needs HTTPS"
checks=$((checks + 1))
! grep -qF '<form method="post"' "$tmp/body" || fail "and offers no form to send"
form "/public/beacon/audit/$parents" "$answer" -H 'X-Forwarded-Proto: https'
expect_status 403 "answers over plain HTTP, even claiming a proxy's HTTPS"
has 'nothing you sent has been saved' "are refused with a sentence"
page /public/beacon/audit-problem
has 'only over a secure connection' "the problem form warns too"
form /public/beacon/audit-problem "message=Broken&name=Pat&email=pat%40parent.example"
expect_status 403 "and a problem report is refused"
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
call GET "/api/v1/audits/$b1" '' -H "$A"
expect '.groups[1].responses == 2' "nothing was saved"
expect '.refused_here == true' "and the desk is told its forms refuse answers here"
finish
