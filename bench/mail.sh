#!/bin/sh
# Inbound mail, every message durable (committed with fsync)
# before it is acknowledged: through `charter mailgate` as an MTA runs it,
# a process per message on standard input; and through `charter imap
# --once` taking a batch from a real dovecot on loopback (TLS), marking
# each message \Seen only after it is kept. Prints `name: value unit`
# lines, each saying its workload: mailgate on SQLite, IMAP on SQLite and
# on a throwaway PostgreSQL. The IMAP figures need root (dovecot).
set -eu
charter=${1:-build/charter}
n_gate=${BENCH_MAILGATE_MESSAGES:-500}
n_imap=${BENCH_IMAP_MESSAGES:-2000}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    command -v dovecot_stop >/dev/null 2>&1 && dovecot_stop
    [ -d "$tmp/pg" ] && sh tests/pg/cluster.sh stop "$tmp/pg" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT

# A desk database made by the server, as a service would have it.
new_db() {
    "$charter" serve --db "$1" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do
        grep -q '^Charter is listening' "$tmp/serve.out" 2>/dev/null && break
        sleep 0.05
    done
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
}

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# A parent's enquiry of a usual size; @N@ makes each Message-ID and subject
# its own, so every one opens a case.
cat >"$tmp/template.eml" <<'EOF'
From: Amira Hassan <amira.hassan@parent.example>
To: Cognus enquiries <enquiries@cognus.example>
Subject: Bus pass for Year 7 (@N@)
Date: Mon, 30 Nov 2026 09:15:00 +0000
Message-ID: <bench-@N@@parent.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Hello,

My son starts Year 7 in January and will need a bus pass from the first
day of term. We live 3.4 miles from the school. Could you tell me what I
need to send, and by when?

Thank you,
Amira Hassan
EOF
sed -i 's/$/\r/' "$tmp/template.eml"

# --- charter mailgate, a process per message ---
new_db "$tmp/gate.db"
mkdir "$tmp/gate"
for i in $(seq 1 "$n_gate"); do
    sed "s/@N@/$i/g" "$tmp/template.eml" >"$tmp/gate/$i.eml"
done
gate_run() { # FROM TO: mailgate each message FROM..TO
    for i in $(seq "$1" "$2"); do
        "$charter" mailgate --db "$tmp/gate.db" --service cognus/enquiries <"$tmp/gate/$i.eml" >/dev/null ||
            { echo "bench: charter mailgate failed on message $i" >&2; exit 1; }
    done
}
half=$((n_gate / 2))
t0=$(now)
gate_run 1 "$half"
t1=$(now)
echo "sqlite_mailgate_alone_mail_ingest_per_s: $(rate "$half" "$t0" "$t1") msg/s ($half messages of $(wc -c <"$tmp/template.eml") bytes, one charter mailgate process each, each a new case; no server open, so each process is the database's last connection and checkpoints it on exit)"
# As a service runs it: the desk is up, so a mailgate process is never the
# last connection and leaves the checkpoint to the server.
"$charter" serve --db "$tmp/gate.db" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
    grep -q '^Charter is listening' "$tmp/serve.out" 2>/dev/null && break
    sleep 0.05
done
t0=$(now)
gate_run $((half + 1)) "$n_gate"
t1=$(now)
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=
echo "sqlite_mailgate_mail_ingest_per_s: $(rate $((n_gate - half)) "$t0" "$t1") msg/s ($((n_gate - half)) messages of $(wc -c <"$tmp/template.eml") bytes, one charter mailgate process each, each a new case, with the desk's server running on the same database)"

# --- charter imap, one poll of a full mailbox ---
if [ "$(id -u)" -ne 0 ]; then
    echo "sqlite_imap_mail_ingest_per_s: skipped (dovecot needs root)"
    exit 0
fi
. "$(dirname "$0")/../tests/mail/dovecot.sh"
dovecot_start
put_messages "$n_imap" "$tmp/template.eml"
new_db "$tmp/imap.db"
t0=$(now)
"$charter" imap --db "$tmp/imap.db" --url "$imaps_url" --user "$imap_user" \
    --password-file "$imap_password_file" --ca-file "$imap_ca" --service cognus/enquiries \
    --once >"$tmp/imap.out"
t1=$(now)
grep -q "^took $n_imap messages" "$tmp/imap.out" ||
    { echo "bench: charter imap did not take them all: $(cat "$tmp/imap.out")" >&2; exit 1; }
echo "sqlite_imap_mail_ingest_per_s: $(rate "$n_imap" "$t0" "$t1") msg/s ($n_imap messages in one dovecot mailbox over TLS, one charter imap --once, each a new case, marked \\Seen after)"

# --- The same on PostgreSQL ---
sh tests/pg/cluster.sh start "$tmp/pg" >/dev/null
pg_db="$(cat "$tmp/pg/url")?schema=mailbench"
new_db "$pg_db"
sed 's/bench-/bench-pg-/' "$tmp/template.eml" >"$tmp/template-pg.eml"
put_messages "$n_imap" "$tmp/template-pg.eml"
t0=$(now)
"$charter" imap --db "$pg_db" --url "$imaps_url" --user "$imap_user" \
    --password-file "$imap_password_file" --ca-file "$imap_ca" --service cognus/enquiries \
    --once >"$tmp/imap.out"
t1=$(now)
grep -q "^took $n_imap messages" "$tmp/imap.out" ||
    { echo "bench: charter imap did not take them all: $(cat "$tmp/imap.out")" >&2; exit 1; }
echo "postgres_imap_mail_ingest_per_s: $(rate "$n_imap" "$t0" "$t1") msg/s ($n_imap messages in one dovecot mailbox over TLS, one charter imap --once, each a new case, marked \\Seen after)"
