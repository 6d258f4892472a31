#!/bin/sh
# Themes, shared without personal data: a case carries themes from its
# charter's list (an unknown one is refused, naming those allowed), and the
# themes report counts cases by quarter and theme, exact from 5, broken down
# by channel and by outcome with small counts hidden and none that can be
# worked back, as JSON, CSV, xlsx (read back with openpyxl) and PDF.
# The managers' compliance report groups by officer, channel and theme too.
. "$(dirname "$0")/lib.sh"
start_server
[ -n "${THEMES_KEEP:-}" ] && trap "stop_server" EXIT
problem='.type and .title and .status and (.detail | length > 10)'
echo 'sendiass adviser pass' | "$charter" admin user add --db "$db" --email sam@sendiass.example --name "Sam Adviser" --role officer --service sendiass/enquiries --password-stdin >/dev/null
echo 'cognus officer pass' | "$charter" admin user add --db "$db" --email olu@cognus.example --name "Olu Officer" --role officer --service cognus/enquiries --password-stdin >/dev/null
# The workbooks are read back with openpyxl, from whichever python has it.
py=python3
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import openpyxl' 2>/dev/null; then
        py=$p
        break
    fi
done
S="Authorization: Bearer $("$charter" admin token --email sam@sendiass.example --db "$db")"
O="Authorization: Bearer $("$charter" admin token --email olu@cognus.example --db "$db")"

# new_case CHANNEL DAY THEME...: a SENDIASS case received on DAY of
# February 2026 (quarter 2026-Q1) from a named parent, with its themes.
new_case() {
    ch=$1 day=$2
    shift 2
    call POST /api/v1/cases "{\"service\":\"sendiass/enquiries\",\"channel\":\"$ch\",\"received_at\":\"2026-02-${day}T10:00:00Z\",\"subject\":\"Private matter of Robin Example\",\"requester\":{\"name\":\"Robin Example\",\"email\":\"robin@parent.example\"}}" -H "$S"
    expect_status 201 "a case by $ch"
    id=$(json .id)
    list=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
    call PUT "/api/v1/cases/$id/themes" "{\"themes\":$list}" -H "$S"
    expect_status 200 "themes $list on case $id"
}

# --- Themes on a case ---
call POST /api/v1/cases '{"service":"sendiass/enquiries","channel":"phone","received_at":"2026-02-02T10:00:00Z","subject":"First call"}' -H "$S"
expect_status 201 "a case"
first=$(json .id)
call GET "/api/v1/cases/$first/themes" '' -H "$S"
expect_status 200 "its themes are read"
expect '.themes == [] and (.allowed | map(.id) | index("ehcp-assessment") != null and index("school-transport") != null and index("exclusion") != null)' "none yet; the charter's list is offered"
expect '.allowed | map(select(.id == "ehcp-assessment")) | .[0].name == "EHCP assessment"' "each with the words people read"
call PUT "/api/v1/cases/$first/themes" '{"themes":["transport"]}' -H "$S"
expect_status 400 "an unknown theme"
expect "$problem and .fields == [\"themes\"] and (.detail | contains(\"'transport'\") and contains(\"school-transport\") and contains(\"ehcp-assessment\"))" "is refused, naming the allowed themes"
call PUT "/api/v1/cases/$first/themes" '{"themes":["exclusion","exclusion"]}' -H "$S"
expect_status 400 "a theme given twice"
expect "$problem and (.detail | contains(\"twice\"))" "says so"
call PUT "/api/v1/cases/$first/themes" '{"themes":"exclusion"}' -H "$S"
expect_status 400 "themes not as a list"
expect "$problem" "is a problem"
call PUT "/api/v1/cases/$first/themes" '{"themes":[1]}' -H "$S"
expect_status 400 "a theme that is not text"
call PUT "/api/v1/cases/$first/themes" '{"themes":["a","b","c","d","e","f","g","h","i"]}' -H "$S"
expect_status 400 "nine themes"
call PUT "/api/v1/cases/$first/themes" '{"themes":["exclusion"],"note":"x"}' -H "$S"
expect_status 400 "a member the endpoint does not take"
call GET "/api/v1/cases/$first/themes" '' -H "$S"
expect '.themes == []' "nothing refused was saved"
call PUT "/api/v1/cases/$first/themes" '{"themes":["exclusion","ehcp-assessment"]}' -H "$S" -H 'If-Match: "1"'
expect_status 200 "two themes set against the version read"
expect '.themes | map(.id) == ["exclusion","ehcp-assessment"]' "kept in the order given"
call PUT "/api/v1/cases/$first/themes" '{"themes":["exclusion"]}' -H "$S" -H 'If-Match: "1"'
expect_status 409 "a change against an old version"
call GET "/api/v1/cases/$first" '' -H "$S"
expect '.events | map(select(.what == "themes")) | .[0].detail == "themes: Exclusion, EHCP assessment"' "the case's history says what it is about"
call PUT "/api/v1/cases/$first/themes" '{"themes":[]}' -H "$S"
expect_status 200 "an empty list"
expect '.themes == []' "takes them all off"
# Another service's officer is not told the case exists.
call GET "/api/v1/cases/$first/themes" '' -H "$O"
expect_status 404 "another service's case"
call PUT "/api/v1/cases/$first/themes" '{"themes":["exclusion"]}' -H "$O"
expect_status 404 "cannot be themed from outside"

