#!/bin/sh
# E-mailing a termly statement through a real SMTP server on loopback: the
# message reaches the school's named contact with the PDF and the workbook
# (read back with Python's email parser, openpyxl and pdftotext), headers
# cannot be broken by a name, and a failed send records nothing. The sink is
# a small SMTP server of our own (smtp_sink.py) on a free loopback port.
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
start_server --smtp "smtp://127.0.0.1:$port" --mail-from hours@beacon.example
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
expect_status 200 "the statement is sent"
expect '.sent_to == "bm@stannes.example" and .term == "autumn-2025"' "to the named contact"
checks=$((checks + 1))
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
[ -f "$tmp/mail/002.eml" ] || fail "the second sending reached the server"

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
grep -q '^To: Ms Elm <bm@elm.example>' "$tmp/mail/003.eml" || fail "the batch's message reached the server"
call GET "/api/v1/statements?term=autumn-2025" '' -H "$A"
expect "[.statements[] | select(.contract_id == $elm)][0].state == \"sent late\"" "and is recorded"

# The mail server goes away: the sending fails and nothing is recorded.
kill $sink_pid
wait $sink_pid 2>/dev/null
call POST "/api/v1/contracts/$k/statement/send" '{"term":"spring-2026"}' -H "$A"
expect_status 502 "the mail server cannot be reached"
expect '.detail | test("Nothing was recorded as sent")' "and the answer says so"
call POST /api/v1/statements/send '{"term":"spring-2026"}' -H "$A"
expect '(.failed | length) == 2 and (.failed[0].why | test("did not take")) and (.failed[1].why | test("not tried")) and .sent == []' "a batch stops at the first unreachable relay"
call GET "/api/v1/statements?term=spring-2026" '' -H "$A"
expect "[.statements[] | select(.sent_at != null)] == []" "spring's statements are all still unsent"

# A desk started without a mail server says how to send it instead.
stop_server
start_server
call POST "/api/v1/contracts/$k/statement/send" '{"term":"spring-2026"}' -H "$A"
expect_status 409 "no mail server"
expect '.detail | test("record it as sent")' "points to recording it by hand"
finish
