# A real postfix for the mail tests, sourced by a test script: one instance
# of its own under a fresh directory in /tmp, listening on 127.0.0.1 only
# on a free port. Mail for the service domains is piped (as user nobody)
# into `charter mailgate`, as an MTA would on a live desk; mail for any
# other domain is delivered into a maildir under the instance, so a test
# can read what the desk sent. Needs root (postfix starts as root and
# drops to its own users).
#
# Set before postfix_start (all optional):
#   pf_charter  the charter binary (default: $charter)
#   pf_db       the store URL the pipe gives to `charter mailgate --db`
#   pf_args     more arguments for `charter mailgate` (e.g. "--policies DIR")
#   pf_pipe     the whole pipe command instead (e.g. "/bin/sh /tmp/x/save.sh"):
#               words split at spaces, no shell quoting (postfix's { } groups
#               one argument with spaces); ${recipient} and ${sender} are
#               expanded by postfix
#   pf_domains  the service domains piped to charter (default: cognus.example)
# After postfix_start:
#   pf_port     the SMTP port, on 127.0.0.1
#   pf_dir      the instance's directory (maillog in $pf_dir/maillog)
#   pf_mail     the maildir base: $pf_mail/all/new/ holds every message
#               delivered to a domain other than the service domains
# Functions: postfix_start, postfix_stop (safe to call twice; also run on
# exit), postfix_wait_delivered [SECONDS], postfix_messages ADDRESS,
# postfix_log, postfix_share DIR.

pf_dir=
pf_port=
pf_mail=

# A free TCP port on 127.0.0.1 (the kernel's choice, released at once).
pf_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# postfix_share DIR: lets the pipe (user nobody) write a SQLite store in
# DIR. Files the test itself creates there later must be writable by
# nobody too: run the server under `umask 000` (or use PostgreSQL).
postfix_share() {
    d=$1
    while [ -n "$d" ] && [ "$d" != / ] && [ "$d" != /tmp ]; do
        chmod o+x "$d" 2>/dev/null || true
        d=$(dirname "$d")
    done
    chmod 0777 "$1"
    for f in "$1"/*; do
        [ -f "$f" ] && chmod 0666 "$f"
    done
    return 0
}

postfix_log() {
    [ -n "$pf_dir" ] && [ -f "$pf_dir/maillog" ] && cat "$pf_dir/maillog"
    return 0
}

postfix_start() {
    [ "$(id -u)" = 0 ] || { echo "FAIL: the postfix tests must run as root"; exit 1; }
    command -v postfix >/dev/null || { echo "FAIL: postfix is not installed (make deps)"; exit 1; }
    pf_dir=$(mktemp -d /tmp/charter-postfix.XXXXXX) || exit 1
    chmod 0755 "$pf_dir"
    # Stop the instance however the test ends, then do what the caller's
    # own exit trap did.
    # (Through a file: a command substitution would see a subshell's traps.)
    trap >"$pf_dir/traps"
    pf_old_trap=
    eval "pf_old_trap=$(sed -n 's/^trap -- \(.*\) EXIT$/\1/p' "$pf_dir/traps")"
    trap 'postfix_stop; eval "$pf_old_trap"' EXIT
    trap 'exit 130' INT TERM HUP
    pf_port=$(pf_free_port)
    pf_mail=$pf_dir/mail
    mkdir -p "$pf_dir/etc" "$pf_dir/spool" "$pf_dir/data" "$pf_mail"
    chown postfix "$pf_dir/data"
    chown nobody:nogroup "$pf_mail"
    : "${pf_charter:=${charter:-charter}}"
    : "${pf_domains:=cognus.example}"
    if [ -z "${pf_pipe:-}" ]; then
        case "$pf_charter" in
        /*) ;;
        */*) pf_charter=$(pwd)/$pf_charter ;;
        *) pf_charter=$(command -v "$pf_charter") ;;
        esac
        # The pipe runs as nobody, and the checkout may sit where nobody
        # cannot go (root's home is 0700): it runs a copy kept here.
        mkdir -p "$pf_dir/bin"
        cp "$pf_charter" "$pf_dir/bin/charter"
        chmod 0755 "$pf_dir/bin" "$pf_dir/bin/charter"
        pf_charter=$pf_dir/bin/charter
        pf_pipe="$pf_charter mailgate --db $pf_db --recipient \${recipient} ${pf_args:-}"
    fi
    : >"$pf_dir/etc/transport"
    for d in $pf_domains; do
        printf '%s mailgate:\n' "$d" >>"$pf_dir/etc/transport"
    done
    # Every domain but the service domains is delivered into one maildir
    # (virtual(8) adds Delivered-To, which postfix_messages reads).
    alt=$(echo $pf_domains | sed 's/\./\\./g; s/ /|/g')
    printf '!/^(%s)$/ yes\n' "$alt" >"$pf_dir/etc/others"
    relay=$(echo $pf_domains | tr ' ' ',')
    cat >"$pf_dir/etc/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $pf_dir/etc
