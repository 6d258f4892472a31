#!/bin/sh
# Email in: `charter mailgate` takes a message from standard input onto the
# desk, as a mail server's pipe would, and the API shows the case it opened
# or joined. A reply to the acknowledgement joins its case; a stranger
# naming someone else's case in the subject does not; a duplicate is kept
# once; automatic mail and a fourth message in an hour get no
# acknowledgement; the exit status tells the mail server what to do (0
# taken, 65 never, 75 try again, 64 usage). Then the same through a real
# postfix on 127.0.0.1 piping into charter mailgate, sent with swaks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../mail/lib.sh"
corpus=tests/data/mail
policies=$(pwd)/policies
# A relay nobody answers: replies queue, and nothing here waits on them.
start_server --smtp smtp://127.0.0.1:9 --outbox-seconds 3600
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"

# mg ARGS... < MESSAGE: runs charter mailgate; sets mg_status, $tmp/mg.out and mg.err.
mg() {
    "$charter" mailgate --db "$db" --policies "$policies" "$@" >"$tmp/mg.out" 2>"$tmp/mg.err"
    mg_status=$?
}
expect_mg() {
    checks=$((checks + 1))
    [ "$mg_status" = "$1" ] || {
        failures=$((failures + 1))
        echo "FAIL: $2: expected exit $1, got $mg_status"
        echo "  stdout: $(cat "$tmp/mg.out")"
        echo "  stderr: $(cat "$tmp/mg.err")"
    }
}
expect_mg_out() {
    checks=$((checks + 1))
    grep -qF -- "$1" "$tmp/mg.out" || {
        failures=$((failures + 1))
        echo "FAIL: $2: the output lacks '$1': $(cat "$tmp/mg.out")"
    }
}
expect_mg_err() {
    checks=$((checks + 1))
    grep -qF -- "$1" "$tmp/mg.err" || {
        failures=$((failures + 1))
        echo "FAIL: $2: stderr lacks '$1': $(cat "$tmp/mg.err")"
    }
}
# The case a run filed the message on (0 when none).
mg_case() { sed -n 's/.*on case \([0-9]*\).*/\1/p; s/.*(inbound mail [0-9]*, case \([0-9]*\)).*/\1/p' "$tmp/mg.out" | head -1; }

# sql QUERY: one answer from the store itself (the outbox has no API here);
# RAWTEXT reads a message's bytes as text on either backend.
sql() {
    if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
        q=$(echo "$1" | sed "s/RAWTEXT/convert_from(raw, 'UTF8')/")
        psql "${db%%\?schema=*}" -Atqc "SET search_path TO \"${db##*schema=}\"; $q"
    else
        sqlite3 "$db" "$(echo "$1" | sed 's/RAWTEXT/cast(raw AS text)/')"
    fi
}

# message FROM MESSAGE-ID SUBJECT [HEADER...]: a plain message on stdout.
message() {
    from=$1 id=$2 subject=$3
    shift 3
    printf 'From: %s\r\nTo: Cognus Enquiries <enquiries@cognus.example>\r\n' "$from"
    printf 'Subject: %s\r\nMessage-ID: <%s>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n' "$subject" "$id"
    for h in "$@"; do printf '%s\r\n' "$h"; done
    printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
    printf 'Message %s, written by a person.\r\n' "$id"
}

# --- A new enquiry by email, read back through the API ---
mg --service cognus/enquiries <"$corpus/thunderbird.eml"
expect_mg 0 "a message from Thunderbird is taken"
expect_mg_out "opened, acknowledged" "it opened a case and was acknowledged"
case1=$(mg_case)
call GET "/api/v1/cases/$case1" '' -H "$A"
expect_status 200 "the new case reads back"
expect '.subject == "Copy of the report, please"' "the decoded subject"
expect '.requester.email == "renee.muller@parent.example" and .requester.name == "Renée Müller"' \
    "the sender's address and decoded name"
expect '.channel == "email" and .kind == "enquiry" and .service == "cognus/enquiries"' \
    "an email enquiry on the service"
expect '.contacts[0].direction == "inbound" and .contacts[0].channel == "email" and .contacts[0].who == "Renée Müller <renee.muller@parent.example>"' \
    "the first contact is the inbound email"