# --- The themes report ---
# Quarter 2026-Q1: exclusion: 3 cases (the total "fewer than 5", not
# broken down); school-transport: 6, 5 by email and 1 by phone (the 1
# hidden, and the 5 with it, or 6 - 5 would give it away); ehcp-assessment:
# 7 by email, 6 open and 1 closed (by outcome both hidden, for the same
# reason); one case both ehcp-assessment and school-transport.
for d in 03 04 05; do new_case phone "$d" exclusion; done
for d in 09 10 11 12; do new_case email "$d" school-transport; done
new_case email 13 school-transport ehcp-assessment
new_case phone 16 school-transport
for d in 17 18 19 20 23 24; do new_case email "$d" ehcp-assessment; done
ehcp_closed=$id
call GET "/api/v1/cases/$ehcp_closed" '' -H "$S"
call PATCH "/api/v1/cases/$ehcp_closed" '{"status":"closed"}' -H "$S" -H "If-Match: \"$(json .version)\""
expect_status 200 "a case closed"

# new_q4 CHANNEL DAY THEME: a case received on DAY of October 2026.
new_q4() {
    call POST /api/v1/cases "{\"service\":\"sendiass/enquiries\",\"channel\":\"$1\",\"received_at\":\"2026-10-${2}T10:00:00Z\",\"subject\":\"Private matter of Robin Example\"}" -H "$S"
    expect_status 201 "a case by $1 in 2026-Q4"
    call PUT "/api/v1/cases/$(json .id)/themes" "{\"themes\":[\"$3\"]}" -H "$S"
    expect_status 200 "its theme $3"
}
# Quarter 2026-Q4, a normal-sized service: 10 EHCP cases, 7 by email, 2 by
# phone, 1 by letter (the 2 and the 1 hidden; their sum 3 pins neither);
# school transport: 5 by email, 1 by phone, 1 by letter (the two 1s would
# be pinned by their sum 2, so the 5 is hidden too).
for d in 01 02 05 06 07 08 09; do new_q4 email "$d" ehcp-assessment; done
for d in 12 13; do new_q4 phone "$d" ehcp-assessment; done
new_q4 letter 14 ehcp-assessment
for d in 15 16 19 20 21; do new_q4 email "$d" school-transport; done
new_q4 phone 22 school-transport
new_q4 letter 23 school-transport

