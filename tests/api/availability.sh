#!/bin/sh
# Staff availability and charter review warnings, black-box: working
# patterns and absences are checked strictly; assigning a case (or handing
# it over) to someone away succeeds with a warning naming the return date
# and the alternative contact (Cognus: an out-of-office gives both); the
# out-of-office sentence and the signature; the alternative sees the absent
# colleague's queue; and a charter past its review_by date warns in
# GET /policies, /policies/check and POST /policies (SENDIASS: yearly).
# A visit booked with a consultant away that day warns too.
. "$(dirname "$0")/lib.sh"
mkdir "$tmp/desk"
cp policies/cognus.yaml policies/beacon.yaml "$tmp/desk/"
start_server --policy "$tmp/desk/cognus.yaml" --policy "$tmp/desk/beacon.yaml"
add() { # add EMAIL NAME ROLE [SERVICE]: prints the new user's id
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$2" \
        --role "$3" ${4:+--service "$4"} --password-stdin | sed -n 's/^added .* user \([0-9]*\)$/\1/p'
}
bearer() { echo "Authorization: Bearer $("$charter" admin token --email "$1" --db "$db")"; }
A=$(bearer admin@charter.local)
sam=$(add sam@cognus.example "Sam Adviser" officer cognus/enquiries)
priya=$(add priya@cognus.example "Priya Shah" officer cognus/enquiries)
meg=$(add meg@cognus.example "Meg Manager" manager cognus/enquiries)
out=$(add out@sendiass.example "Outsider" officer sendiass/enquiries)
S=$(bearer sam@cognus.example)
P=$(bearer priya@cognus.example)
M=$(bearer meg@cognus.example)
today=$(date -u +%F)
later=$(date -u -d '+10 days' +%F)
past=$(date -u -d '-20 days' +%F)
pastend=$(date -u -d '-15 days' +%F)

# --- Strict validation ---
call PATCH "/api/v1/users/$sam" '{"absences":[{"from":"'"$later"'","to":"'"$today"'","cover_user_id":'"$priya"'}]}' -H "$S"
expect_status 400 "an absence that ends before it starts"
expect '.fields == ["absences"] and (.detail | test("before it starts"))' "is named and explained"
call PATCH "/api/v1/users/$sam" '{"absences":[{"from":"2026-02-30","cover_user_id":'"$priya"'}]}' -H "$S"
expect_status 400 "a date that does not exist"
call PATCH "/api/v1/users/$sam" '{"absences":[{"from":"'"$today"'","to":"'"$later"'"}]}' -H "$S"
expect_status 400 "an absence with no alternative contact"
expect '.detail | test("alternative contact")' "says an alternative is needed"
call PATCH "/api/v1/users/$sam" '{"absences":[{"from":"'"$today"'","cover_user_id":'"$out"'}]}' -H "$S"
expect_status 400 "a cover who shares no service"
expect '.detail | test("shares no service")' "says so"
call PATCH "/api/v1/users/$sam" '{"absences":[{"from":"'"$today"'","cover_user_id":99999}]}' -H "$S"
expect_status 400 "a cover who does not exist"
call PATCH "/api/v1/users/$sam" '{"absences":[{"from":"'"$today"'","cover_user_id":'"$sam"'}]}' -H "$S"
expect_status 400 "oneself as cover"
call PATCH "/api/v1/users/$sam" '{"absences":[{"from":"'"$today"'","cover_text":"x","mood":"sunny"}]}' -H "$S"
expect_status 400 "an unknown member of an absence"
expect '.detail | test("mood")' "is named"
call PATCH "/api/v1/users/$sam" '{"working_pattern":{"days":["mon"],"start":"15:00","end":"09:00"}}' -H "$S"
expect_status 400 "working hours that end before they start"
call PATCH "/api/v1/users/$sam" '{"working_pattern":{"days":["mon","funday"]}}' -H "$S"
expect_status 400 "a day that is not one"
call PATCH "/api/v1/users/$sam" '{"working_pattern":{"days":["mon"],"start":"09:00"}}' -H "$S"
expect_status 400 "a start without an end"

