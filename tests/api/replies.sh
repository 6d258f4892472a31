#!/bin/sh
# Email out through a real postfix on 127.0.0.1 (tests/mail/lib.sh): a reply
# from the case is queued at once and the outbox worker delivers it to the
# requester's mailbox with the right To (a hostile display name stays one
# address), Subject, threading headers and attachment; with postfix stopped
# the request still returns at once and the reply waits, then goes exactly
# once when postfix is back; consent and restriction refusals queue
# nothing; staff are told of work assigned or handed to them and of a
# promise about to fall due, by email as each chose.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../mail/lib.sh"
pf_db=$db
postfix_start
start_server --smtp "smtp://127.0.0.1:$pf_port" --outbox-seconds 1 --outbox-retry-seconds 2
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
user() { # user EMAIL NAME ROLE -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$2" \
        --role "$3" --service cognus/enquiries --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
O="Authorization: Bearer $(user olu@staff.example 'Olu Officer' officer)"
M="Authorization: Bearer $(user meg@staff.example 'Meg Manager' manager)"
call GET /api/v1/session '' -H "$O"
olu=$(json .user.id)
call GET /api/v1/session '' -H "$M"
meg=$(json .user.id)

# wait_until JQ PATH [TOKEN]: polls GET PATH (up to 15 s) until the body satisfies JQ.
wait_until() {
    for _ in $(seq 1 75); do
        call GET "$2" '' -H "${3:-$A}"
        jq -e "$1" "$tmp/body" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}
# mails ADDRESS: how many messages postfix delivered to ADDRESS.
mails() { postfix_messages "$1" | wc -l; }

call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"School transport",
  "requester":{"name":"Mallory <m@evil.example>, Head","email":"parent@parent.example"}}' -H "$A"
expect_status 201 "a case from a requester with a hostile name"
case1=$(json .id)
version=$(json .version)

# --- Checks before anything is queued ---
call POST "/api/v1/cases/$case1/replies" '{"text":"Hello","colour":"red"}' -H "$O"
expect_status 400 "an unknown member"
call POST "/api/v1/cases/$case1/replies" '{}' -H "$O"
expect_status 400 "no text"
expect '.fields == ["text"]' "text is named"
call POST "/api/v1/cases/$case1/replies" '{"text":"  \n  "}' -H "$O"
expect_status 400 "a reply of only spaces"
expect '.fields == ["text"]' "the empty text is named"
long=$(head -c 30001 /dev/zero | tr '\0' 'a')
call POST "/api/v1/cases/$case1/replies" "{\"text\":\"$long\"}" -H "$O"
expect_status 400 "a reply longer than the limit is refused by its length, not as a too-large request"
expect '.fields == ["text"]' "the long text is named"
call POST "/api/v1/cases/$case1/replies" '{"text":"Hello","meets":["process"]}' -H "$O"
expect_status 400 "meeting a promise the case does not owe"
expect '.fields == ["meets"]' "meets is named"
call POST "/api/v1/cases/$case1/replies" '{"text":"Hello","cc":["alex@advocacy.example"]}' -H "$O"
expect_status 400 "a copy the requester did not ask for"
expect '.fields == ["cc"] and (.detail | test("copy_third_parties"))' "says how to copy them in"
call POST "/api/v1/cases/$case1/replies" '{"text":"Hello","attachments":[999999]}' -H "$O"
expect_status 400 "a file that is not on the case"

# An attachment, uploaded to the case first.
printf 'The bus pass form, filled in.\n' >"$tmp/form.txt"
status=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "$O" -H 'Content-Type: text/plain' \
    --data-binary @"$tmp/form.txt" "$base/api/v1/cases/$case1/attachments?filename=bus-pass.txt")
expect_status 201 "a file is attached to the case"
file=$(json .id)

