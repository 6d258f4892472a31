#!/bin/sh
# Sign-in holds up to guessing: failures are limited per account (ten in
# five minutes) and per address (fifty), counted before the password is
# checked so a hundred guesses at once cannot slip under the limit, one
# account's lock leaves a colleague at the same address free to sign in,
# and a sign-in posted from another website is refused.
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
finish