# --- Who may change them ---
call PATCH "/api/v1/users/$priya" '{"working_pattern":{"days":["mon"]}}' -H "$S"
expect_status 403 "an officer cannot change a colleague's pattern"
call PATCH "/api/v1/users/$sam" '{"name":"Sam","working_pattern":{"days":["mon"]}}' -H "$S"
expect_status 403 "nor their own name"
call PATCH "/api/v1/users/$out" '{"working_pattern":{"days":["mon"]}}' -H "$M"
expect_status 403 "a manager cannot change an officer outside their services"

# --- A pattern and the signature ---
call PATCH "/api/v1/users/$sam" '{"working_pattern":{"days":["mon","tue","wed"],"start":"09:00","end":"15:00","term_time_only":true}}' -H "$S"
expect_status 200 "an officer records their own working pattern"
expect '.working_pattern == {"days":["mon","tue","wed"],"start":"09:00","end":"15:00","term_time_only":true}' "read back as written"
expect '.signature == "Sam Adviser. I work Monday to Wednesday, 9am to 3pm, in term time."' "the signature states it"
call GET "/api/v1/users/$priya/out-of-office" '' -H "$S"
expect '.away == null and .out_of_office == null and .signature == "Priya Shah" and (has("absences") | not)' "a standard week adds nothing"

# --- An absence, set by the manager, and the warning on assigning ---
call PATCH "/api/v1/users/$sam" '{"absences":[{"from":"'"$past"'","to":"'"$pastend"'","cover_text":"the office"},{"from":"'"$today"'","to":"'"$later"'","cover_user_id":'"$priya"',"note":"Annual leave"}]}' -H "$M"
expect_status 200 "a manager records an officer's absence"
expect '.working_pattern.days == ["mon","tue","wed"]' "the pattern stays as it was"
expect '.absences | length == 2' "both absences kept"
expect '.away.until == "'"$later"'" and .away.cover_user_id == '"$priya" "Sam is away now, until the last day"
expect '.out_of_office | test("^Sam Adviser is away until [A-Z][a-z]+day [0-9]+ [A-Z][a-z]+ 20[0-9]{2} and back at work on [A-Z][a-z]+day [0-9]+ [A-Z][a-z]+ 20[0-9]{2}\\. For anything urgent, contact Priya Shah \\(priya@cognus.example\\)\\.$")' "the out-of-office sentence"
call GET "/api/v1/users/$sam/out-of-office" '' -H "$P"
expect_status 200 "a colleague reads the out-of-office"
expect '.away.until == "'"$later"'" and (has("absences") | not) and (.out_of_office | test("contact Priya Shah")) and (.signature | test("term time"))' "for the email channel (not the absence notes)"
call GET "/api/v1/users/$sam/out-of-office" '' -H "$S"
expect '.absences[1].note == "Annual leave" and .absences[1].cover_name == "Priya Shah" and (.colleagues | map(.name) | index("Priya Shah") != null) and (.colleagues | map(.name) | index("Outsider") == null)' "Sam sees his own absences and whom he may name as cover"
call GET /api/v1/users '' -H "$M"
expect '.users[] | select(.id == '"$sam"') | .away != null' "the staff list shows the absence"

call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2025-12-19T16:45:00Z","subject":"Transport"}' -H "$A"
case_id=$(json .id)
etag=$(json .version)
call PATCH "/api/v1/cases/$case_id" '{"officer_id":'"$sam"'}' -H "$A" -H "If-Match: \"$etag\""
expect_status 200 "assigning to someone away succeeds"
expect '.officer_id == '"$sam"' and (.warning | test("Sam Adviser is away until .* contact Priya Shah"))' "with a warning naming the return and the alternative"
expect '.alternative == {"id":'"$priya"',"name":"Priya Shah"}' "and the alternative to assign to instead"
etag=$(json .version)
call PATCH "/api/v1/cases/$case_id" '{"officer_id":'"$priya"'}' -H "$A" -H "If-Match: \"$etag\""
expect_status 200 "assigning to the alternative"
expect 'has("warning") | not' "carries no warning"
etag=$(json .version)
call POST "/api/v1/cases/$case_id/contacts" '{"direction":"inbound","channel":"phone","at":"2025-12-20T10:00:00Z","summary":"Over to Sam","outcome":"handed-over","handed_to":'"$sam"'}' -H "$P" -H "If-Match: \"$etag\""
if [ "$status" = 201 ]; then
    expect '.warning | test("Sam Adviser is away")' "a handover to someone away warns too"