expect '.contacts[0].summary | contains("I would like to request a copy of the report")' "the message's text"
expect '[.contacts[] | select(.direction == "outbound" and .channel == "email")] | length == 1' \
    "the acknowledgement is an outbound email on the timeline"
expect '[.contacts[] | select(.direction == "outbound")][0].summary | contains("Re: Copy of the report, please [Case #'"$case1"']")' \
    "the acknowledgement's subject names the case"
expect '.attachments | length == 1 and .[0].filename == "Ffurflen ganiatâd.pdf" and .[0].content_type == "application/pdf"' \
    "the attachment is on the case"
expect '[.obligations[] | select(.promise == "written-reply" and .state == "pending")] | length == 1' \
    "the charter's 3-day reply is owed"
ack_id=$(sql "SELECT message_id FROM outbox WHERE case_id = $case1 AND purpose = 'acknowledgement'")
checks=$((checks + 1))
[ -n "$ack_id" ] || fail "the acknowledgement is queued in the outbox"
# The body may be quoted-printable: read it decoded.
unqp() { python3 -c 'import quopri, sys; sys.stdout.buffer.write(quopri.decodestring(sys.stdin.buffer.read()))'; }
ack=$(sql "SELECT RAWTEXT FROM outbox WHERE case_id = $case1" | tr -d '\r' | unqp)
checks=$((checks + 1))
echo "$ack" | grep -q "reference is case $case1" && echo "$ack" | grep -q "We will reply by " &&
    echo "$ack" | grep -qi "^In-Reply-To: <0b1c9d3e-2f47-4a1b-9c3d-5e6f7a8b9c0d@parent.example>" &&
    echo "$ack" | grep -qi "^Auto-Submitted: auto-replied" ||
    fail "the acknowledgement states the reference and the promised date, answers the message and is marked automatic: $ack"

# --- The same message again is kept once ---
mg --service cognus/enquiries <"$corpus/thunderbird.eml"
expect_mg 0 "a duplicate is accepted (the mail server must not retry it)"
expect_mg_out "already taken" "and said to be a duplicate"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM mail_in")" = 1 ] || fail "a duplicate is stored once"
[ "$(sql "SELECT count(*) FROM cases")" = 1 ] || fail "a duplicate opens no second case"

# --- A reply to the acknowledgement joins the case (even from a colleague) ---
message "Head Teacher <head@school.example>" "reply-1@school.example" "Re: Copy of the report, please [Case #$case1]" \
    "In-Reply-To: <$ack_id>" "References: <0b1c9d3e-2f47-4a1b-9c3d-5e6f7a8b9c0d@parent.example> <$ack_id>" >"$tmp/reply.eml"
mg <"$tmp/reply.eml"
expect_mg 0 "a reply is taken, its service found from To"
checks=$((checks + 1))
[ "$(mg_case)" = "$case1" ] || fail "the reply lands on case $case1: $(cat "$tmp/mg.out")"
call GET "/api/v1/cases/$case1" '' -H "$A"
expect '[.contacts[] | select(.direction == "inbound")] | length == 2' "the case holds both inbound emails"
expect '[.contacts[] | select(.who == "Head Teacher <head@school.example>")][0].summary | contains("Message reply-1@school.example")' \
    "with the reply's text"
call GET "/api/v1/audit?case=$case1" '' -H "$A"
expect '[.audit[] | select(.remote == "mail" and .user_id == null) | .action] | (index("create") != null and index("update") != null)' "mail intake is audited: the case it opened and the reply it filed, by the desk, from mail"
# An officer's answer threads under what was last written to us, not under our own acknowledgement.
call POST "/api/v1/cases/$case1/replies" '{"text":"Here is the copy you asked for."}' -H "$A"
expect_status 202 "an officer replies by email"
checks=$((checks + 1))
sql "SELECT RAWTEXT FROM outbox WHERE case_id = $case1 AND purpose = 'reply'" >"$tmp/reply.raw"
grep -qiF "In-Reply-To: <reply-1@school.example>" "$tmp/reply.raw" &&
    grep -qiF "$ack_id" "$tmp/reply.raw" ||
    fail "the reply answers the latest inbound message and keeps the thread: $(grep -i '^in-reply-to\|^references' "$tmp/reply.raw")"

