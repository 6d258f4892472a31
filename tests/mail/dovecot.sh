# A real dovecot IMAP server for the tests, sourced by a test script:
# listening on 127.0.0.1 only (a free port for IMAPS, another for IMAP with
# STARTTLS), everything under one temp folder, TLS required with a
# throwaway self-signed certificate, one user whose mail is a maildir.
#
#   dovecot_start         starts it in a new folder under /tmp; sets
#                         imaps_url, imap_url, imap_user,
#                         imap_password_file, imap_ca, maildir
#   dovecot_stop          stops it and removes the folder (call it from
#                         the test's EXIT trap)
#   put_message FILE [DATE]  delivers a message into the mailbox (new/),
#                         received at DATE (default now)
#   put_messages N TEMPLATE  delivers N copies of a template, each with its
#                         own Message-ID (@N@ in the template is the number)
#   seen_count            how many messages carry \Seen
#   unseen_count          how many do not
#   imap_flags            "UID FLAGS" lines of every message, read over IMAP
#
# It must run as root: the dovecot master binds, drops privileges and runs
# the mail process as nobody, whose files these helpers write.

dovecot_pid=
dovecot_dir=

# A TCP port nothing on 127.0.0.1 listens on now.
free_port() {
    /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

dovecot_start() {
    # Its own folder, which dovecot's unprivileged processes can enter
    # (a test's own temp folder is private to root).
    dovecot_dir=$(mktemp -d /tmp/charter-dovecot.XXXXXX)
    mkdir -p "$dovecot_dir/run" "$dovecot_dir/state" "$dovecot_dir/home"
    if [ "$(id -u)" -ne 0 ]; then
        echo "FAIL: the dovecot tests must run as root (dovecot's master binds and drops privileges)"
        exit 1
    fi
    command -v dovecot >/dev/null || { echo "FAIL: no dovecot (install dovecot-imapd: make deps)"; exit 1; }
    # The certificate is for 127.0.0.1 and localhost, made for this run only.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=127.0.0.1' \
        -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
        -keyout "$dovecot_dir/key.pem" -out "$dovecot_dir/cert.pem" 2>/dev/null ||
        { echo "FAIL: openssl could not make the test certificate"; exit 1; }
    imap_ca=$dovecot_dir/cert.pem
    imap_user=desk@cognus.example
    printf 'imap-test-%s\n' "$$" >"$dovecot_dir/password"
    imap_password_file=$dovecot_dir/password
    printf '%s:{PLAIN}%s\n' "$imap_user" "$(cat "$imap_password_file")" >"$dovecot_dir/passwd"
    maildir=$dovecot_dir/home/mail
    mkdir -p "$maildir/new" "$maildir/cur" "$maildir/tmp"
    chown -R nobody:nogroup "$dovecot_dir/home"
    chmod 755 "$dovecot_dir"
    imaps_port=$(free_port)
    imap_port=$(free_port)
    dh=
    [ -f /usr/share/dovecot/dh.pem ] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
    cat >"$dovecot_dir/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $dovecot_dir/run
state_dir = $dovecot_dir/state
log_path = $dovecot_dir/dovecot.log
instance_name = charter-test-$$
default_internal_user = dovecot
default_login_user = dovenull
ssl = required
ssl_cert = <$dovecot_dir/cert.pem
ssl_key = <$dovecot_dir/key.pem
$dh
disable_plaintext_auth = yes
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dovecot_dir/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dovecot_dir/home
}
mail_location = maildir:$maildir
first_valid_uid = 1
namespace inbox {
  inbox = yes
  separator = /
  mailbox Processed {
    auto = create
  }
  mailbox Refused {
    auto = create
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    ssl = yes
  }
}
EOF
    dovecot -c "$dovecot_dir/dovecot.conf" -F >"$dovecot_dir/master.out" 2>&1 &
    dovecot_pid=$!
    for _ in $(seq 1 100); do
        if /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $imaps_port), 0.2)" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    if ! kill -0 "$dovecot_pid" 2>/dev/null; then
        echo "FAIL: dovecot did not start:"
        cat "$dovecot_dir/master.out" "$dovecot_dir/dovecot.log" 2>/dev/null | tail -n 20
        exit 1
    fi
    imaps_url=imaps://127.0.0.1:$imaps_port/INBOX
    imap_url=imap://127.0.0.1:$imap_port/INBOX
}

dovecot_stop() {
    if [ -n "$dovecot_pid" ]; then
        kill "$dovecot_pid" 2>/dev/null
        wait "$dovecot_pid" 2>/dev/null
        dovecot_pid=
    fi
    [ -n "$dovecot_dir" ] && rm -rf "$dovecot_dir"
    dovecot_dir=
}

# put_message FILE [DATE]: as a delivery agent would, written in tmp/ and
# renamed into new/ so dovecot never sees half a message. DATE (as touch -d
# takes it) is when the server received it: a maildir file's mtime is its
# IMAP INTERNALDATE.
dovecot_seq=0
put_message() {
    dovecot_seq=$((dovecot_seq + 1))
    name=$(date +%s).M$dovecot_seq.P$$.charter-test
    cp "$1" "$maildir/tmp/$name"
    chown nobody:nogroup "$maildir/tmp/$name"
    [ -n "${2:-}" ] && touch -d "$2" "$maildir/tmp/$name"
    mv "$maildir/tmp/$name" "$maildir/new/$name"
}

# put_messages N TEMPLATE: N messages at once, for the benchmark.
put_messages() {
    /usr/bin/python3 - "$1" "$2" "$maildir" "$$" <<'EOF'
import os, sys, time
n, template, maildir, pid = int(sys.argv[1]), open(sys.argv[2], "rb").read(), sys.argv[3], sys.argv[4]
now, run = int(time.time()), os.urandom(4).hex()
for i in range(1, n + 1):
    name = "%d.M%dR%s.P%s.charter-bench" % (now, i, run, pid)
    tmp = os.path.join(maildir, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(template.replace(b"@N@", str(i).encode()))
    os.chown(tmp, 65534, 65534)
    os.rename(tmp, os.path.join(maildir, "new", name))
EOF
}

# The flags dovecot keeps in a maildir file's name after ":2,"; a file
# still in new/ has none yet.
seen_count() {
    find "$maildir/cur" "$maildir/new" -type f | grep -c ':2,[A-Za-z]*S' || true
}
unseen_count() {
    find "$maildir/cur" "$maildir/new" -type f | grep -vc ':2,[A-Za-z]*S' || true
}

# Every message's UID and flags, over IMAP (as a mail client sees them).
imap_flags() {
    curl -s --cacert "$imap_ca" -u "$imap_user:$(cat "$imap_password_file")" \
        "$imaps_url" -X 'UID FETCH 1:* (FLAGS)' | tr -d '\r'
}

# How many messages a folder holds, over IMAP.
imap_count() {
    curl -s --cacert "$imap_ca" -u "$imap_user:$(cat "$imap_password_file")" \
        "imaps://127.0.0.1:$imaps_port/" -X "STATUS \"$1\" (MESSAGES)" |
        sed -n 's/.*MESSAGES \([0-9]*\).*/\1/p'
}
