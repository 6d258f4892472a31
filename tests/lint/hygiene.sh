#!/bin/sh
# Source hygiene that the compiler does not check: no banned unbounded calls,
# and every C file opens with a comment saying what it is for.
cd "$(dirname "$0")/../.." || exit 1
failures=0
checks=0
banned=$(grep -nE '(^|[^a-z_])(sprintf|vsprintf|strcpy|strcat|atoi|atol|gets)[[:space:]]*\(' \
    $(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'fuzz/*.c' 'bench/*.c' 2>/dev/null ||
      find src tests fuzz bench -name '*.[ch]'))
checks=$((checks + 1))
if [ -n "$banned" ]; then
    echo "FAIL: banned calls (use snprintf, memcpy with a length, strtol):"
    echo "$banned"
    failures=$((failures + 1))
fi
for f in $(find src tests fuzz bench -name '*.[ch]'); do
    checks=$((checks + 1))
    if ! head -n 1 "$f" | grep -q '^/\*'; then
        echo "FAIL: $f does not open with a comment on what it is for"
        failures=$((failures + 1))
    fi
done
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