# --- By the subject's reference: only from the case's requester ---
message "Renée Müller <renee.muller@parent.example>" "ref-1@parent.example" "More about [Case #$case1]" >"$tmp/ref.eml"
mg --service cognus/enquiries <"$tmp/ref.eml"
checks=$((checks + 1))
[ "$(mg_case)" = "$case1" ] || fail "the requester's message naming the case joins it: $(cat "$tmp/mg.out")"
message "Stranger <stranger@elsewhere.example>" "ref-2@elsewhere.example" "Re: [Case #$case1] let me in" >"$tmp/stranger.eml"
mg --service cognus/enquiries <"$tmp/stranger.eml"
expect_mg 0 "a stranger's message is taken"
stranger_case=$(mg_case)
checks=$((checks + 1))
[ -n "$stranger_case" ] && [ "$stranger_case" != "$case1" ] ||
    fail "a stranger naming someone else's case opens a case of their own: $(cat "$tmp/mg.out")"
call GET "/api/v1/cases/$stranger_case" '' -H "$A"
expect '.requester.email == "stranger@elsewhere.example"' "the stranger's case is theirs"
expect '[.events[] | select(.what == "created")][0].detail | contains("not its requester")' \
    "and the timeline says why it did not join"
call GET "/api/v1/cases/$case1" '' -H "$A"
expect '[.contacts[] | select(.who == "Stranger")] | length == 0' "nothing of the stranger's is on case $case1"

# --- No acknowledgement to automatic mail, nor a fourth in an hour ---
mg --service cognus/enquiries <"$corpus/autoreply.eml"
expect_mg 0 "an automatic reply is taken"
expect_mg_out "No acknowledgement: the message was sent automatically" "but not acknowledged"
auto_from=$(sed -n 's/^From:.*<\(.*\)>.*/\1/p' "$corpus/autoreply.eml" | head -1)
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM outbox WHERE purpose = 'acknowledgement' AND rcpts = '$auto_from'")" = 0 ] ||
    fail "nothing is queued to the automatic sender"
auto_case=$(mg_case)
call GET "/api/v1/cases/$auto_case" '' -H "$A"
expect '(.obligations | length) == 0 and (.flags | index("automatic")) != null' \
    "automatic mail opens a case flagged automatic with no promise to break"
for i in 1 2 3 4; do
    message "Busy Parent <busy@parent.example>" "busy-$i@parent.example" "Question $i" >"$tmp/busy.eml"
    mg --service cognus/enquiries <"$tmp/busy.eml"
    expect_mg 0 "busy parent's message $i"
done
expect_mg_out "3 have gone to this address in the last hour" "the fourth in an hour is not acknowledged"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM outbox WHERE purpose = 'acknowledgement' AND rcpts = 'busy@parent.example'")" = 3 ] ||
    fail "three acknowledgements to one address in an hour, no more"

# --- Messages it can never take: 65, with a sentence ---
printf 'this is not a message at all, no header in sight\n' >"$tmp/garbage.eml"
mg --service cognus/enquiries <"$tmp/garbage.eml"
expect_mg 65 "garbage is refused for good"
expect_mg_err "cannot be taken" "with a sentence"
: >"$tmp/empty.eml"
mg --service cognus/enquiries <"$tmp/empty.eml"
expect_mg 65 "an empty message"
message "Jo <jo@parent.example>" "lost-1@parent.example" "Hello" >"$tmp/lost.eml"
mg --recipient nobody@nowhere.example <"$tmp/lost.eml"
expect_mg 65 "a message for an address no service takes"
expect_mg_err "no service takes mail for nobody@nowhere.example" "says which address"
mg --service cognus/nothing <"$tmp/lost.eml"
expect_mg 65 "a service that does not exist"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM mail_in WHERE message_id = 'lost-1@parent.example'")" = 0 ] ||
    fail "a refused message is not kept"

# --- The store unreachable: 75, so the mail server keeps it ---
"$charter" mailgate --db postgres://charter@127.0.0.1:1/none --policies "$policies" \
    --service cognus/enquiries <"$tmp/lost.eml" >"$tmp/mg.out" 2>"$tmp/mg.err"