hidden='"hidden to protect small numbers"'
row() { printf '.rows | map(select(.quarter == "%s" and .theme == "%s")) | .[0]' "$1" "$2"; }
ch() { printf '(.by_channel | map(select(.channel == "%s")) | .[0].cases)' "$1"; }
oc() { printf '(.by_outcome | map(select(.outcome == "%s")) | .[0].cases)' "$1"; }
call GET '/api/v1/reports/themes?from=2026-q4&to=2026-Q4' '' -H "$S"
expect_status 200 "the themes report for 2026-Q4 (lower-case q too)"
expect "$(row 2026-Q4 ehcp-assessment) | .cases == 10" "10 EHCP cases read 10, exactly"
expect "$(row 2026-Q4 ehcp-assessment) | $(ch email) == 7 and $(ch phone) == $hidden and $(ch letter) == $hidden and (.by_channel | length == 3)" "by channel: 7 by email shown, the 2 and the 1 hidden"
expect "$(row 2026-Q4 ehcp-assessment) | .by_outcome == [{\"outcome\":\"open\",\"outcome_name\":\"Still open\",\"cases\":10}]" "by outcome, separately: all 10 still open"
expect "$(row 2026-Q4 ehcp-assessment) | .service == \"sendiass/enquiries\" and .service_name == \"Information, advice and support\" and .theme_name == \"EHCP assessment\"" "the service by name, its id kept apart"
expect "$(row 2026-Q4 school-transport) | .cases == 7 and (.by_channel | all(.cases == $hidden)) and (.by_channel | length == 3)" "two 1s would add to 2, so the 5 is hidden too"
expect '[.. | numbers] | all(. == 0 or . >= 5)' "no number under 5 anywhere in the report"
expect 'has("rows") and (.rows | all(has("breakdown") | not))' "no channel-by-outcome cross any more"

call GET '/api/v1/reports/themes?from=2026-Q1&to=2026-Q1' '' -H "$S"
expect_status 200 "the themes report"
expect '.from == "2026-Q1" and .to == "2026-Q1" and .threshold == 5 and (.rule | contains("fewer than 5") and contains("hidden to protect small numbers"))' "says its period and its rule"
expect "$(row 2026-Q1 exclusion) | .cases == \"fewer than 5\" and .by_channel == [] and .by_outcome == [] and .theme_name == \"Exclusion\"" "a theme with 3 cases shows fewer than 5, not broken down"
expect "$(row 2026-Q1 school-transport) | .cases == 6 and $(ch email) == $hidden and $(ch phone) == $hidden and $(oc open) == 6" "6 exact; the 1 by phone hidden and the 5 by email with it; all 6 open"
expect "$(row 2026-Q1 ehcp-assessment) | .cases == 7 and $(ch email) == 7 and $(oc open) == $hidden and (.by_outcome | length == 2 and all(.cases == $hidden))" "7 exact by email; 6 open and 1 closed both hidden"
expect '[.. | numbers] | all(. == 0 or . >= 5)' "no number under 5 anywhere in the report"
checks=$((checks + 1))
grep -q 'Robin\|parent.example\|Private matter' "$tmp/body" && fail "the report holds no names, addresses or free text"
# The first case carries no theme now: it is not counted.
expect '[.rows[] | select(.theme == "exclusion")] | length == 1' "one line per theme and quarter"

call GET '/api/v1/reports/themes?from=2026-01-15&to=2026-03&format=csv' '' -H "$S"
expect_status 200 "the CSV, with dates and months inside the quarter"
checks=$((checks + 1))
head -n 1 "$tmp/body" | grep -q '^quarter,service,service_name,theme,theme_name,channel,outcome,cases' || fail "the CSV header"
checks=$((checks + 1))
grep -q '^2026-Q1,sendiass/enquiries,"Information, advice and support",exclusion,Exclusion,all,all,fewer than 5' "$tmp/body" || fail "the CSV hides the 3, naming the service"
checks=$((checks + 1))
grep -q '^2026-Q1,sendiass/enquiries,"Information, advice and support",school-transport,School transport,all,all,6' "$tmp/body" || fail "the CSV gives the 6 exactly"
checks=$((checks + 1))
grep -q '^2026-Q1,sendiass/enquiries,"Information, advice and support",school-transport,School transport,phone,all,hidden to protect small numbers' "$tmp/body" || fail "the CSV hides the 1 by phone"
checks=$((checks + 1))
grep -q '^2026-Q1,sendiass/enquiries,"Information, advice and support",ehcp-assessment,EHCP assessment,all,open,hidden to protect small numbers' "$tmp/body" || fail "the CSV's margin by outcome"
checks=$((checks + 1))
grep -q 'Robin\|parent.example\|Private matter' "$tmp/body" && fail "the CSV holds no personal data"
checks=$((checks + 1))
grep -Eq ',[1-4]\r?$' "$tmp/body" && fail "no count under 5 in the CSV"

