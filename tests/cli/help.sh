#!/bin/sh
# Usage: every subcommand's --help prints its usage and exits 0, whatever
# else is on the line; charter help CMD prints the same; --version prints
# the CMake project version; -- ends options; and the charter(1) page,
# printed from the same table, names every command and renders cleanly.
# Arguments: CHARTER VERSION MANPAGE
. "$(dirname "$0")/lib.sh"
version=$2
manpage=$3
mkdir "$tmp/empty"

# Every command charter --help lists (words joined by |), so a new one is
# checked here without being named; and the list holds at least these.
commands=$("$charter" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z ]*[a-z]\)  .*/\1/p' | tr ' ' '|')
for c in due calendar 'policy|check' serve 'admin|user|add' 'admin|token' demo migrate statement mailgate help version; do
    checks=$((checks + 1))
    echo "$commands" | grep -qx -- "$c" || fail "charter --help lists $c"
done
for c in $commands; do
    words=$(echo "$c" | tr '|' ' ')
    # shellcheck disable=SC2086 # the words are meant to split
    run $words --help
    expect_status 0 "charter $words --help"
    expect_out "usage: charter $words"
    cp "$tmp/out" "$tmp/help.out"
    # shellcheck disable=SC2086
    run $words -h
    checks=$((checks + 1))
    cmp -s "$tmp/out" "$tmp/help.out" || fail "charter $words -h differs from --help"
    # shellcheck disable=SC2086
    run help $words
    expect_status 0 "charter help $words"
    checks=$((checks + 1))
    cmp -s "$tmp/out" "$tmp/help.out" || fail "charter help $words differs from charter $words --help"
done

# A group's --help shows each of its commands; help wins over bad arguments
# and creates nothing.
run admin --help
expect_status 0 "charter admin --help"
expect_out "usage: charter admin user add"
expect_out "       charter admin token"
run policy --help
expect_status 0 "charter policy --help"
expect_out "usage: charter policy check FILE..."
(cd "$tmp/empty" && "$charter" serve --listen nonsense --help >"$tmp/out" 2>"$tmp/err")
status=$?
expect_status 0 "charter serve --listen nonsense --help"
expect_out "usage: charter serve"
checks=$((checks + 1))
[ -z "$(ls -A "$tmp/empty")" ] || fail "serve --help left $(ls -A "$tmp/empty") behind"
run help nosuch
expect_status 2 "charter help nosuch"
expect_err "charter help: there is no command 'nosuch'"

# The top level.
run --help
expect_status 0 "charter --help"
expect_out "usage: charter COMMAND [OPTIONS]"
cp "$tmp/out" "$tmp/main.out"
run help
expect_status 0 "charter help"
checks=$((checks + 1))
cmp -s "$tmp/out" "$tmp/main.out" || fail "charter help differs from charter --help"
run
expect_status 2 "charter with no command"
expect_err "usage: charter COMMAND [OPTIONS]"
run --version
expect_status 0 "charter --version"
checks=$((checks + 1))
[ "$(cat "$tmp/out")" = "charter $version" ] || fail "charter --version prints 'charter $version'"
run version
expect_status 0 "charter version"
checks=$((checks + 1))
[ "$(cat "$tmp/out")" = "charter $version" ] || fail "charter version prints 'charter $version'"
run version extra
expect_status 2 "charter version extra"

# -- ends the options: a file whose name starts with - can be checked.
cp policies/cognus.yaml "$tmp/empty/-odd.yaml"
(cd "$tmp/empty" && "$charter" policy check -odd.yaml >"$tmp/out" 2>"$tmp/err")
status=$?
expect_status 2 "policy check -odd.yaml is an option"
expect_err "unknown option '-odd.yaml'"
(cd "$tmp/empty" && "$charter" policy check -- -odd.yaml >"$tmp/out" 2>"$tmp/err")
status=$?
expect_status 0 "policy check -- -odd.yaml is a file"
expect_out "-odd.yaml: ok: "
run due --policy policies/cognus.yaml --channel email --received 2026-12-18T10:00 -- --json
expect_status 2 "-- --json is an argument, and due takes none"
expect_err "takes no argument '--json'"
run policy check -- --help
expect_status 2 "-- --help is a file name, not a request for help"
expect_err "the file '--help': No such file"
run help -- due
expect_status 0 "charter help -- due"
expect_out "usage: charter due"
run due --policy=policies/cognus.yaml --channel=email --received=2026-12-18T10:00 --json
expect_status 0 "--name=VALUE"

# Every option a --help documents is one the command takes (given alone in
# an empty folder, each is refused for another reason, and makes nothing).
for c in $commands; do
    words=$(echo "$c" | tr '|' ' ')
    # shellcheck disable=SC2086
    "$charter" $words --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p' | while read -r opt; do
        # shellcheck disable=SC2086
        (cd "$tmp/empty" && "$charter" $words "$opt=x" </dev/null >/dev/null 2>"$tmp/opt.err")
        grep -q "unknown option" "$tmp/opt.err" && echo "$words $opt"
    done
done >"$tmp/unknown"
checks=$((checks + 1))
[ -s "$tmp/unknown" ] && fail "documented options the commands refuse: $(cat "$tmp/unknown")"
checks=$((checks + 1))
[ -z "$(ls -A "$tmp/empty" | grep -v -- -odd.yaml)" ] || fail "trying the options left $(ls -A "$tmp/empty")"

# The manual page: printed by charter --man, built into the build tree.
run --man
expect_status 0 "charter --man"
checks=$((checks + 1))
cmp -s "$tmp/out" "$manpage" || fail "the built $manpage is what charter --man prints"
expect_out ".TH CHARTER 1 \"\" \"charter $version\""
for c in $commands; do
    words=$(echo "$c" | tr '|' ' ')
    expect_out ".SS $words"
done
# Every command in charter --help's list has its section, and no more.
"$charter" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z ]*[a-z]\)  .*/\1/p' >"$tmp/listed"
sed -n 's/^\.SS //p' "$manpage" >"$tmp/sections"
checks=$((checks + 1))
cmp -s "$tmp/listed" "$tmp/sections" || fail "the page's sections are the listed commands: $(diff "$tmp/listed" "$tmp/sections")"
# Every option in a --help is in the page.
for c in $commands; do
    words=$(echo "$c" | tr '|' ' ')
    # shellcheck disable=SC2086
    "$charter" $words --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p' | while read -r opt; do
        grep -qF -- "$(echo "$opt" | sed 's/-/\\-/g')" "$manpage" || echo "$words $opt"
    done
done >"$tmp/missing"
checks=$((checks + 1))
[ -s "$tmp/missing" ] && fail "options missing from the page: $(cat "$tmp/missing")"
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$manpage" 2>"$tmp/err"
    checks=$((checks + 1))
    [ -s "$tmp/err" ] && fail "groff warns about the page: $(cat "$tmp/err")"
    groff -man -Tutf8 "$manpage" 2>/dev/null | sed 's/.\x08//g' >"$tmp/out"
    expect_out "charter serve [--listen ADDRESS:PORT]"
    expect_out "EXIT STATUS"
else
    checks=$((checks + 1))
    fail "groff is not installed (deps/debian.txt lists groff-base): the page cannot be rendered"
fi

finish
