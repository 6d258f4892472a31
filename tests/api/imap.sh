#!/bin/sh
# Polling a hosted mailbox: a real dovecot on loopback (TLS required) holds
# messages; `charter imap --once` takes them into the desk, where the cases
# are read back through the API; they are then \Seen on the server, a
# second poll takes nothing twice, a store outage marks nothing and the
# next good poll takes what it left, and a wrong password, an untrusted
# certificate or an unreachable server each give a sentence and an exit
# status a scheduler can act on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../mail/dovecot.sh"
lock_pid=
every_pid=
trap '[ -n "$lock_pid" ] && kill "$lock_pid" 2>/dev/null; [ -n "$every_pid" ] && kill "$every_pid" 2>/dev/null; stop_server; dovecot_stop; rm -rf "$tmp"' EXIT
dovecot_start
start_server
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
mkdir -p "$tmp/eml"

# charter_imap ARGS...: sets status and writes $tmp/imap.out and imap.err
# (kept in all.err, checked at the end for sanitizer reports).
charter_imap() {
    "$charter" imap "$@" >"$tmp/imap.out" 2>"$tmp/imap.err"
    status=$?
    cat "$tmp/imap.err" >>"$tmp/all.err"
}
# imap [ARGS...]: one poll of the test mailbox.
imap() {
    charter_imap --db "$db" --url "$imaps_url" --user "$imap_user" \
        --password-file "$imap_password_file" --ca-file "$imap_ca" --once "$@"
}
expect_out() { # TEXT WHAT
    checks=$((checks + 1))
    grep -qF -- "$1" "$tmp/imap.out" ||
        fail "$2: stdout lacks '$1': $(cat "$tmp/imap.out") / $(cat "$tmp/imap.err")"
}
expect_err() { # TEXT WHAT
    checks=$((checks + 1))
    grep -qF -- "$1" "$tmp/imap.err" || fail "$2: stderr lacks '$1': $(cat "$tmp/imap.err")"
}
expect_count() { # WANT GOT WHAT
    checks=$((checks + 1))
    [ "$1" = "$2" ] || fail "$3: expected $1, got $2"
}
expect_v() { # VALUE JQ-EXPR WHAT: the body satisfies the expression with $v = VALUE
    checks=$((checks + 1))
    jq -e --arg v "$1" "$2" "$tmp/body" >/dev/null 2>&1 || fail "$3: body does not satisfy $2 with \$v = $1"
}
cases_total() {
    call GET "/api/v1/cases?service=cognus/enquiries&limit=200" '' -H "$A"
    json .total
}
# case_about SUBJECT-WORD: the case whose subject holds the word, in $tmp/body.
case_about() {
    call GET "/api/v1/cases?service=cognus/enquiries&q=$1" '' -H "$A"
    id=$(json '.cases[0].id // empty')
    [ -n "$id" ] && call GET "/api/v1/cases/$id" '' -H "$A"
}

# Three messages as mail clients write them: plain text; an encoded subject
# and display name in UTF-8 with a quoted-printable body; and one in
# ISO-8859-1.
crlf() { sed 's/$/\r/'; }
crlf >"$tmp/eml/1.eml" <<'EOF'
From: Amira Hassan <amira.hassan@parent.example>
To: Cognus enquiries <enquiries@cognus.example>
Subject: Bus pass for Year 7
Date: Mon, 30 Nov 2026 09:15:00 +0000
Message-ID: <imap-test-1@parent.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello, my son starts Year 7 in January and needs a bus pass.
Thank you, Amira
EOF
crlf >"$tmp/eml/2.eml" <<'EOF'
From: =?UTF-8?Q?Zo=C3=AB_O=E2=80=99Neill?= <zoe.oneill@parent.example>
To: enquiries@cognus.example
Subject: =?UTF-8?Q?Caf=C3=A9_menu_allergens?=
Date: Mon, 30 Nov 2026 10:00:00 +0000
Message-ID: <imap-test-2@parent.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Could you send the caf=C3=A9 menu with its allergens? My daughter is coeliac=
 and cannot eat gluten.
