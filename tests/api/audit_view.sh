#!/bin/sh
# Reading the audit log by person and by member of staff: who viewed a
# person's records (their own record and every case of theirs) between two
# dates, and what one member of staff viewed; paged, scoped (a manager sees
# only rows about records of their own services, an administrator all,
# officers none) and strict about its query.
. "$(dirname "$0")/lib.sh"
start_server
add() { # add EMAIL ROLE SERVICE -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$2" \
        --role "$3" --service "$4" --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
M="Authorization: Bearer $(add manager@cognus.example 'Mina Manager' manager cognus/enquiries)"
O="Authorization: Bearer $(add officer@cognus.example 'Olu Officer' officer cognus/enquiries)"
X="Authorization: Bearer $(add manager@sendiass.example 'Xan Outsider' manager sendiass/enquiries)"
call GET /api/v1/users '' -H "$A"
mina=$(json '.users[] | select(.email == "manager@cognus.example") | .id')
olu=$(json '.users[] | select(.email == "officer@cognus.example") | .id')

new_case() { # new_case SERVICE SUBJECT NAME EMAIL -> sets case_id, person_id
    call POST /api/v1/cases "{\"service\":\"$1\",\"channel\":\"email\",\"received_at\":\"2026-11-02T10:00\",\"subject\":\"$2\",\"requester\":{\"name\":\"$3\",\"email\":\"$4\"}}" -H "$A"
    expect_status 201 "case $2 opened"
    case_id=$(json .id)
    person_id=$(json .person_id)
}
new_case cognus/enquiries "Dana's transport" "Dana Field" dana@example.org
dana_case=$case_id dana=$person_id
new_case cognus/enquiries "Eli's placement" "Eli Stone" eli@example.org
eli_case=$case_id eli=$person_id
new_case sendiass/enquiries "Sendiass matter" "Sol Reyes" sol@example.org
sol_case=$case_id sol=$person_id

# The reads that the log must show, and some it must not.
call GET "/api/v1/cases/$dana_case" '' -H "$M"
expect_status 200 "the manager reads Dana's case"
call GET "/api/v1/people/$dana" '' -H "$M"
expect_status 200 "the manager reads Dana's record"
call GET "/api/v1/cases/$dana_case" '' -H "$O"
expect_status 200 "the officer reads Dana's case"
call GET "/api/v1/cases/$eli_case" '' -H "$O"
call GET "/api/v1/people/$eli" '' -H "$M"

today=$(date -u +%F)
yesterday=$(date -u -d '-1 day' +%F)
tomorrow=$(date -u -d '+1 day' +%F)
long_ago=$(date -u -d '-3 day' +%F)
ahead=$(date -u -d '+3 day' +%F)

call GET "/api/v1/audit?person=$dana&from=$yesterday&to=$tomorrow" '' -H "$A"
expect_status 200 "an administrator asks who viewed Dana's records"
expect ".person.id == $dana and .person.name == \"Dana Field\" and .from == \"$yesterday\" and .to == \"$tomorrow\"" "the answer names the person and the dates"
expect "[.audit[] | select(.action == \"read\" and .object == \"case\" and .object_id == $dana_case and .user == \"Olu Officer\" and .user_id == $olu)] | length == 1" "the officer's read of Dana's case is there, by name"
expect "[.audit[] | select(.action == \"read\" and .object == \"person\" and .object_id == $dana and .user == \"Mina Manager\")] | length == 1" "the manager's read of Dana's record is there"
expect "[.audit[] | select(.action == \"read\" and .object == \"case\" and .object_id == $dana_case and .user == \"Mina Manager\")] | length == 1" "and the manager's read of her case"
expect "[.audit[] | select(.action == \"create\" and .object == \"case\" and .object_id == $dana_case)] | length == 1" "and the case's opening"
expect "[.audit[] | select((.object == \"case\" and .object_id != $dana_case) or (.object == \"person\" and .object_id != $dana))] | length == 0" "nothing about Eli or anyone else"
expect '[.audit[] | .remote | select(. != null)] | length > 0' "each row says where from"
expect '.more == false and .next == null' "one page holds it all"
expect '[.audit[].at] == ([.audit[].at] | sort | reverse)' "newest first"
# Reading a person's access log is itself recorded against the person
# ("read-audit"), so the counts below leave those rows out.
all=$(json '[.audit[] | select(.action != "read-audit")] | length')

call GET "/api/v1/audit?person=$dana&from=$today&to=$today" '' -H "$A"
expect "([.audit[] | select(.action != \"read-audit\")] | length) == $all" "today alone holds the same rows"
call GET "/api/v1/audit?person=$dana&from=$long_ago&to=$yesterday" '' -H "$A"
expect '.audit == []' "days before today hold none of them"
call GET "/api/v1/audit?person=$dana&from=$tomorrow" '' -H "$A"
expect '.audit == []' "nor do days after"
call GET "/api/v1/audit?person=$dana&to=$ahead" '' -H "$A"
expect "([.audit[] | select(.action != \"read-audit\")] | length) == $all" "to alone bounds the rows from above only"

# Paging: a page at a time, each older than the last, all rows once. The
# first page also sees the read-audit row this count adds; later pages are
# older than it and so see none of their own.
call GET "/api/v1/audit?person=$dana&limit=1000" '' -H "$A"
total=$(($(json '.audit | length') + 1))
call GET "/api/v1/audit?person=$dana&limit=1" '' -H "$A"
expect '(.audit | length) == 1 and .more == true and (.next | type) == "string"' "a page of one says there is more"
seen=$(json '.audit[0].id')
pages=1
while [ "$(json .more)" = true ] && [ $pages -lt 50 ]; do
    next=$(json .next)
    call GET "/api/v1/audit?person=$dana&limit=1&cursor=$next" '' -H "$A"
    [ "$(json '.audit | length')" = 1 ] || break
    seen="$seen $(json '.audit[0].id')"
    pages=$((pages + 1))
done
checks=$((checks + 1))
[ "$pages" = "$total" ] || fail "paging by one gives every row: $pages pages for $total rows"
checks=$((checks + 1))
[ "$(echo "$seen" | tr ' ' '\n' | sort -u | wc -l)" = "$total" ] || fail "each row once: $seen"

# What one member of staff viewed.
call GET "/api/v1/audit?user=$olu&from=$yesterday&to=$tomorrow" '' -H "$A"
expect_status 200 "an administrator asks what the officer viewed"
expect ".user.id == $olu and .user.name == \"Olu Officer\"" "the answer names the member of staff"
expect "[.audit[] | select(.user_id != $olu)] | length == 0" "only their rows"
expect "[.audit[] | select(.action == \"read\" and .object == \"case\")] | map(.object_id) | sort == ([$dana_case, $eli_case] | sort)" "both cases they read"
call GET "/api/v1/audit?user=$olu&from=$long_ago&to=$yesterday" '' -H "$A"
expect '.audit == []' "and nothing before today"

# Looking at the access log is itself recorded.
call GET "/api/v1/audit?user=1" '' -H "$A"
expect "[.audit[] | select(.action == \"read-audit\" and .object == \"person\" and .object_id == $dana)] | length > 0" "the administrator's reading of Dana's access log is in their own"

# Managers: their own services' records only.
call GET "/api/v1/audit?person=$dana" '' -H "$M"
expect_status 200 "Cognus's manager reads Dana's access log"
expect "(.audit | length) >= $all" "all of it"
call GET "/api/v1/audit?person=$dana" '' -H "$X"
expect_status 404 "another service's manager is refused a person they cannot see"
expect '.detail | test("no such person")' "with a sentence"
call GET "/api/v1/audit?case=$dana_case" '' -H "$X"
expect_status 404 "and a case they cannot see"
call GET "/api/v1/audit?user=$olu" '' -H "$X"
expect_status 200 "another service's manager may ask what Olu viewed"
expect '.audit == []' "but sees nothing of Cognus's records"
call GET "/api/v1/audit?user=$mina" '' -H "$X"
expect '.audit == []' "nor of the Cognus people the Cognus manager read"
call GET "/api/v1/cases/$sol_case" '' -H "$X"
call GET "/api/v1/people/$sol" '' -H "$X"
call GET "/api/v1/audit?person=$sol" '' -H "$X"
expect "[.audit[] | select(.object == \"person\" and .object_id == $sol and .action == \"read\")] | length == 1" "and sees their own service's person's log"
call GET "/api/v1/audit?user=1&limit=1000" '' -H "$X"
expect "([.audit[] | select(.object == \"case\" and (.object_id == $dana_case or .object_id == $eli_case))] | length == 0) and ([.audit[] | select(.object == \"case\" and .object_id == $sol_case)] | length > 0)" "what the administrator did, only where it touched their service"
call GET "/api/v1/audit?user=$mina" '' -H "$A"
expect "[.audit[] | select(.object_id == $eli and .object == \"person\")] | length == 1" "the administrator sees all the manager did"

# Officers are refused; bad queries are told what to do.
call GET "/api/v1/audit?person=$dana" '' -H "$O"
expect_status 403 "officers are refused the access log"
expect '.detail | test("managers and administrators")' "with a sentence"
bad() { # bad QUERY STATUS FIELD-OR-WORD WHAT
    call GET "/api/v1/audit?$1" '' -H "$A"
    expect_status "$2" "$4"
    expect ".detail | test(\"$3\"; \"i\")" "$4: the sentence says what to do"
}
bad "person=$dana&colour=red" 400 colour "an unknown parameter"
bad "person=$dana&from=2026-13-01" 400 "from is a date" "a bad from date"
bad "person=$dana&to=yesterday" 400 "to is a date" "a bad to date"
bad "person=$dana&from=2026-02-01&to=2026-01-01" 400 "no later than" "from after to"
bad "person=abc" 400 "person id" "a person id that is not a number"
bad "person=99999" 404 "no such person" "an unknown person"
bad "user=99999" 404 "no member of staff" "an unknown member of staff"
bad "person=$dana&user=$olu" 400 "one of case, person and user" "two subjects"
bad "from=2026-01-01" 400 "go with case, person or user" "dates without a subject"
bad "person=$dana&cursor=xyz" 400 "cursor" "a bad cursor"
bad "person=$dana&limit=0" 400 "1-1000" "a bad limit"
call GET "/api/v1/audit?person=$dana&from=2026-02-01&to=2026-01-01" '' -H "$A"
expect '.fields == ["from"]' "the faulty field is named"

finish