# --- A reply, delivered ---
# 202: the reply is queued, and the outbox (not the request) sends it.
call POST "/api/v1/cases/$case1/replies" '{"text":"Dear parent,\nThe bus pass is on its way.\n","meets":["respond"],"attachments":['"$file"']}' -H "$O" -H "If-Match: \"$version\""
expect_status 202 "the reply is queued"
expect '[.contacts[] | select(.direction == "outbound" and .channel == "email")] | length == 1' "as an outbound email contact"
expect '[.obligations[] | select(.promise == "written-reply")][0].state == "met"' "that keeps the written-reply promise"
expect '[.attachments[] | select(.contact_id != null and .filename == "bus-pass.txt")] | length == 1' "with the file linked to the contact"
expect "([.attachments[] | select(.filename == \"bus-pass.txt\")] | length == 1) and ([.attachments[] | select(.id == $file)][0].contact_id != null)" \
    "the file on the case is the one sent, listed once, not copied"
reply1=$(json '[.contacts[] | select(.channel == "email")][0].id')
wait_until '.messages[0].state == "sent"' "/api/v1/cases/$case1/outbox" "$O" || fail "the outbox sent the reply"
expect ".messages[0].contact_id == $reply1 and .messages[0].purpose == \"reply\" and .messages[0].to == \"parent@parent.example\"" "the outbox row is the reply's"
id1=$(json .messages[0].message_id)
postfix_wait_delivered 20 || fail "postfix delivered the reply"
checks=$((checks + 1))
[ "$(mails parent@parent.example)" = 1 ] || fail "one message reached the requester's mailbox"
checks=$((checks + 1))
/usr/bin/python3 - "$(postfix_messages parent@parent.example | head -1)" "$case1" "$id1" >"$tmp/check.out" 2>&1 <<'EOF' || fail "the reply as delivered: $(cat "$tmp/check.out")"
import email, email.policy, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
to = msg["To"].addresses
assert len(to) == 1, msg["To"]
assert to[0].addr_spec == "parent@parent.example", msg["To"]
assert to[0].display_name == "Mallory <m@evil.example>, Head", to[0].display_name
assert msg["Cc"] is None, msg["Cc"]
assert msg["From"].addresses[0].domain == "cognus.example", msg["From"]
assert str(msg["Subject"]) == "Re: School transport [Case #%s]" % sys.argv[2], msg["Subject"]
assert msg["Message-ID"].strip("<> ") == sys.argv[3], (msg["Message-ID"], sys.argv[3])
assert msg["In-Reply-To"] is None, msg["In-Reply-To"]
body = msg.get_body(("plain",)).get_content()
assert "The bus pass is on its way." in body, body
files = [p for p in msg.iter_attachments()]
assert [p.get_filename() for p in files] == ["bus-pass.txt"], [p.get_filename() for p in files]
assert files[0].get_content() == "The bus pass form, filled in.\n", files[0].get_content()
EOF

# --- The relay down: the request still returns at once; then delivered once ---
postfix -c "$pf_dir/etc" stop >/dev/null 2>&1
for _ in $(seq 1 50); do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$pf_port" 2>/dev/null || break
    sleep 0.1
done
call POST "/api/v1/cases/$case1/replies" '{"text":"A second note while the relay is down."}' -H "$O"
expect_status 202 "a reply is queued while postfix is stopped"
wait_until '.messages[0].state == "queued" and .messages[0].attempts >= 1 and .messages[0].error != null' "/api/v1/cases/$case1/outbox" "$O" ||
    fail "the reply waits in the outbox with the relay's reason"
id2=$(json .messages[0].message_id)
call GET "/api/v1/outbox?state=queued" '' -H "$M"
expect "[.messages[] | select(.message_id == \"$id2\")] | length == 1" "managers see it waiting"
call GET "/api/v1/outbox" '' -H "$O"
expect_status 403 "the whole outbox is for managers"
postfix -c "$pf_dir/etc" start >/dev/null 2>&1 || fail "postfix started again"
wait_until '.messages[0].state == "sent"' "/api/v1/cases/$case1/outbox" "$O" || fail "the queued reply went once postfix was back"
postfix_wait_delivered 20 || fail "postfix delivered it"
sleep 3 # a second sending would arrive by now
checks=$((checks + 1))
n=0
for f in $(postfix_messages parent@parent.example); do
    grep -qiF "Message-ID: <$id2>" "$f" && n=$((n + 1))