EOF
printf 'From: Rene Dupont <rene.dupont@parent.example>\r\nTo: enquiries@cognus.example\r\nSubject: Appointment request\r\nDate: Mon, 30 Nov 2026 11:00:00 +0000\r\nMessage-ID: <imap-test-3@parent.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nJ\351r\364me needs an appointment about his statement review.\r\n' >"$tmp/eml/3.eml"
put_message "$tmp/eml/1.eml" '2026-11-30 09:20:00 UTC'
put_message "$tmp/eml/2.eml"
put_message "$tmp/eml/3.eml"

# --- One poll takes all three, and they are \Seen after ---
imap --service cognus/enquiries
expect_count 0 "$status" "charter imap --once exits 0 ($(cat "$tmp/imap.err"))"
expect_out "took 3 messages: 3 new cases" "the poll says what it took"
expect_count 3 "$(cases_total)" "three cases"
case_about bus
expect '.subject == "Bus pass for Year 7" and .channel == "email" and .requester.email == "amira.hassan@parent.example"' "the plain message's case: subject, channel, sender"
expect 'tostring | test("needs a bus pass")' "the plain message's text is on its case"
expect '.received_at == "2026-11-30T09:20:00Z"' "received when the mail server took it (its INTERNALDATE), not when it was written"
case_about allergens
expect '.subject == "Café menu allergens" and .requester.email == "zoe.oneill@parent.example"' "the encoded subject is decoded"
expect '.requester.name == "Zoë O’Neill"' "the encoded display name is decoded"
expect 'tostring | test("café menu with its allergens\\? My daughter is coeliac and cannot eat gluten")' "quoted-printable text is decoded"
case_about appointment
expect 'tostring | test("Jérôme needs an appointment")' "ISO-8859-1 text arrives as UTF-8"
expect_count 3 "$(seen_count)" "all three are \\Seen on the server"
expect_count 0 "$(unseen_count)" "none is left unread"

# --- Real clients' mail (the parser's corpus): subject, sender and text ---
corpus="$(dirname "$0")/../data/mail"
picked="outlook thunderbird apple html_only signed polish welsh arabic malformed"
before=$(cases_total)
for f in $picked; do put_message "$corpus/$f.eml"; done
imap --service cognus/enquiries
expect_count 0 "$status" "the corpus poll exits 0 ($(cat "$tmp/imap.err"))"
expect_out "took 9 messages" "all nine corpus messages are taken"
expect_count $((before + 9)) "$(cases_total)" "each opens a case"
call GET "/api/v1/cases?service=cognus/enquiries&limit=200" '' -H "$A"
cp "$tmp/body" "$tmp/list"
for f in $picked; do
    from=$(awk -F '\t' -v f="$f.eml" '$1 == f && $2 == "from" {print $3}' "$corpus/expect.tsv")
    id=$(jq -r --arg e "$from" '[.cases[] | select((.requester.email // "" | ascii_downcase) == ($e | ascii_downcase))][0].id // empty' "$tmp/list")
    checks=$((checks + 1))
    if [ -z "$id" ]; then
        fail "$f.eml: no case for $from"
        continue
    fi
    call GET "/api/v1/cases/$id" '' -H "$A"
    awk -F '\t' -v f="$f.eml" '$1 == f && ($2 == "subject" || $2 == "from_name" || $2 == "text") {print $2 "\t" $3}' \
        "$corpus/expect.tsv" >"$tmp/want"
    while IFS="$(printf '\t')" read -r field value; do
        case $field in
        subject) expect_v "$value" '.subject == $v' "$f.eml: the subject" ;;
        from_name) [ "$value" = - ] || expect_v "$value" '.requester.name == $v' "$f.eml: the sender's name" ;;
        text) expect_v "$value" '[.. | strings] | any(contains($v | gsub("\\\\n"; "\n")))' "$f.eml: the text" ;;
        esac
    done <"$tmp/want"
done

# --- A second poll takes nothing; the same message again is no new case ---
total=$(cases_total)
imap --service cognus/enquiries
expect_count 0 "$status" "a second poll exits 0"
expect_out "took 0 messages" "the second poll takes nothing"
expect_count "$total" "$(cases_total)" "no new case"
put_message "$tmp/eml/1.eml"
imap --service cognus/enquiries
expect_out "took 1 message: 1 taken before" "a message delivered twice is known by its Message-ID"
expect_count "$total" "$(cases_total)" "no duplicate case"
expect_count 0 "$(unseen_count)" "and it is marked \\Seen too"

