#!/bin/sh
# E-mailing a termly statement through a real SMTP server on loopback: the
# message is queued in the outbox (and recorded as sent then), and the
# outbox worker delivers it to the school's named contact with the PDF and
# the workbook (read back with Python's email parser, openpyxl and
# pdftotext); headers cannot be broken by a name; a relay that is down
# holds no request and leaves the message queued with its reason. The sink
# is a small SMTP server of our own (smtp_sink.py) on a free loopback port.
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
# wait_mail FILE: the outbox worker sends within a few seconds.
wait_mail() {
    for _ in $(seq 1 100); do
        [ -f "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"

call POST /api/v1/contracts '{"school":"St Anne’s Primary","service":"beacon/consultancy","year":"2025-26","amount":18,"unit":"hours","contact":{"name":"Mrs Zoë O’Neill\r\nBcc: spy@example.org","email":"bm@stannes.example"}}' -H "$A"
expect_status 400 "a contact name that would add a mail header"
expect '.fields == ["contact"]' "the contact is named"
call POST /api/v1/contracts '{"school":"St Anne’s Primary","service":"beacon/consultancy","year":"2025-26","amount":18,"unit":"hours","contact":{"name":"Mrs Zoë O’Neill","email":"bm@stannes.example"}}' -H "$A"
expect_status 201 "a contract with a name mail must encode"
k=$(json .id)
call POST "/api/v1/contracts/$k/visits" '{"starts_at":"2025-11-17T09:30"}' -H "$A"
call PATCH "/api/v1/visits/$(json .id)" '{"outcome":"delivered","actual_minutes":150}' -H "$A"

call POST "/api/v1/contracts/$k/statement/send" '{"term":"autumn-2025"}' -H "$A"
expect_status 200 "the statement is queued"
expect '.sent_to == "bm@stannes.example" and .term == "autumn-2025"' "to the named contact"
checks=$((checks + 1))
wait_mail "$tmp/mail/001.eml" || fail "the outbox delivered the statement"
/usr/bin/python3 - "$tmp/mail/001.eml" "$tmp" >"$tmp/check.out" 2>&1 <<'EOF' || fail "the message as received: $(cat "$tmp/check.out")"
import email, email.policy, io, subprocess, sys
import openpyxl
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
assert msg["To"].addresses[0].addr_spec == "bm@stannes.example", msg["To"]
assert msg["To"].addresses[0].display_name == "Mrs Zoë O’Neill", msg["To"]
assert msg["From"].addresses[0].addr_spec == "hours@beacon.example", msg["From"]
assert str(msg["Subject"]) == "St Anne’s Primary: statement of Consultancy in school hours, autumn-2025", msg["Subject"]
assert msg["Date"] and msg["Message-ID"]
parts = list(msg.iter_parts())
text = parts[0].get_content()
assert "Dear Mrs Zoë O’Neill" in text and "15.50 hours" in text, text
pdf = next(p for p in parts if (p.get_filename() or "").endswith(".pdf")).get_content()
assert pdf.startswith(b"%PDF"), pdf[:8]
out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True).stdout.decode()
assert "Closing balance" in out and "15.50" in out, out
xlsx = next(p for p in parts if (p.get_filename() or "").endswith(".xlsx")).get_content()
rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows()]
assert [r for r in rows if r[0] == "Closing balance (hours)"][0][4] == 15.5, rows
EOF
call GET "/api/v1/statements?term=autumn-2025" '' -H "$A"
expect "[.statements[] | select(.contract_id == $k)][0] | .state == \"sent late\" and .sent_at != null" "and recorded as sent"
call POST "/api/v1/contracts/$k/statement/send" '{"term":"autumn-2025"}' -H "$A"
expect_status 200 "a lost e-mail can be sent again"
checks=$((checks + 1))
wait_mail "$tmp/mail/002.eml" || fail "the second sending reached the server"

call POST /api/v1/contracts '{"school":"No Contact School","service":"beacon/consultancy","year":"2025-26","amount":5,"unit":"hours"}' -H "$A"
call POST "/api/v1/contracts/$(json .id)/statement/send" '{"term":"autumn-2025"}' -H "$A"
expect_status 409 "a contract with no contact address"
expect '.detail | test("no usable e-mail address")' "says what to add"
call POST "/api/v1/contracts/$k/statement/send" '{"term":"lent-2026"}' -H "$A"
expect_status 400 "a term that does not exist"