done
[ "$n" = 1 ] || fail "the queued reply was delivered exactly once (got $n)"
checks=$((checks + 1))
f=$(for f in $(postfix_messages parent@parent.example); do grep -qiF "Message-ID: <$id2>" "$f" && echo "$f"; done | head -1)
grep -qiF "In-Reply-To: <$id1>" "$f" || fail "the second reply threads under the first"

# --- Refusals queue nothing ---
outbox_count() { call GET "/api/v1/cases/$1/outbox" '' -H "$A"; json '.messages | length'; }
call POST /api/v1/people '{"name":"Sam Lee","email":"sam@parent.example","date_of_birth":"2005-03-04","service":"cognus/enquiries"}' -H "$A"
sam=$(json .id)
call POST /api/v1/people '{"name":"Alex Khan","email":"alex@advocacy.example","service":"cognus/enquiries"}' -H "$A"
alex=$(json .id)
call POST "/api/v1/people/$alex/relationships" '{"kind":"advocate","other_id":'"$sam"'}' -H "$A"
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"College place",
  "requester":{"name":"Sam Lee","email":"sam@parent.example"}}' -H "$A"
case2=$(json .id)
call POST "/api/v1/cases/$case2/replies" '{"text":"Copying your advocate.","cc":["alex@advocacy.example"],"copy_third_parties":true}' -H "$O"
expect_status 409 "an advocate copied in without written consent"
expect '(.type | endswith("/consent-required")) and (.detail | test("consent")) and .fields == ["cc"]' "a consent-required problem with a sentence, naming the copy-to field"
checks=$((checks + 1))
[ "$(outbox_count "$case2")" = 0 ] || fail "the consent refusal queued nothing"
call POST "/api/v1/cases/$case2/replies" '{"text":"Copying someone.","cc":["stranger@else.example"],"copy_third_parties":true}' -H "$O"
expect_status 409 "someone not on the desk copied in"
expect '(.type | endswith("/consent-required")) and (.detail | test("not a person on the desk"))' "says to record them first"

call POST "/api/v1/people/$sam/restrictions" "{\"allowed_channels\":[\"letter\"],\"reason\":\"You sent abusive emails.\",\"review_on\":\"$(date -u -d '+30 days' +%F)\"}" -H "$M"
restriction=$(json .id)
call POST "/api/v1/restrictions/$restriction/notice-sent" '{"how":"letter"}' -H "$M"
expect_status 200 "a restriction to letters only is in force"
call POST "/api/v1/cases/$case2/replies" '{"text":"Replying by email."}' -H "$O"
expect_status 409 "a reply by email the restriction does not allow"
expect '(.type | endswith("/restricted-channel")) and (.detail | test("letter"))' "says what is allowed"
checks=$((checks + 1))
[ "$(outbox_count "$case2")" = 0 ] || fail "the restriction refusal queued nothing"
call GET "/api/v1/cases/$case2" '' -H "$A"
expect '[.contacts[] | select(.channel == "email" and .direction == "outbound")] | length == 0' "and logged no contact"

call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"phone","subject":"A call","requester":{"name":"No Address"}}' -H "$A"
case3=$(json .id)
call POST "/api/v1/cases/$case3/replies" '{"text":"Hello"}' -H "$O"
expect_status 409 "a requester with no email address"
expect '(.type | endswith("/no-email-address")) and (.detail | test("letter"))' "says to add one or write a letter"

call POST /api/v1/cases '{"service":"sutton/information-requests","kind":"sar","channel":"email","subject":"My records","requester":{"name":"Pat","email":"pat@parent.example"}}' -H "$A"
case4=$(json .id)
call POST "/api/v1/cases/$case4/replies" '{"text":"Your records are attached."}' -H "$A"
expect_status 409 "secure sending over a relay not known to offer TLS"
expect '(.type | endswith("/secure-sending-required")) and (.detail | test("smtps"))' "says what the charter needs"
checks=$((checks + 1))
[ "$(outbox_count "$case4")" = 0 ] || fail "the secure-sending refusal queued nothing"