# --- A follow-up in the same batch as the message it follows joins its case ---
# (messages of a batch are taken several at once, but an answer after what
# it answers)
for i in 1 2 3 4 5 6; do
    crlf >"$tmp/eml/f$i.eml" <<EOF
From: Parent $i <parent$i@parent.example>
To: enquiries@cognus.example
Subject: Transport question $i
Message-ID: <first-$i@parent.example>

Which bus goes to the school from Ashfield?
EOF
    crlf >"$tmp/eml/g$i.eml" <<EOF
From: Parent $i <parent$i@parent.example>
To: enquiries@cognus.example
Subject: Re: Transport question $i
Message-ID: <second-$i@parent.example>
In-Reply-To: <first-$i@parent.example>
References: <first-$i@parent.example>

Sorry, I meant from Ashfield Road, not Ashfield village.
EOF
done
# The follow-ups first, as a server may order them.
for i in 1 2 3 4 5 6; do put_message "$tmp/eml/g$i.eml"; done
for i in 1 2 3 4 5 6; do put_message "$tmp/eml/f$i.eml"; done
before=$(cases_total)
imap --service cognus/enquiries
expect_out "took 12 messages: 6 new cases, 6 replies" "each follow-up joined its first message's case"
expect_count $((before + 6)) "$(cases_total)" "six cases, not twelve"
total=$(cases_total)

# --- With the store unable to write, nothing is marked ---
crlf >"$tmp/eml/4.eml" <<'EOF'
From: Priya Shah <priya.shah@parent.example>
To: enquiries@cognus.example
Subject: Lost property at the leisure centre
Message-ID: <imap-test-4@parent.example>

My son left his coat at the leisure centre on Saturday.
EOF
put_message "$tmp/eml/4.eml"
if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
    good_db=$db
    db="postgres://charter@127.0.0.1:$(free_port)/nothing"
    imap --service cognus/enquiries
    db=$good_db
else
    # A writer holding the database: the store's writes time out.
    mkfifo "$tmp/lock.in"
    sqlite3 "$db" <"$tmp/lock.in" >/dev/null 2>&1 &
    lock_pid=$!
    exec 9>"$tmp/lock.in"
    echo 'BEGIN EXCLUSIVE;' >&9
    sleep 0.3
    imap --service cognus/enquiries
    exec 9>&-
    wait "$lock_pid" 2>/dev/null
    lock_pid=
fi
expect_count 75 "$status" "a store that cannot be reached exits 75 (EX_TEMPFAIL)"
expect_err "charter imap:" "with a sentence"
expect_count 1 "$(unseen_count)" "the message stays unread on the server"
expect_count "$total" "$(cases_total)" "and no case was opened"
imap --service cognus/enquiries
expect_count 0 "$status" "the next good poll exits 0"
expect_out "took 1 message: 1 new case" "and takes what was left"
expect_count $((total + 1)) "$(cases_total)" "one more case"
expect_count 0 "$(unseen_count)" "nothing left unread"

# --- Moving taken messages to a folder, over STARTTLS ---
crlf >"$tmp/eml/5.eml" <<'EOF'
From: Tom Baker <tom.baker@parent.example>
To: enquiries@cognus.example
Subject: School admissions deadline
Message-ID: <imap-test-5@parent.example>

When is the deadline for secondary school applications?
EOF
put_message "$tmp/eml/5.eml"
inbox_before=$(imap_count INBOX)
charter_imap --db "$db" --url "$imap_url" --user "$imap_user" \
    --password-file "$imap_password_file" --ca-file "$imap_ca" --once \
    --service cognus/enquiries --move-to Processed
expect_count 0 "$status" "imap:// with STARTTLS and --move-to exits 0 ($(cat "$tmp/imap.err"))"
expect_out "took 1 message: 1 new case" "the moved message was taken"
expect_count 1 "$(imap_count Processed)" "it is in Processed"
expect_count $((inbox_before - 1)) "$(imap_count INBOX)" "and no longer in INBOX"
imap --service cognus/enquiries --move-to Archive
expect_count 1 "$status" "a --move-to folder that does not exist exits 1"
expect_err "has no folder 'Archive'" "naming the folder"

