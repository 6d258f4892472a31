#!/bin/sh
# Sign-in holds up to guessing: failures are limited per account (ten in
# five minutes) and per address (fifty), counted before the password is
# checked so a hundred guesses at once cannot slip under the limit, one
# account's lock leaves a colleague at the same address free to sign in,
# a sign-in posted from another website is refused, and X-Forwarded-For
# names the client only when it comes from a proxy the desk was told of.
. "$(dirname "$0")/lib.sh"
start_server
add() { echo "$2" | "$charter" admin user add --db "$db" --email "$1" --name "$1" --role officer --service cognus/enquiries --password-stdin >/dev/null; }
add ann@office.example 'ann long password'
add bob@office.example 'bob long password'
add cat@office.example 'cat long password'
try() { call POST /api/v1/session "{\"email\":\"$1\",\"password\":\"$2\"}"; }

# --- One account's guesses lock that account, not the office ---
for _ in $(seq 1 10); do try ann@office.example 'a wrong guess'; done
expect_status 401 "ten wrong passwords are refused one by one"
try ann@office.example 'ann long password'
expect_status 429 "then even the right one waits five minutes"
try ANN@office.example 'another guess'
expect_status 429 "whatever the email's case"
try bob@office.example 'bob long password'
expect_status 200 "a colleague at the same address still signs in"

# --- A hundred guesses at once: at most ten are tried ---
pids=
for i in $(seq 1 100); do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
        --data-binary '{"email":"cat@office.example","password":"guess '"$i"'"}' "$base/api/v1/session" >"$tmp/guess.$i" &
    pids="$pids $!"
done
wait $pids
tried=$(cat "$tmp"/guess.* | grep -c '^401$')
limited=$(cat "$tmp"/guess.* | grep -c '^429$')
checks=$((checks + 1))
[ "$tried" -le 10 ] && [ $((tried + limited)) -eq 100 ] ||
    fail "of 100 parallel guesses at most 10 are tried, the rest refused (tried $tried, limited $limited)"

# --- Not from another website ---
call POST /api/v1/session '{"email":"bob@office.example","password":"bob long password"}' -H 'Origin: http://evil.example'
expect_status 403 "a sign-in posted from another site"
expect '.detail | test("another website")' "says why"
call POST /api/v1/session '{"email":"bob@office.example","password":"bob long password"}' -H "Origin: $base"
expect_status 200 "from the desk's own page it works"

# --- X-Forwarded-For counts only from a proxy the desk was told of ---
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
contact() { # contact XFF -> prints the case's reference
    curl -s -X POST -H "X-Forwarded-For: $1" --data 'subject=Hello&message=A+question&name=Pat&email=pat%40x.example' \
        "$base/public/cognus/contact" | sed -n 's/.*Your reference is <strong>\([0-9]*\)<\/strong>.*/\1/p'
}
ref=$(contact 203.0.113.7)
call GET "/api/v1/audit?case=$ref" '' -H "$A"
expect '[.audit[] | select(.action == "create")][0].remote == "127.0.0.1"' "a header from an untrusted client is ignored"
stop_server
start_server --trusted-proxy 127.0.0.1
ref=$(contact '198.51.100.1, 203.0.113.7')
call GET "/api/v1/audit?case=$ref" '' -H "$A"
expect '[.audit[] | select(.action == "create")][0].remote == "203.0.113.7"' "from the trusted proxy, the client it names (the right-most entry)"
ref=$(contact 'not-an-address')
call GET "/api/v1/audit?case=$ref" '' -H "$A"
expect '[.audit[] | select(.action == "create")][0].remote == "127.0.0.1"' "what is not an address is ignored"
checks=$((checks + 1))
"$charter" serve --db "$db" --trusted-proxy nginx >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'must be an IP address' "$tmp/err" || fail "a proxy that is not an address is a usage error: $(cat "$tmp/err")"
finish