queue_directory = $pf_dir/spool
data_directory = $pf_dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.cognus.example
mydomain = cognus.example
myorigin = \$myhostname
mydestination =
local_transport = error:no local delivery in the test instance
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relay_domains = $relay
relay_recipient_maps =
transport_maps = texthash:$pf_dir/etc/transport
virtual_mailbox_domains = regexp:$pf_dir/etc/others
virtual_mailbox_base = $pf_mail
virtual_mailbox_maps = static:all/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
mailgate_destination_recipient_limit = 1
maillog_file_prefixes = /tmp, /var, /dev/stdout
maillog_file = $pf_dir/maillog
smtputf8_enable = no
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
smtpd_banner = \$myhostname ESMTP
message_size_limit = 30000000
minimal_backoff_time = 2s
maximal_backoff_time = 4s
queue_run_delay = 2s
delay_warning_time = 0
EOF
    cat >"$pf_dir/etc/master.cf" <<EOF
127.0.0.1:$pf_port inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
virtual   unix - n n - - virtual
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
mailgate  unix - n n - - pipe
  flags=DRO user=nobody argv=$pf_pipe
EOF
    if ! postfix -c "$pf_dir/etc" check >"$pf_dir/check.out" 2>&1 ||
        ! postfix -c "$pf_dir/etc" start >"$pf_dir/start.out" 2>&1; then
        echo "FAIL: postfix did not start:"
        cat "$pf_dir/check.out" "$pf_dir/start.out" 2>/dev/null
        postfix_log
        exit 1
    fi
    for _ in $(seq 1 100); do
        python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
            "$pf_port" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "FAIL: postfix does not listen on 127.0.0.1:$pf_port"
    postfix_log
    exit 1
}

postfix_stop() {
    [ -n "$pf_dir" ] && [ -d "$pf_dir" ] || return 0
    pid=$(cat "$pf_dir/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
    postfix -c "$pf_dir/etc" stop >/dev/null 2>&1 || true
    if [ -n "$pid" ]; then
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    [ -n "${PF_KEEP:-}" ] && { echo "postfix instance kept in $pf_dir"; pf_dir=; return 0; }
    rm -rf "$pf_dir"
    pf_dir=
    return 0
}

# postfix_wait_delivered [SECONDS]: waits (default 20 s) until postfix
# holds nothing (every message delivered, or bounced back and delivered).
# Deferred mail counts as not delivered: 1 then, with the queue and log.
postfix_wait_delivered() {
    limit=$(( ${1:-20} * 10 ))
    i=0
    while [ $i -lt "$limit" ]; do
        # Only files in the queues still in flight: incoming, active, deferred, maildrop.
        n=$(find "$pf_dir/spool/maildrop" "$pf_dir/spool/incoming" "$pf_dir/spool/active" \
            "$pf_dir/spool/deferred" -type f 2>/dev/null | wc -l)
        [ "$n" -eq 0 ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "postfix still holds $n message(s) after ${1:-20} s:"
    postqueue -c "$pf_dir/etc" -p 2>&1 | head -40
    tail -n 40 "$pf_dir/maillog" 2>/dev/null
    return 1
}

# postfix_messages ADDRESS: the files delivered to ADDRESS (not in a
# service domain), oldest first, one a line.
postfix_messages() {
    ls -tr "$pf_mail/all/new" 2>/dev/null | while read -r f; do
        grep -qixF "Delivered-To: $1" "$pf_mail/all/new/$f" && echo "$pf_mail/all/new/$f"
    done
    return 0
}
