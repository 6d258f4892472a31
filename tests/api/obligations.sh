#!/bin/sh
# Every promise can be kept and a closed case leaves nothing dangling:
# any obligation kind is met by an outbound contact that names it, an update
# promise recurs while the case is open, and closing settles each open
# obligation as met (by what), breached or withdrawn (why).
. "$(dirname "$0")/lib.sh"
start_server
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
etag() { call GET "/api/v1/cases/$1" '' -H "$A"; json .version; }
ob() { jq -r "[.obligations[] | select(.promise == \"$1\")]$2" "$tmp/body"; }

# --- A service order is processed: meets ["process"] keeps it ---
call POST /api/v1/cases '{"service":"cognus/enquiries","kind":"service-order","channel":"email","received_at":"2026-11-30T10:00","subject":"Order: behaviour support, 4 sessions","requester":{"name":"Head of Year","email":"hoy@school.example"}}' -H "$A"
expect_status 201 "a service order is opened"
order=$(json .id)
expect '[.obligations[] | select(.promise == "service-order")][0] | .kind == "process" and .due_at == "2026-12-07T23:59:59Z"' "7 calendar days to process, to the end of the 7th day"
call POST "/api/v1/cases/$order/contacts" '{"direction":"outbound","channel":"email","summary":"Order processed; sessions booked for January.","meets":["process"]}' -H "$A" -H "If-Match: \"$(etag "$order")\""
expect_status 201 "an outbound contact meets the process obligation"
contact=$(jq -r '.contacts[-1].id' "$tmp/body")
expect "[.obligations[] | select(.promise == \"service-order\")][0] | .state == \"met\" and .met_by_contact == $contact" "the order is processed, by that contact"
expect '.next_due_at == null' "nothing else is owed on the order"
call POST "/api/v1/cases/$order/contacts" '{"direction":"outbound","channel":"email","summary":"again","meets":["process"]}' -H "$A"
expect_status 400 "meeting a promise the case no longer owes is refused"
expect '.fields == ["meets"] and (.detail | test("owes no process promise still open"))' "the sentence says why"
call GET "/api/v1/cases/$order" '' -H "$A"
expect '(.contacts | length) == 1' "nothing was logged by the refused contact"
call POST "/api/v1/cases/$order/contacts" '{"direction":"outbound","channel":"email","meets":["processed"]}' -H "$A"
expect_status 400 "an unknown obligation kind in meets"
expect '.detail | test("acknowledge, respond, resolve, process and update")' "the kinds that can be met are listed"

# --- Keep informed: an update promise recurs every 5 working days ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"2026-11-02T09:30","subject":"Placement query","flags":["complex","delayed"]}' -H "$A"
expect_status 201 "a delayed complex query"
slow=$(json .id)
expect "$(printf '%s' '[.obligations[] | select(.promise == "keep-informed")] | length == 1 and .[0].kind == "update" and .[0].due_at == "2026-11-09T17:00:00Z"')" "the first update is due 5 working days after it arrived"
call POST "/api/v1/cases/$slow/contacts" '{"direction":"outbound","channel":"email","at":"2026-11-13T10:00","summary":"Still waiting for the placement panel; next news by the 20th.","meets":["update"]}' -H "$A" -H "If-Match: \"$(etag "$slow")\""
expect_status 201 "an update is logged"
expect "$(printf '%s' '[.obligations[] | select(.promise == "keep-informed")] | length == 2 and .[0].state == "met" and .[1].state == "breached" and .[1].due_at == "2026-11-20T17:00:00Z"')" "it meets the one due and starts the next, 5 working days on (already past today)"
call POST "/api/v1/cases/$slow/contacts" '{"direction":"outbound","channel":"phone","at":"2026-11-19T15:00","summary":"Panel meets on the 25th.","meets":["update"]}' -H "$A"
expect "$(printf '%s' '[.obligations[] | select(.promise == "keep-informed")] | length == 3 and (map(.state) == ["met","met","breached"]) and .[2].due_at == "2026-11-26T17:00:00Z"')" "each update starts the next"