curl -s -o "$tmp/themes.xlsx" -w '%{http_code} %{content_type}' -H "$S" "$base/api/v1/reports/themes?from=2026-Q4&to=2026-Q4&format=xlsx" >"$tmp/xlsx.status"
checks=$((checks + 1))
grep -q '^200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' "$tmp/xlsx.status" || fail "the workbook: $(cat "$tmp/xlsx.status")"
checks=$((checks + 1))
"$py" - "$tmp/themes.xlsx" <<'PY' || fail "the workbook read back"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
head = rows.index(["Quarter", "Service", "Theme", "Channel", "Outcome", "Cases"])
body = rows[head + 1:]
def find(theme, channel="All channels", outcome="All outcomes"):
    return [r for r in body if r[2] == theme and r[3] == channel and r[4] == outcome]
hidden = "hidden to protect small numbers"
assert find("EHCP assessment")[0][5] == 10, find("EHCP assessment")
assert find("EHCP assessment")[0][1] == "Information, advice and support"
assert find("EHCP assessment", "email")[0][5] == 7
assert find("EHCP assessment", "phone")[0][5] == hidden
assert find("EHCP assessment", outcome="Still open")[0][5] == 10
assert find("School transport")[0][5] == 7
assert find("School transport", "email")[0][5] == hidden
assert all(not isinstance(r[5], (int, float)) or r[5] == 0 or r[5] >= 5 for r in body)
text = repr(rows)
assert "Robin" not in text and "parent.example" not in text
PY
curl -s -o "$tmp/themes.pdf" -w '%{http_code} %{content_type}' -H "$S" "$base/api/v1/reports/themes?from=2026-Q4&to=2026-Q4&format=pdf" >"$tmp/pdf.status"
checks=$((checks + 1))
grep -q '^200 application/pdf' "$tmp/pdf.status" && head -c 5 "$tmp/themes.pdf" | grep -q '%PDF-' || fail "the PDF: $(cat "$tmp/pdf.status")"
# Read back, every word whole: nothing cut to fit its column.
checks=$((checks + 1))
pdftotext -layout "$tmp/themes.pdf" "$tmp/themes.txt" &&
    grep -q 'Information, advice and support' "$tmp/themes.txt" &&
    grep -q 'EHCP assessment.*All channels.*All outcomes.* 10$' "$tmp/themes.txt" &&
    grep -q 'School transport.*email.*All outcomes.*hidden to protect small numbers$' "$tmp/themes.txt" ||
    fail "pdftotext reads the PDF's figures: $(head -c 1500 "$tmp/themes.txt")"

# Another service's officer sees none of SENDIASS's themes.
call GET '/api/v1/reports/themes?from=2026-Q1&to=2026-Q1' '' -H "$O"
expect_status 200 "a Cognus officer's themes report"
expect '.rows | map(select(.service | startswith("sendiass"))) | length == 0' "holds none of SENDIASS's cases"
# A later quarter has none of them.
call GET '/api/v1/reports/themes?from=2026-Q2&to=2026-Q2' '' -H "$S"
expect '.rows == []' "the next quarter is empty"
# Each fault is named by its own field, in its own sentence.
bad() { # QUERY FIELDS WORDS: the 400 for QUERY names FIELDS and says WORDS
    call GET "/api/v1/reports/themes?$1" '' -H "$S"
    expect_status 400 "a bad request ($1)"
    expect "$problem and .fields == $2 and (.detail | contains(\"$3\"))" "names $2 alone and says \"$3\" ($1)"
}
bad 'from=2026-Q4&to=2026-Q1' '["from","to"]' 'comes after to'
checks=$((checks + 1))
grep -q 'format' "$tmp/body" && fail "the range's sentence says nothing of format"
bad 'format=docx' '["format"]' 'json, csv, xlsx or pdf'
checks=$((checks + 1))
grep -q 'quarter' "$tmp/body" && fail "the format's sentence says nothing of quarters"
bad 'from=2026-Q5&to=2026-Q4' '["from"]' '2026-Q3'
bad 'from=2026-Q1&to=soon' '["to"]' '2026-Q3'
bad 'from=2020-Q1&to=2026-Q1' '["from","to"]' 'five years'
bad 'from=soon&format=doc' '["from","format"]' 'json, csv, xlsx or pdf'