# A manager sends every statement still to send for the term at once.
call POST /api/v1/contracts '{"school":"Elm Infants","service":"beacon/consultancy","year":"2025-26","amount":10,"unit":"hours","contact":{"name":"Ms Elm","email":"bm@elm.example"}}' -H "$A"
elm=$(json .id)
echo 'officer pass 123' | "$charter" admin user add --db "$db" --email cora@beacon.example --name Cora --role officer --service beacon/consultancy --password-stdin >/dev/null
call POST /api/v1/statements/send '{"term":"autumn-2025"}' -H "Authorization: Bearer $("$charter" admin token --email cora@beacon.example --db "$db")"
expect_status 403 "an officer cannot send them all"
call POST /api/v1/statements/send '{"term":"autumn-2025"}' -H "$A"
expect_status 200 "the term's statements are sent"
expect "(.sent | map(.contract_id)) == [$elm] and (.skipped | map(.school)) == [\"No Contact School\"] and .failed == []" "only those promised, unsent and with an address"
checks=$((checks + 1))
wait_mail "$tmp/mail/003.eml" && grep -q '^To: .*Ms Elm.* <bm@elm.example>' "$tmp/mail/003.eml" || fail "the batch's message reached the server"
call GET "/api/v1/outbox?state=sent" '' -H "$A"
expect '[.messages[] | select(.purpose == "statement")] | length == 3' "the outbox shows the three statements sent"
call GET "/api/v1/statements?term=autumn-2025" '' -H "$A"
expect "[.statements[] | select(.contract_id == $elm)][0].state == \"sent late\"" "and is recorded"

# Running late, and a visit we cancel: the school's contact is told by
# email at once, through the outbox, and each notice is kept with its
# message.
call POST /api/v1/contracts '{"school":"Oak Academy","service":"beacon/consultancy","year":"2026-27","amount":10,"unit":"hours","contact":{"name":"Mr Oak","email":"bm@oak.example"}}' -H "$A"
oak=$(json .id)
call POST "/api/v1/contracts/$oak/visits" '{"starts_at":"2027-01-12T09:30"}' -H "$A"
visit=$(json .id)
call PATCH "/api/v1/visits/$visit" '{"late":{"notice_at":"2026-12-01T10:00","expected_at":"2027-01-12T10:15","channel":"email","note":"The consultant is coming from another school."}}' -H "$A"
expect_status 200 "a late notice by email"
expect '.notices[0].channel == "email" and .notices[0].outbox_id != null and .late.expected_at == "2027-01-12T10:15:00Z"' "kept with the message that carries it"
checks=$((checks + 1))
wait_mail "$tmp/mail/004.eml" || fail "the late notice reached the server"
/usr/bin/python3 - "$tmp/mail/004.eml" >"$tmp/check.out" 2>&1 <<'EOF' || fail "the late notice as received: $(cat "$tmp/check.out")"
import email, email.policy, sys
msg = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
assert msg["To"].addresses[0].addr_spec == "bm@oak.example", msg["To"]
assert str(msg["Subject"]) == "Oak Academy: running late for the visit at 09:30 on Tue 12 Jan 2027", msg["Subject"]
text = msg.get_body(("plain",)).get_content()
assert "Dear Mr Oak" in text and "now expects to arrive at 10:15 on Tue 12 Jan 2027" in text, text
assert "coming from another school" in text, text
EOF
call PATCH "/api/v1/visits/$visit" '{"cancel":{"by":"provider","notice_at":"2026-12-01T11:00","channel":"email"}}' -H "$A"
expect_status 200 "we cancel, and tell the school by email"
expect '.status == "cancelled-by-provider" and (.notices | length) == 2 and .notices[1].kind == "cancelled" and .notices[1].outbox_id != null' "both notices kept"
checks=$((checks + 1))
wait_mail "$tmp/mail/005.eml" && grep -q 'Subject: Oak Academy: the visit at 09:30 on Tue 12 Jan 2027 is cancelled' "$tmp/mail/005.eml" ||
    fail "the cancellation reached the school's contact"
call GET "/api/v1/outbox?state=sent" '' -H "$A"
expect '[.messages[] | select(.purpose == "notice")] | length == 2' "the outbox shows both notices sent"

# The mail server goes away: the request still answers at once, the
# statement waits in the outbox with the relay's reason, and is recorded
# as sent when it was queued.
kill $sink_pid
wait $sink_pid 2>/dev/null
call POST "/api/v1/contracts/$k/statement/send" '{"term":"spring-2026"}' -H "$A"
expect_status 200 "a statement is queued while the mail server is down"
call POST /api/v1/statements/send '{"term":"spring-2026"}' -H "$A"
expect '(.sent | map(.contract_id)) == ['"$elm"'] and .failed == []' "the batch queues the rest"
call GET "/api/v1/statements?term=spring-2026" '' -H "$A"
expect "[.statements[] | select(.sent_at != null)] | length == 2" "spring's statements are recorded when queued"
queued=
for _ in $(seq 1 50); do
    call GET "/api/v1/outbox?state=queued" '' -H "$A"
    queued=$(jq '[.messages[] | select(.attempts >= 1 and .error != null)] | length' "$tmp/body")
    [ "$queued" = 2 ] && break
    sleep 0.2
done
checks=$((checks + 1))
[ "$queued" = 2 ] || fail "both wait in the outbox with the relay's reason"

# A desk started without a mail server says how to send it instead.
stop_server
start_server
call POST "/api/v1/contracts/$k/statement/send" '{"term":"spring-2026"}' -H "$A"
expect_status 409 "no mail server"
expect '.detail | test("record it as sent")' "points to recording it by hand"
finish