# --- --every keeps polling until SIGTERM ---
crlf >"$tmp/eml/7.eml" <<'EOF'
From: Jo Evans <jo.evans@parent.example>
To: enquiries@cognus.example
Subject: Holiday club places
Message-ID: <imap-test-7@parent.example>

Are there places left in the February holiday club?
EOF
"$charter" imap --db "$db" --url "$imaps_url" --user "$imap_user" \
    --password-file "$imap_password_file" --ca-file "$imap_ca" --service cognus/enquiries \
    --every 1 >"$tmp/every.out" 2>"$tmp/every.err" &
every_pid=$!
sleep 1.5
put_message "$tmp/eml/7.eml"
for _ in $(seq 1 200); do
    grep -q '^took 1 message' "$tmp/every.out" && break
    sleep 0.1
done
kill -TERM "$every_pid"
wait "$every_pid"
status=$?
expect_count 0 "$status" "charter imap --every stops cleanly on SIGTERM ($(cat "$tmp/every.err"))"
checks=$((checks + 1))
grep -q '^took 1 message: 1 new case' "$tmp/every.out" || fail "a later poll took the new message: $(cat "$tmp/every.out")"
expect_count 0 "$(unseen_count)" "and marked it"

# --- A message that can never be taken is flagged, not fetched again ---
crlf >"$tmp/eml/6.eml" <<'EOF'
From: Someone <someone@elsewhere.example>
To: nobody@elsewhere.example
Subject: Not for any service
Message-ID: <imap-test-6@elsewhere.example>

This message is addressed to no service on the desk.
EOF
put_message "$tmp/eml/6.eml"
imap
expect_count 0 "$status" "a refused message does not fail the poll"
expect_out "refused 1 (flagged \$CharterRefused)" "the poll says it refused one"
expect_err "was refused and flagged" "with the reason"
checks=$((checks + 1))
imap_flags | grep -q 'CharterRefused' || fail "the refused message carries \$CharterRefused: $(imap_flags)"
imap
expect_out "took 0 messages" "and is not fetched again"

# --- Failures a person must see ---
printf 'not-the-password\n' >"$tmp/wrong"
charter_imap --db "$db" --url "$imaps_url" --user "$imap_user" --password-file "$tmp/wrong" \
    --ca-file "$imap_ca" --once
expect_count 1 "$status" "a wrong password exits 1"
expect_err "refused the login of 'desk@cognus.example': check the user name and the password file" "a wrong password is said plainly"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=other' -keyout "$tmp/other.key" \
    -out "$tmp/other.pem" 2>/dev/null
charter_imap --db "$db" --url "$imaps_url" --user "$imap_user" \
    --password-file "$imap_password_file" --ca-file "$tmp/other.pem" --once
expect_count 1 "$status" "an untrusted certificate exits 1"
expect_err "could not be trusted" "an untrusted certificate is said plainly"
charter_imap --db "$db" --url "imaps://127.0.0.1:$(free_port)/INBOX" --user "$imap_user" \
    --password-file "$imap_password_file" --ca-file "$imap_ca" --once
expect_count 75 "$status" "an unreachable server exits 75"
expect_err "cannot reach the IMAP server at 127.0.0.1:" "naming the server"
charter_imap --db "$db" --url "imaps://desk:secret@127.0.0.1/INBOX" --user "$imap_user" \
    --password-file "$imap_password_file" --once
expect_count 2 "$status" "a password in the URL is a usage error"
expect_err "holds a user name or password" "saying why"
charter_imap --db "$db" --url "http://127.0.0.1/INBOX" --user "$imap_user" \
    --password-file "$imap_password_file" --once
expect_count 2 "$status" "a URL that is not IMAP is a usage error"
charter_imap --db "$db" --url "$imaps_url" --user "$imap_user" \
    --password-file "$imap_password_file"
expect_count 2 "$status" "neither --once nor --every is a usage error"
imap --service cognus/nosuch
expect_count 2 "$status" "a service that does not exist is a usage error, so no message is refused for it"
expect_err "--service 'cognus/nosuch'" "naming it"
cat "$tmp/every.err" >>"$tmp/all.err"
checks=$((checks + 1))
! grep -q 'Sanitizer\|runtime error' "$tmp/all.err" || fail "a sanitizer report: $(grep -A5 'Sanitizer\|runtime error' "$tmp/all.err" | head -40)"
finish
