#!/bin/sh
# How long a wrong sign-in takes to be refused, for an account that exists
# and for an address no account has: they should take the same time (an
# unknown address is checked against a decoy hash), so the answer's timing
# does not tell which addresses are known. Eight tries of each, under the
# per-account limit. Prints `signin_refuse_known_ms` and
# `signin_refuse_unknown_ms` (medians, loopback, argon2id as configured).
set -eu
charter=${1:-build/charter}
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
"$charter" serve --db "$tmp/bench.db" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
base=
for _ in $(seq 1 200); do
    base=$(sed -n 's|^Charter is listening on \(http[^ ]*\)/$|\1|p' "$tmp/out" 2>/dev/null)
    [ -n "$base" ] && break
    sleep 0.05
done
[ -n "$base" ] || { echo "bench: the server did not start" >&2; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Interleaved, so a busy moment of the machine falls on both alike.
for _ in 1 2 3 4 5 6 7 8; do
    for who in admin@charter.local nobody@nowhere.example; do
        curl -s -o /dev/null -w '%{time_total}\n' -X POST -H 'Content-Type: application/json' \
            --data-binary "{\"email\":\"$who\",\"password\":\"not the password\"}" \
            "$base/api/v1/session" >>"$tmp/$who.all"
    done
done
for who in admin@charter.local nobody@nowhere.example; do median <"$tmp/$who.all" >"$tmp/$who"; done
awk '{ printf "signin_refuse_known_ms: %.1f ms (a wrong password for an account that exists)\n", $1 * 1000 }' "$tmp/admin@charter.local"
awk '{ printf "signin_refuse_unknown_ms: %.1f ms (an address no account has)\n", $1 * 1000 }' "$tmp/nobody@nowhere.example"