else
    expect_status 201 "a handover contact"
fi

# --- The alternative sees the absent colleague's queue ---
call GET /api/v1/queues/mine '' -H "$P"
expect '.covering | map(select(.id == '"$sam"')) | length == 1' "Priya's queue says she covers Sam"
expect '.covering[0].cases == 1' "with how many cases Sam has"
call GET "/api/v1/queues/mine?officer=$sam" '' -H "$P"
expect_status 200 "Priya opens Sam's queue"
expect '.officer.covered_by_you == true and (.cases | map(.id) == ['"$case_id"'])' "and sees his case, marked as covered"
call GET "/api/v1/queues/mine?officer=$priya" '' -H "$S"
expect_status 403 "Sam does not cover Priya"
call GET "/api/v1/queues/mine?officer=nonsense" '' -H "$P"
expect_status 400 "a bad officer"
call GET "/api/v1/queues/mine?officer=$sam" '' -H "$M"
expect_status 200 "a manager sees an officer's queue"

# Clearing: the absence goes, the warning with it.
call PATCH "/api/v1/users/$sam" '{"absences":[],"working_pattern":null}' -H "$S"
expect_status 200 "Sam clears his absences and pattern"
expect '.away == null and .absences == [] and .working_pattern == null and .signature == "Sam Adviser"' "all gone"

# --- A visit booked with a consultant away that day ---
cora=$(add cora@beacon.example "Cora Consultant" officer beacon/consultancy)
call PATCH "/api/v1/users/$cora" '{"absences":[{"from":"2025-09-08","to":"2025-09-12","cover_text":"the Beacon office on 020 7946 0000"}]}' -H "$A"
expect_status 200 "an administrator records a consultant's absence"
call POST /api/v1/contracts '{"school":"Oak Academy","service":"beacon/consultancy","year":"2025-26","amount":18,"unit":"hours","consultant_id":'"$cora"'}' -H "$A"
expect_status 201 "a contract with Cora as consultant"
oak=$(json .id)
call POST "/api/v1/contracts/$oak/visits" '{"starts_at":"2025-09-09T09:30"}' -H "$A"
expect_status 201 "a visit on a day she is away is booked"
expect '.warning == "The consultant is away on the day of this visit: Cora Consultant is away until Friday 12 September 2025 and back at work on Monday 15 September 2025. For anything urgent, contact the Beacon office on 020 7946 0000."' "with a warning saying so"
call POST "/api/v1/contracts/$oak/visits" '{"starts_at":"2025-09-16T09:30"}' -H "$A"
expect_status 201 "a visit after she is back"
expect 'has("warning") | not' "has no warning"

# --- Charter review ---
call GET /api/v1/policies '' -H "$M"
expect '(.policies | map(select(.id == "cognus"))[0].review_overdue == false) and .warnings == []' "a charter in date has no warning"
sed 's/^review_by: .*/review_by: 2025-09-01/' policies/cognus.yaml >"$tmp/old.yaml"
call POST /api/v1/policies/check "$(jq -Rs '{text: .}' "$tmp/old.yaml")" -H "$A"
expect_status 200 "a charter past review still checks"
expect '.warnings == ["The Cognus Limited charter was due for review by Monday 1 September 2025; review it and set a new review_by."]' "with the review warning"
call POST /api/v1/policies "$(jq -Rs '{text: .}' "$tmp/old.yaml")" -H "$A"
expect_status 202 "and loads"
expect '.warnings | length == 1' "with the warning"
for _ in $(seq 1 100); do
    call GET /api/v1/policies '' -H "$M"
    jq -e '.policies[] | select(.id == "cognus") | .review_overdue' "$tmp/body" >/dev/null 2>&1 && break
    sleep 0.05
done
expect '(.policies[] | select(.id == "cognus")) as $c | $c.review_overdue == true and ($c.review_warning | test("due for review by Monday 1 September 2025"))' "GET /policies marks it overdue"
expect '.warnings | length == 1' "and lists the warning"
finish
