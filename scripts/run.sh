#!/bin/sh
# `make run`: the case desk on ./charter.db (SQLite), filled with
# demonstration data the first time, on http://127.0.0.1:8080/.
set -eu
charter=${1:-build/charter}
cd "$(dirname "$0")/.."
"$charter" policy check policies/*.yaml
if [ ! -e charter.db ]; then
    "$charter" demo --db charter.db
else
    echo "Using the existing charter.db; delete it for fresh demonstration data and a new login."
fi
echo "Try the engine alone with: ./scripts/demo.sh $charter"
exec "$charter" serve --db charter.db --listen "${CHARTER_LISTEN:-127.0.0.1:8080}"