# The updates end with the answer: the next one still to come is withdrawn.
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Transport appeal","flags":["delayed"]}' -H "$A"
told=$(json .id)
call POST "/api/v1/cases/$told/contacts" '{"direction":"outbound","channel":"email","summary":"The appeal panel sits next week.","meets":["update"]}' -H "$A"
expect "$(printf '%s' '[.obligations[] | select(.promise == "keep-informed")] | map(.state) == ["met","pending"]')" "an update made today owes the next"
call POST "/api/v1/cases/$told/contacts" '{"direction":"outbound","channel":"email","at":"2020-01-01T10:00","summary":"x","meets":["respond"]}' -H "$A"
expect_status 400 "a contact dated before the case arrived"
expect '.fields == ["at"] and (.detail | test("before case"))' "is refused, naming at"
call POST "/api/v1/cases/$told/contacts" '{"direction":"outbound","channel":"email","at":"2099-01-01T10:00","summary":"x","meets":["respond"]}' -H "$A"
expect_status 400 "a contact dated in the future"
expect '.fields == ["at"] and (.detail | test("in the future"))' "is refused too"
call POST "/api/v1/cases/$told/contacts" '{"direction":"outbound","channel":"email","summary":"The panel upheld the appeal; details attached.","meets":["respond"]}' -H "$A"
expect "$(printf '%s' '[.obligations[] | select(.promise == "keep-informed")] | map(.state) == ["met","withdrawn"] and (.[1].reason | test("answer was given"))')" "the answer ends the updates: the next is withdrawn, with why"
expect '.next_due_at == null' "and nothing more is owed"

# --- Closing settles every open obligation ---
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Question about a transfer"}' -H "$A"
fresh=$(json .id)
reply=$(ob written-reply '[0].id')
v=$(etag "$fresh")
call PATCH "/api/v1/cases/$fresh" '{"status":"closed"}' -H "$A" -H "If-Match: \"$v\""
expect_status 400 "closing with a promise not yet due needs a decision"
expect ".fields == [\"settle\"] and (.detail | test(\"obligation $reply \\\\(written-reply\\\\) is not yet due\"))" "the sentence names the obligation and what to say"
call GET "/api/v1/cases/$fresh" '' -H "$A"
expect '.status == "open" and .version == '"$v" "the refused close changed nothing"
for bad in '{"status":"closed","settle":[{"obligation":'"$reply"',"outcome":"withdrawn"}]}' \
           '{"status":"closed","settle":[{"obligation":'"$reply"',"outcome":"met","reason":""}]}' \
           '{"status":"closed","settle":[{"obligation":999999,"outcome":"breached"}]}' \
           '{"status":"closed","settle":[{"obligation":'"$reply"',"outcome":"dropped","reason":"x"}]}' \
           '{"status":"closed","settle":[{"obligation":'"$reply"',"outcome":"breached","why":"x"}]}' \
           '{"status":"closed","settle":[{"obligation":'"$reply"',"outcome":"breached"},{"obligation":'"$reply"',"outcome":"breached"}]}' \
           '{"status":"paused","settle":[{"obligation":'"$reply"',"outcome":"breached"}]}' \
           '{"status":"closed","settle":{"obligation":'"$reply"'}}'; do
    call PATCH "/api/v1/cases/$fresh" "$bad" -H "$A" -H "If-Match: \"$v\""
    expect_status 400 "a settlement that does not hold: $bad"
    expect '.fields == ["settle"] or .fields == ["settle[0].why"]' "settle (or the member at fault in it) is named: $bad"
done
call PATCH "/api/v1/cases/$fresh" '{"status":"closed","note":"Requester withdrew by phone","settle":[{"obligation":'"$reply"',"outcome":"withdrawn","reason":"The requester withdrew the question."}]}' -H "$A" -H "If-Match: \"$v\""
expect_status 200 "closing with each open promise settled"
expect '.status == "closed" and .next_due_at == null' "the case is closed and in no queue"
expect '[.obligations[] | select(.state == "pending" or .state == "paused")] | length == 0' "no obligation stays pending on a closed case"
expect "$(printf '%s' '[.obligations[] | select(.promise == "written-reply")][0] | .state == "withdrawn" and .reason == "The requester withdrew the question."')" "withdrawn, with the reason a manager reads"

# Met outside the desk, and one already breached, and a resolve promise.
v=$(etag "$slow")
answer=$(ob complex-reply '[0].id')
call PATCH "/api/v1/cases/$slow" '{"status":"closed","settle":[{"obligation":'"$answer"',"outcome":"met","reason":"Answered at the meeting on 30 November."}]}' -H "$A" -H "If-Match: \"$v\""
expect_status 200 "closing the delayed case"
expect "$(printf '%s' '[.obligations[] | select(.promise == "complex-reply")][0] | .state == "met" and (.reason | test("meeting"))')" "met, by what the officer said"
expect "$(printf '%s' '[.obligations[] | select(.promise == "keep-informed")][-1] | .state == "breached" and (.reason | test("not kept by its due time"))')" "an update already overdue is recorded as breached, with why"
expect '[.obligations[] | select(.state == "pending" or .state == "paused")] | length == 0' "nothing pending on the second closed case"

# Reopening keeps what was settled.
call PATCH "/api/v1/cases/$fresh" '{"status":"open"}' -H "$A" -H "If-Match: \"$(etag "$fresh")\""
expect_status 200 "a closed case reopens"
expect "$(printf '%s' '[.obligations[] | select(.promise == "written-reply")][0].state == "withdrawn"')" "a withdrawn promise stays withdrawn when the case reopens"

finish