# With the relay said to offer STARTTLS, the reply is queued as secure; this
# postfix offers no TLS, so nothing leaves in clear: it waits with the reason.
stop_server
start_server --smtp "smtp://127.0.0.1:$pf_port" --smtp-starttls --outbox-seconds 1 --outbox-retry-seconds 2
call POST "/api/v1/cases/$case4/replies" '{"text":"Your records are attached."}' -H "$A"
expect_status 202 "a secure reply is queued when the relay is to speak TLS"
wait_until '.messages[0].secure == true and .messages[0].state == "queued" and .messages[0].attempts >= 1 and .messages[0].error != null' "/api/v1/cases/$case4/outbox" ||
    fail "without TLS on offer the secure reply waits with the reason"
checks=$((checks + 1))
[ "$(mails pat@parent.example)" = 0 ] || fail "nothing went in clear"
stop_server
start_server --smtp "smtp://127.0.0.1:$pf_port" --outbox-seconds 1 --outbox-retry-seconds 2

# --- Notifications: assigned, handed over, a warning; mail as each chose ---
call PATCH "/api/v1/users/$meg" '{"notify":"sometimes"}' -H "$M"
expect_status 400 "an unknown notify choice"
call PATCH "/api/v1/users/$olu" '{"notify":"none"}' -H "$M"
expect_status 403 "one's notify choice is one's own"
call PATCH "/api/v1/users/$meg" '{"notify":"none"}' -H "$M"
expect_status 200 "Meg wants no email"
expect '.notify == "none"' "and it is recorded"
call GET /api/v1/session '' -H "$M"
expect '.user.notify == "none"' "the session says so too"

call GET "/api/v1/cases/$case1" '' -H "$A"
call PATCH "/api/v1/cases/$case1" '{"officer_id":'"$olu"'}' -H "$A" -H "If-Match: \"$(json .version)\""
expect_status 200 "the administrator assigns the case to Olu"
call GET /api/v1/notifications '' -H "$O"
expect "([.notifications[] | select(.kind == \"assigned\" and .case_id == $case1)] | length == 1) and .unread >= 1" "Olu is told of it"
expect '.notifications[0].text | test("School transport")' "in a sentence naming the case"
note=$(json "[.notifications[] | select(.kind == \"assigned\")][0].id")
call POST /api/v1/cases/$case1/contacts '{"direction":"outbound","channel":"phone","summary":"Passing it on.","outcome":"handed-over","handed_to":'"$meg"'}' -H "$O"
expect_status 201 "Olu hands the case to Meg"
call GET "/api/v1/notifications?unread=true" '' -H "$M"
expect "[.notifications[] | select(.kind == \"handed-over\" and .case_id == $case1)] | length == 1" "Meg is told of the handover"
call GET /api/v1/notifications '' -H "$O"
expect '[.notifications[] | select(.kind == "handed-over")] | length == 0' "the one handing over is not told"
call PATCH "/api/v1/cases/$case1" '{"officer_id":'"$olu"'}' -H "$O" -H "If-Match: \"$(curl -s -H "$O" "$base/api/v1/cases/$case1" | jq .version)\""
call GET /api/v1/notifications '' -H "$O"
expect '[.notifications[] | select(.kind == "assigned")] | length == 1' "taking a case oneself tells nobody"

# Olu (each, the default) gets an email for the assignment; Meg (none) gets none.
for _ in $(seq 1 75); do
    [ "$(mails olu@staff.example)" -ge 1 ] && break
    sleep 0.2
done
postfix_wait_delivered 20
checks=$((checks + 1))
[ "$(mails olu@staff.example)" -ge 1 ] && /usr/bin/python3 -c '
import email, email.policy, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
assert msg["To"].addresses[0].addr_spec == "olu@staff.example", msg["To"]
assert "School transport" in msg.get_body(("plain",)).get_content()
assert msg["Auto-Submitted"] == "auto-generated", msg["Auto-Submitted"]
' "$(postfix_messages olu@staff.example | head -1)" || fail "Olu is emailed about the case assigned to them"
checks=$((checks + 1))
[ "$(mails meg@staff.example)" = 0 ] || fail "Meg, who chose none, gets no email"