mg_status=$?
expect_mg 75 "PostgreSQL on a closed port"
expect_mg_err "try again" "the message is left with the mail server"
"$charter" mailgate --db "$tmp/no/such/dir/charter.db" --policies "$policies" \
    --service cognus/enquiries <"$tmp/lost.eml" >"$tmp/mg.out" 2>"$tmp/mg.err"
mg_status=$?
expect_mg 75 "a SQLite path with no database"
"$charter" mailgate --db "$db" --policies "$tmp" --service cognus/enquiries <"$tmp/lost.eml" \
    >"$tmp/mg.out" 2>"$tmp/mg.err"
mg_status=$?
expect_mg 75 "a folder with no policies"

# --- The command line: 64 ---
mg --frobnicate <"$tmp/lost.eml"
expect_mg 64 "an unknown option"
mg --policy "$policies/cognus.yaml" --policies "$policies" <"$tmp/lost.eml"
expect_mg 64 "--policy and --policies together"
mg --help </dev/null
expect_mg 0 "--help"

# --- Every message of the corpus reaches a case, read as its client wrote it ---
tab=$(printf '\t')
for f in "$corpus"/*.eml; do
    name=$(basename "$f")
    grep -q "^$name${tab}bounce${tab}" "$corpus/expect.tsv" && continue
    mg --service cognus/enquiries <"$f"
    expect_mg 0 "$name is taken"
    n=$(mg_case)
    checks=$((checks + 1))
    [ -n "$n" ] || { fail "$name is filed on a case: $(cat "$tmp/mg.out")"; continue; }
    call GET "/api/v1/cases/$n" '' -H "$A"
    while IFS="$tab" read -r file field value; do
        [ "$file" = "$name" ] || continue
        case $field in
        subject) q='.subject == (if $v == "" then "(no subject)" else $v end)' ;;
        from) q='.requester.email == $v' ;;
        text) q='[.contacts[] | select(.direction == "inbound")][0].summary | contains($v | gsub("\\\\n"; "\n"))' ;;
        nparts) q='.attachments | length == ($v | tonumber)' ;;
        *) continue ;;
        esac
        checks=$((checks + 1))
        jq -e --arg v "$value" "$q" "$tmp/body" >/dev/null ||
            fail "$name: the case's $field is not '$value'"
    done <"$corpus/expect.tsv"
done

# --- A delivery failure is recorded on the case whose mail bounced ---
sed "s/c0ffee1234567890abcdef@cognus.example/$ack_id/g; s/8A1B2C3D4E/9B2C3D4E5F/g" \
    "$corpus/dsn_postfix.eml" >"$tmp/dsn.eml"
mg --service cognus/enquiries <"$tmp/dsn.eml"
expect_mg 0 "a bounce of the acknowledgement is taken"
checks=$((checks + 1))
[ "$(mg_case)" = "$case1" ] || fail "the bounce is filed on case $case1: $(cat "$tmp/mg.out")"
checks=$((checks + 1))
[ "$(sql "SELECT state FROM outbox WHERE message_id = '$ack_id'")" = bounced ] ||
    fail "the acknowledgement is marked bounced in the outbox: $(sql "SELECT state, message_id FROM outbox WHERE case_id = $case1")"
call GET "/api/v1/cases/$case1" '' -H "$A"
expect '[.events[] | select(.what == "bounced")][0].detail | contains("could not be delivered")' \
    "the case's timeline says the acknowledgement bounced"
mg --service cognus/enquiries <"$corpus/dsn_postfix.eml"
expect_mg 0 "a bounce of something the desk never sent is kept"
expect_mg_out "not filed on a case" "and opens no case"
checks=$((checks + 1))
[ "$(sql "SELECT state FROM mail_in WHERE id = (SELECT max(id) FROM mail_in)")" = failed ] ||
    fail "it is kept as failed, with its reason"

# --- The officer of a case is told of a new email on it ---
user() { # user EMAIL NAME ROLE -> prints a token
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$2" \
        --role "$3" --service cognus/enquiries --password-stdin >/dev/null
    "$charter" admin token --email "$1" --db "$db"
}
O="Authorization: Bearer $(user olu@cognus.example 'Olu Officer' officer)"
M="Authorization: Bearer $(user meg@cognus.example 'Meg Manager' manager)"
C="Authorization: Bearer $(user cat@cognus.example 'Cat Cover' officer)"
call GET /api/v1/session '' -H "$O"
olu=$(json .user.id // .id)
call GET /api/v1/session '' -H "$C"
cat_id=$(json .user.id // .id)
call GET "/api/v1/cases/$case1" '' -H "$A"
call PATCH "/api/v1/cases/$case1" "{\"officer_id\": $olu}" -H "$A" -H "If-Match: \"$(json .version)\""
expect_status 200 "the case goes to Olu"
message "Renée Müller <renee.muller@parent.example>" "reply-2@parent.example" "Re: Copy of the report, please" \
    "In-Reply-To: <$ack_id>" >"$tmp/reply2.eml"
mg --service cognus/enquiries <"$tmp/reply2.eml"
checks=$((checks + 1))
[ "$(mg_case)" = "$case1" ] || fail "the second reply joins case $case1: $(cat "$tmp/mg.out")"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM notifications WHERE user_id = $olu AND case_id = $case1 AND kind = 'message'")" = 1 ] ||
    fail "Olu is told of the new email on the case"
sed "s/c0ffee1234567890abcdef@cognus.example/$ack_id/g; s/8A1B2C3D4E/7C3D4E5F6A/g" \
    "$corpus/dsn_postfix.eml" >"$tmp/dsn2.eml"
mg --service cognus/enquiries <"$tmp/dsn2.eml"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM notifications WHERE user_id = $olu AND case_id = $case1 AND text LIKE '%could not be delivered to nobody@parent.example%'")" = 1 ] ||
    fail "Olu is told when mail on the case bounces"

# --- A restricted person: what the restriction allows, and no more ---
restrict() { # restrict PERSON JSON: a restriction in force at once
    call POST "/api/v1/people/$1/restrictions" "$2" -H "$M"
    r=$(json .id)
    call POST "/api/v1/restrictions/$r/notice-sent" '{"how":"letter"}' -H "$M"
    expect_status 200 "the restriction is in force"
}
review=$(date -u -d '+30 days' +%F)
message "Pat Parent <pat@parent.example>" "pat-1@parent.example" "First" >"$tmp/pat.eml"
mg --service cognus/enquiries <"$tmp/pat.eml"
call GET "/api/v1/cases/$(mg_case)" '' -H "$A"
restrict "$(json .person_id)" '{"allowed_channels":["letter"],"reason":"You threatened a member of our staff.","review_on":"'"$review"'"}'
message "Pat Parent <pat@parent.example>" "pat-2@parent.example" "Second" >"$tmp/pat.eml"
mg --service cognus/enquiries <"$tmp/pat.eml"
expect_mg 0 "a restricted person's email is still taken"
expect_mg_out "No acknowledgement: " "but is not acknowledged by email, which the restriction does not allow"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM outbox WHERE rcpts = 'pat@parent.example'")" = 1 ] ||
    fail "only the acknowledgement from before the restriction went to Pat"
call GET "/api/v1/cases/$(mg_case)" '' -H "$A"
expect '[.events[] | select(.what == "contact")][0].detail | contains("contact is restricted") and contains("came by email")' \
    "the timeline says the contact is restricted and came by a channel it does not allow"
# By email through Olu, who is away: the acknowledgement names Olu, the return and the cover.
today=$(date -u +%F)
later=$(date -u -d '+14 days' +%F)
call PATCH "/api/v1/users/$olu" '{"absences":[{"from":"'"$today"'","to":"'"$later"'","cover_user_id":'"$cat_id"'}]}' -H "$O"
expect_status 200 "Olu records an absence, Cat covering"
message "Robin Parent <robin@parent.example>" "robin-1@parent.example" "Hello" >"$tmp/robin.eml"
mg --service cognus/enquiries <"$tmp/robin.eml"
call GET "/api/v1/cases/$(mg_case)" '' -H "$A"
restrict "$(json .person_id)" '{"allowed_channels":["email"],"point_of_contact":'"$olu"',"reason":"You shouted at our staff.","review_on":"'"$review"'"}'
message "Robin Parent <robin@parent.example>" "robin-2@parent.example" "Again" >"$tmp/robin.eml"
mg --service cognus/enquiries <"$tmp/robin.eml"
expect_mg_out "opened, acknowledged" "an email the restriction allows is acknowledged"
robin_case=$(mg_case)
call GET "/api/v1/cases/$robin_case" '' -H "$A"
expect ".officer_id == $olu" "the case goes to the point of contact"
ack=$(sql "SELECT RAWTEXT FROM outbox WHERE case_id = $robin_case AND purpose = 'acknowledgement'" | tr -d '\r' | unqp)
checks=$((checks + 1))
echo "$ack" | tr '\n' ' ' | grep -q "Your contact is Olu Officer. Olu Officer is away until .* For anything urgent, contact Cat Cover (cat@cognus.example)" ||
    fail "the acknowledgement names Olu, the return date and Cat: $ack"

# Robin's reply to the first case goes to Olu too, who is told of it.
robin_first=$(sql "SELECT case_id FROM mail_in WHERE message_id = 'robin-1@parent.example'")
message "Robin Parent <robin@parent.example>" "robin-3@parent.example" "Re: Hello [Case #$robin_first]" >"$tmp/robin.eml"
mg --service cognus/enquiries <"$tmp/robin.eml"
checks=$((checks + 1))
[ "$(mg_case)" = "$robin_first" ] || fail "Robin's reply by reference joins case $robin_first: $(cat "$tmp/mg.out")"
call GET "/api/v1/cases/$robin_first" '' -H "$A"
expect ".officer_id == $olu" "a restricted person's case goes to the point of contact"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM notifications WHERE user_id = $olu AND case_id = $robin_first AND kind = 'message'")" = 1 ] ||
    fail "and the point of contact is told"

# --- A reply to a closed case opens a new one that says so ---
call GET "/api/v1/cases/$stranger_case" '' -H "$A"
call PATCH "/api/v1/cases/$stranger_case" '{"status":"closed","settle":[{"obligation":'"$(json '.obligations[0].id')"',"outcome":"met","reason":"answered by phone"}]}' \
    -H "$A" -H "If-Match: \"$(json .version)\""
expect_status 200 "the stranger's case is closed"
message "Stranger <stranger@elsewhere.example>" "ref-3@elsewhere.example" "Re: let me in" \
    "In-Reply-To: <ref-2@elsewhere.example>" >"$tmp/closed.eml"
mg --service cognus/enquiries <"$tmp/closed.eml"
expect_mg 0 "a reply to a closed case is taken"
followed=$(mg_case)
checks=$((checks + 1))
[ -n "$followed" ] && [ "$followed" != "$stranger_case" ] || fail "it opens a new case: $(cat "$tmp/mg.out")"
call GET "/api/v1/cases/$followed" '' -H "$A"
expect '[.events[] | select(.what == "created")][0].detail | contains("follows case '"$stranger_case"', which is closed")' \
    "which says which case it follows"

# --- Through a real postfix, sent by swaks, answered through it ---
# The pipe runs as nobody: it must reach the binary (lib.sh copies it), the
# policies and the store, and the files the server makes beside a SQLite
# store (umask 000).
stop_server
[ -z "${CHARTER_TEST_PG_URL_FILE:-}" ] && postfix_share "$tmp"
pf_db=$db
# The checkout may be out of nobody's reach: the pipe reads a copy.
chmod o+x "$tmp"
cp -R "$policies" "$tmp/pipe-policies"
chmod -R a+rX "$tmp/pipe-policies"
pf_args="--policies $tmp/pipe-policies"
postfix_start
umask 000
start_server --smtp "smtp://127.0.0.1:$pf_port" --outbox-seconds 1 --outbox-retry-seconds 2
umask 022
swaks --server "127.0.0.1:$pf_port" --from alex.parent@parent.example \
    --to enquiries@cognus.example --header 'Subject: Bus pass for September' \
    --header 'Message-Id: <swaks-1@parent.example>' \
    --body 'Please can you tell me how to renew the bus pass?' >"$tmp/swaks.out" 2>&1 ||
    fail "swaks could not send: $(tail -5 "$tmp/swaks.out")"
# To two addresses of one service: postfix pipes it twice, at once; one case.
swaks --server "127.0.0.1:$pf_port" --from kim.parent@parent.example \
    --to enquiries@cognus.example,info@cognus.example --header 'Subject: Twice over' \
    --header 'Message-Id: <swaks-2@parent.example>' --body 'Sent to both addresses.' \
    >"$tmp/swaks3.out" 2>&1 || fail "swaks could not send to two: $(tail -5 "$tmp/swaks3.out")"
swaks --server "127.0.0.1:$pf_port" --from alex.parent@parent.example \
    --to nobody@cognus.example --header 'Subject: to nobody' >"$tmp/swaks2.out" 2>&1
postfix_wait_delivered 30 || fail "postfix delivered everything"
checks=$((checks + 1))
grep -q 'to=<enquiries@cognus.example>.*status=sent (delivered via mailgate service' "$pf_dir/maillog" ||
    fail "postfix piped the message into charter mailgate: $(grep 'to=<' "$pf_dir/maillog")"
checks=$((checks + 1))
grep -q 'to=<nobody@cognus.example>.*status=bounced' "$pf_dir/maillog" ||
    fail "a message for an address no service takes is bounced by postfix (exit 65)"
checks=$((checks + 1))
postfix_messages alex.parent@parent.example | xargs grep -l "no service takes mail for" >/dev/null 2>&1 ||
    fail "the sender is told why, in charter's words"
swaks_case=$(sql "SELECT case_id FROM mail_in WHERE message_id = 'swaks-1@parent.example'")
call GET "/api/v1/cases/$swaks_case" '' -H "$A"
expect_status 200 "the message through postfix opened a case"
expect '.subject == "Bus pass for September" and .requester.email == "alex.parent@parent.example"' \
    "with its subject and sender"
expect '.contacts[0].summary | contains("how to renew the bus pass")' "and its text"
checks=$((checks + 1))
[ "$(sql "SELECT count(*) FROM mail_in WHERE message_id = 'swaks-2@parent.example'")" = 1 ] &&
    [ "$(sql "SELECT count(*) FROM cases WHERE subject = 'Twice over'")" = 1 ] ||
    fail "a message delivered to two addresses of one service is kept once, on one case"
# The acknowledgement leaves through the outbox and postfix into the
# sender's mailbox; the sender answers it, and the answer joins the case.
ackfile=
for _ in $(seq 1 300); do
    ackfile=$(postfix_messages alex.parent@parent.example | xargs grep -l "Case #$swaks_case\]" 2>/dev/null | head -1)
    [ -n "$ackfile" ] && break
    sleep 0.1
done
checks=$((checks + 1))
if [ -z "$ackfile" ]; then
    fail "the acknowledgement reached the sender's mailbox: $(sql "SELECT state, last_error FROM outbox WHERE case_id = $swaks_case")"
else
    ack_mid=$(tr -d '\r' <"$ackfile" | sed -n 's/^[Mm][Ee][Ss][Ss][Aa][Gg][Ee]-[Ii][Dd]: *<\(.*\)>.*/\1/p' | head -1)
    swaks --server "127.0.0.1:$pf_port" --from alex.parent@parent.example \
        --to enquiries@cognus.example --header "Subject: Re: Bus pass for September [Case #$swaks_case]" \
        --header 'Message-Id: <swaks-3@parent.example>' --header "In-Reply-To: <$ack_mid>" \
        --body 'Thank you, the form is attached.' >"$tmp/swaks4.out" 2>&1 ||
        fail "swaks could not send the answer: $(tail -5 "$tmp/swaks4.out")"
    postfix_wait_delivered 30 || fail "postfix delivered the answer"
    checks=$((checks + 1))
    [ "$(sql "SELECT case_id FROM mail_in WHERE message_id = 'swaks-3@parent.example'")" = "$swaks_case" ] ||
        fail "the answer to the acknowledgement (In-Reply-To <$ack_mid>) joins case $swaks_case"
    call GET "/api/v1/cases/$swaks_case" '' -H "$A"
    expect '[.contacts[] | select(.direction == "inbound")] | length == 2' "the case holds both emails"
fi
postfix_stop
finish
