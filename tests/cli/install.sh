#!/bin/sh
# make install: the binary and its manual page land under the prefix, and
# the installed page is the one the binary prints.
# Arguments: CMAKE BUILD-DIR
cmake=$1
build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
    failures=$((failures + 1))
    echo "FAIL: $*"
}
"$cmake" --install "$build" --prefix "$tmp/prefix" >"$tmp/log" 2>&1 || fail "cmake --install: $(cat "$tmp/log")"
[ -x "$tmp/prefix/bin/charter" ] || fail "no bin/charter under the prefix"
page=$tmp/prefix/share/man/man1/charter.1
[ -f "$page" ] || fail "no share/man/man1/charter.1 under the prefix"
"$tmp/prefix/bin/charter" --man | cmp -s - "$page" || fail "the installed page is not what the installed binary prints"
command -v man >/dev/null 2>&1 || fail "man is not installed (deps/debian.txt lists man-db)"
MANPATH=$tmp/prefix/share/man MANPAGER=cat man -P cat charter 2>/dev/null | grep -q "charter serve" ||
    fail "man charter does not find the installed page"
echo "$((4 - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
