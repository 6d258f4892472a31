#!/bin/sh
# The checkout stands alone: a user's clone has nothing beside it, so no
# tracked file may reach outside the repository for data, code or docs.
# The pattern is split so this file does not match itself.
cd "$(dirname "$0")/../.." || exit 1
outside='\.\.''/shared'
found=$(git ls-files -z | xargs -0 grep -nIE "$outside" -- 2>/dev/null)
if [ -n "$found" ]; then
    echo "FAIL: tracked files refer to a folder outside the repository:"
    echo "$found"
    echo "Copy what is needed into the repository (tests/data/, policies/) instead."
    exit 1
fi
echo "1 passed, 0 failed: no tracked file refers outside the repository"