# The staff email about the case sits in its outbox, but the requester never
# saw it: a reply threads under the case's own mail, not under it.
call GET "/api/v1/cases/$case1/outbox" '' -H "$A"
staff_id=$(json '[.messages[] | select(.purpose == "notification")][0].message_id')
[ -n "$staff_id" ] && [ "$staff_id" != null ] || fail "the staff email is in the case's outbox"
call POST "/api/v1/cases/$case1/replies" '{"text":"One more thing."}' -H "$O"
expect_status 202 "a reply after the staff email"
wait_until '.messages[0].state == "sent"' "/api/v1/cases/$case1/outbox" "$O" || fail "it was sent"
postfix_wait_delivered 20
id3=$(json '.messages[0].message_id')
checks=$((checks + 1))
f=$(for f in $(postfix_messages parent@parent.example); do grep -qiF "Message-ID: <$id3>" "$f" && echo "$f"; done | head -1)
[ -n "$f" ] && ! grep -qiF "$staff_id" "$f" || fail "the reply names no staff email in In-Reply-To or References"

call POST "/api/v1/notifications/$note/read" '' -H "$M"
expect_status 404 "another's notification cannot be marked"
call POST "/api/v1/notifications/$note/read" '' -H "$O"
expect_status 200 "Olu marks it read"
expect "[.notifications[] | select(.id == $note)][0].read_at != null" "it is read"
call POST /api/v1/notifications/read '' -H "$M"
expect_status 200 "Meg marks all read"
expect '.unread == 0' "none is unread"
call GET "/api/v1/notifications?unread=maybe" '' -H "$M"
expect_status 400 "a bad unread"

# A warning: cases received over the last days, assigned to Olu, whose
# written reply (3 working days, warn_before 1 working day) falls due
# before the close of the next working day, are warned of once; a case that
# came in now is not.
for k in 1 2 3 4 5 6; do
    at=$(TZ=Europe/London date -d "-$k days" +%Y-%m-%dT%H:%M)
    call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","received_at":"'"$at"'","subject":"Older '"$k"'",
      "requester":{"name":"P '"$k"'","email":"p'"$k"'@parent.example"}}' -H "$A"
    call PATCH "/api/v1/cases/$(json .id)" '{"officer_id":'"$olu"'}' -H "$A" -H "If-Match: \"$(json .version)\""
done
call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Brand new","requester":{"name":"Q","email":"q@parent.example"}}' -H "$A"
fresh=$(json .id)
call PATCH "/api/v1/cases/$fresh" '{"officer_id":'"$olu"'}' -H "$A" -H "If-Match: \"$(json .version)\""
# The worker warns once a minute; a restart looks again at once.
stop_server
start_server --smtp "smtp://127.0.0.1:$pf_port" --outbox-seconds 1 --outbox-retry-seconds 2
wait_until '[.notifications[] | select(.kind == "warning")] | length >= 1' /api/v1/notifications "$O" ||
    fail "Olu is warned of a promise about to fall due"
# The sweep may still be at work when the first warning shows: read until
# the count holds still for a second.
warned=-1
for _ in $(seq 1 20); do
    call GET /api/v1/notifications '' -H "$O"
    jq '[.notifications[] | select(.kind == "warning")]' "$tmp/body" >"$tmp/warnings"
    now_warned=$(jq 'length' "$tmp/warnings")
    [ "$now_warned" = "$warned" ] && break
    warned=$now_warned
    sleep 1
done
checks=$((checks + 1))
jq -e "all(.[]; .case_id != $fresh and .obligation_id != null and (.text | test(\"written-reply\")))" "$tmp/warnings" >/dev/null ||
    fail "only promises within a working day are warned of: $(cat "$tmp/warnings")"
for c in $(jq -r '.[].case_id' "$tmp/warnings"); do
    call GET "/api/v1/cases/$c" '' -H "$O"
    expect '[.obligations[] | select(.promise == "written-reply")][0] | .state == "pending"' "a warned promise is still to keep"
done
stop_server
start_server --smtp "smtp://127.0.0.1:$pf_port" --outbox-seconds 1 --outbox-retry-seconds 2
sleep 3
call GET /api/v1/notifications '' -H "$O"
expect "[.notifications[] | select(.kind == \"warning\")] | length == $warned" "each promise is warned of once"
finish