# --- The managers' report by officer, channel and theme ---
call GET '/api/v1/reports/compliance?from=2026-02&to=2026-03&by=theme' '' -H "$S"
expect_status 200 "compliance by theme"
expect '.by == "theme" and (.rows | map(select(.theme == "exclusion")) | .[0].due == 3)' "three exclusion cases' promises fell due"
expect '.rows | map(select(.theme == null)) | length >= 1' "a case without a theme is grouped as none"
call GET '/api/v1/reports/compliance?from=2026-02&to=2026-03&by=channel' '' -H "$S"
expect '.rows | map(select(.channel == "phone")) | .[0].due >= 5' "by channel"
call GET '/api/v1/reports/compliance?from=2026-02&to=2026-03&by=officer' '' -H "$S"
expect_status 403 "an officer asking for the report by officer"
expect "$problem and (.detail | contains(\"managers\"))" "is told it is for managers"
echo 'sendiass manager pass' | "$charter" admin user add --db "$db" --email mo@sendiass.example --name "Mo Manager" --role manager --service sendiass/enquiries --password-stdin >/dev/null
M="Authorization: Bearer $("$charter" admin token --email mo@sendiass.example --db "$db")"
call PATCH "/api/v1/cases/$first" '{"officer_id":'"$(curl -s -H "$S" "$base/api/v1/session" | jq .user.id)"'}' -H "$S" -H "If-Match: \"$(curl -s -H "$S" "$base/api/v1/cases/$first" | jq .version)\""
expect_status 200 "Sam takes the first case"
call GET '/api/v1/reports/compliance?from=2026-02&to=2026-03&by=officer' '' -H "$M"
expect_status 200 "the manager's report by officer"
expect '(.rows | map(select(.officer == null)) | length >= 1) and (.rows | map(select(.officer == "Sam Adviser")) | .[0].due >= 1)' "groups by the officer's name, the unassigned as null"
call GET '/api/v1/reports/compliance?from=2026-02&to=2026-03&by=theme&format=csv' '' -H "$S"
checks=$((checks + 1))
head -n 1 "$tmp/body" | grep -q '^service,theme,month,due,' || fail "the CSV by theme names its column"
checks=$((checks + 1))
grep -q '^sendiass/enquiries,exclusion,2026-02,3,' "$tmp/body" || fail "the CSV row for exclusion"
checks=$((checks + 1))
grep -q '^sendiass/enquiries,(none),2026-02,' "$tmp/body" || fail "a case without a theme is (none) in the CSV, as in the workbook"
call GET '/api/v1/reports/compliance?by=mood' '' -H "$S"
expect_status 400 "an unknown grouping"
expect "$problem and .fields == [\"by\"]" "names by"
for by in promise officer channel theme; do
    curl -s -o "$tmp/by.xlsx" -w '%{http_code}' -H "$M" "$base/api/v1/reports/compliance?from=2026-02&to=2026-03&by=$by&format=xlsx" >"$tmp/by.status"
    checks=$((checks + 1))
    "$py" - "$tmp/by.xlsx" "$by" <<'PY' || fail "the workbook by $by read back (HTTP $(cat "$tmp/by.status"))"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).active
rows = list(ws.iter_rows(values_only=True))
head = [r for r in rows if r and r[0] == "Service"][0]
assert head[1] == sys.argv[2].capitalize(), head
body = rows[rows.index(head) + 1:]
assert body and all(isinstance(r[3], (int, float)) for r in body), body
assert sum(r[3] for r in body if r[0] == "sendiass/enquiries") >= 16
PY
done

finish
