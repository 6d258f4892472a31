#!/bin/sh
# Every subcommand checks its arguments before it creates or changes
# anything: a bad one is refused with exit 2 and a sentence naming it, and
# the folder it ran in stays empty (no charter.db, no password printed).
. "$(dirname "$0")/lib.sh"
root=$(pwd)
cognus=$root/policies/cognus.yaml
mkdir "$tmp/empty"
cd "$tmp/empty" || exit 1

# refused TEXT ARGS...: exit 2, TEXT on stderr, nothing on stdout, nothing made.
refused() {
    want=$1
    shift
    run "$@"
    expect_status 2 "charter $*"
    expect_err "$want"
    checks=$((checks + 1))
    [ -s "$tmp/out" ] && fail "charter $* printed on stdout"
    checks=$((checks + 1))
    [ -z "$(ls -A)" ] && return 0
    fail "charter $* left $(ls -A) behind"
    rm -rf ./* ./.[!.]* 2>/dev/null
}

# refused_keeping TEXT FILE ARGS...: as refused, where FILE was there before.
refused_keeping() {
    want=$1 keep=$2
    shift 2
    run "$@"
    expect_status 2 "charter $*"
    expect_err "$want"
    checks=$((checks + 1))
    [ "$(ls -A)" = "$keep" ] || fail "charter $* left $(ls -A) behind"
    rm -f "$keep"
}

# serve: the case in the issue first, then every other argument.
refused "charter serve: --listen 'nonsense' must be ADDRESS:PORT" serve --listen nonsense
refused "--listen's port must be a whole number from 0 to 65535, not '99999'" serve --listen 127.0.0.1:99999
refused "--listen '127.0.0.1:80x' must be ADDRESS:PORT" serve --listen 127.0.0.1:80x
refused "--listen '127.0.0.1:' must be ADDRESS:PORT" serve --listen 127.0.0.1:
refused "'localhost' is not an IPv4 address" serve --listen localhost:8080
refused "--listen '192.0.2.1:8080': that address is not this machine's" serve --policy "$cognus" --listen 192.0.2.1:8080
refused "--sweep-seconds must be a whole number from 1 to 3600, not '0'" serve --sweep-seconds 0
refused "--sweep-seconds must be a whole number from 1 to 3600, not '5s'" serve --sweep-seconds 5s
refused "--db '/no/such/folder/charter.db': the folder /no/such/folder does not exist" serve --db /no/such/folder/charter.db
refused "--db '$tmp' is a folder" serve --db "$tmp"
refused "--db 'mysql://x/y' must be a SQLite file or postgres://" serve --db mysql://x/y
refused "--policy 'no-such.yaml': No such file or directory" serve --policy no-such.yaml
refused "--policy '$root/policies' is a folder" serve --policy "$root/policies"
refused "give both --tls-cert and --tls-key" serve --policy "$cognus" --tls-cert "$cognus"
refused "--tls-key 'no-key.pem': No such file" serve --policy "$cognus" --tls-cert "$cognus" --tls-key no-key.pem
printf -- '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' >"$tmp/cert.pem"
refused "--tls-cert '$cognus' holds no PEM certificate" serve --policy "$cognus" --tls-cert "$cognus" --tls-key "$tmp/cert.pem"
refused "--tls-key '$tmp/cert.pem' holds no PEM private key" serve --policy "$cognus" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/cert.pem"
refused "--web 'no-web' is not a folder that exists" serve --policy "$cognus" --web no-web
refused "--smtp 'mail.example:25' must be a URL" serve --policy "$cognus" --smtp mail.example:25
refused "--mail-from needs --smtp" serve --policy "$cognus" --mail-from desk@example.org
refused "--mail-from 'nobody' must be an e-mail address" serve --policy "$cognus" --smtp smtp://127.0.0.1:25 --mail-from nobody
refused "no policies: give --policy FILE, or run where a policies/ folder holds" serve
refused "no policies: give --policy FILE" demo
refused "unknown option '--port'" serve --port 8080
refused "takes no argument 'now'" serve now
refused "--db needs a value" serve --db
refused "--db needs a value (write --db=VALUE" serve --db --listen 127.0.0.1:0
refused "--listen is given twice" serve --listen 127.0.0.1:1 --listen 127.0.0.1:2

# admin: the database must exist, every value must do.
refused "--email, --name, --role and --password-stdin are needed" admin user add --email a@b.example
refused "--role 'boss' must be admin, manager or officer" admin user add --email a@b.example --name A --role boss --password-stdin
refused "--email 'nobody' must be an e-mail address" admin user add --email nobody --name A --role officer --password-stdin
refused "--db 'charter.db': there is no database there" admin user add --email a@b.example --name A --role officer --password-stdin
refused "--password-stdin takes no value" admin user add --password-stdin=x
refused "--db 'typo.db': there is no database there" admin token --email a@b.example --db typo.db
refused "--email is needed" admin token
refused "'frob' is not one of its commands; they are: 'admin user add', 'admin token'" admin frob
refused "name one of its commands" admin

# demo, migrate, statement.
refused "--cases must be a whole number from 0 to 1000000, not '-5'" demo --cases -5
refused "--cases must be a whole number from 0 to 1000000, not 'lots'" demo --cases lots
refused "--db '/no/such/demo.db': the folder /no/such does not exist" demo --db /no/such/demo.db
refused "--policy 'nope.yaml'" demo --policy nope.yaml
refused "--from and --to are both needed" migrate --from sqlite:charter.db
refused "--from 'old.db': there is no database there" migrate --from sqlite:old.db --to postgres://u@127.0.0.1:1/db
refused "--from and --to are the same desk" migrate --from x --to x
: >old.db
refused_keeping "--to 'new.db' must be postgres://USER@HOST:PORT/DB" old.db migrate --from old.db --to new.db
refused "--contract needs a contract's id" statement
refused "--contract must be a whole number from 1 to" statement --contract twelve
refused "--term 'winter' must be like autumn-2026" statement --contract 3 --term winter
refused "give --xlsx or --pdf, not both" statement --contract 3 --xlsx a.xlsx --pdf a.pdf
refused "--pdf '/no/such/s.pdf': the folder /no/such does not exist" statement --contract 3 --pdf /no/such/s.pdf
refused "--db 'charter.db': there is no database there" statement --contract 3

# due, calendar, policy check: dates, names and files.
refused "--received 'soon': " due --policy "$cognus" --channel email --received soon
refused "--channel 'fax' is not a channel" due --policy "$cognus" --channel fax --received 2026-12-18T10:00
refused "--from '2026-02-30': 2026-02-30 is not a real date" calendar --policy "$cognus" --from 2026-02-30 --to 2026-03-01
refused "--to must be on or after --from and at most 3 years later" calendar --policy "$cognus" --from 2026-01-01 --to 2030-01-01
refused "give --service or --calendar, not both" calendar --policy "$cognus" --service enquiries --calendar office --from 2026-01-01 --to 2026-01-02
refused "unknown option '-x'" policy check -x
refused "'frobnicate' is not a command" frobnicate

# The same folder with good arguments: the server does create its database,
# so the checks above are not passing for want of trying.
"$charter" serve --policy "$cognus" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
for _ in $(seq 1 100); do
    port=$(sed -n 's|^Charter is listening on http://127.0.0.1:\([0-9]*\)/$|\1|p' "$tmp/serve.out")
    [ -n "$port" ] && break
    sleep 0.05
done
checks=$((checks + 1))
[ -n "$port" ] && [ -f charter.db ] || fail "charter serve with good arguments starts and makes charter.db: $(cat "$tmp/serve.err")"
# A port in use is found before a second database is made.
mkdir "$tmp/second"
(cd "$tmp/second" && "$charter" serve --policy "$cognus" --listen "127.0.0.1:$port" >"$tmp/out" 2>"$tmp/err")
status=$?
expect_status 1 "a port in use"
expect_err "cannot listen on 127.0.0.1:$port: the port is in use"
checks=$((checks + 1))
[ -z "$(ls -A "$tmp/second")" ] || fail "a port in use left $(ls -A "$tmp/second") behind"
kill "$pid"
wait "$pid"

# With a database there, admin user add still checks the rest before it
# writes: the services, then the password on standard input.
add() {
    printf '%s\n' "$1" >"$tmp/pw"
    shift
    "$charter" admin user add --db charter.db --email new@cognus.example --name New \
        --role officer --password-stdin "$@" <"$tmp/pw" >"$tmp/out" 2>"$tmp/err"
    status=$?
}
add 'a long password' --policy "$cognus" --service nursery
expect_status 2 "an unknown service"
expect_err "charter admin user add: --service 'nursery': "
add 'short'
expect_status 2 "a short password"
expect_err "the password on standard input must be 10 to 256 characters"
add "$(printf '%0300d' 0)"
expect_status 2 "a password too long"
expect_err "must be 10 to 256 characters"
"$charter" admin user add --db charter.db --email new@cognus.example --name New \
    --role officer --password-stdin </dev/null >"$tmp/out" 2>"$tmp/err"
status=$?
expect_status 2 "no password at all"
expect_err "no password on standard input"
run admin token --db charter.db --email new@cognus.example
expect_status 1 "none of those added anyone"
expect_err "there is no user new@cognus.example"
add 'a long password' --policy "$cognus" --service enquiries
expect_status 0 "and with good arguments the account is added"
expect_out "added new@cognus.example (officer)"

finish
