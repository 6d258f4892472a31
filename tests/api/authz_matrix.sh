#!/bin/sh
# Every route against the written-down matrix (authz.matrix), generated
# from the router itself: a route the router has and the matrix lacks, or
# a line naming no route, fails; each staff route answers 401 to no
# credential and to a bad token, each open route answers without one, and
# the school's pages answer with their own sign-in page, not the staff API.
# Prints the number of route and credential pairs tried.
. "$(dirname "$0")/lib.sh"
start_server
matrix="$(dirname "$0")/authz.matrix"
router=src/http/server.c
sed -nE 's/^ *\{"(GET|POST|PATCH|PUT|DELETE)", "([^"]+)".*/\1 \2/p' "$router" | sort >"$tmp/routes"
grep -v '^#' "$matrix" | awk '{print $1, $2}' | sort >"$tmp/listed"
checks=$((checks + 1))
comm -23 "$tmp/routes" "$tmp/listed" >"$tmp/missing"
[ ! -s "$tmp/missing" ] || fail "routes with no line in authz.matrix (write down who may reach them): $(tr '\n' ';' <"$tmp/missing")"
checks=$((checks + 1))
comm -13 "$tmp/routes" "$tmp/listed" >"$tmp/stale"
[ ! -s "$tmp/stale" ] || fail "authz.matrix lines naming no route: $(tr '\n' ';' <"$tmp/stale")"

bad="Authorization: Bearer $(printf 'x%.0s' $(seq 1 43))"
pairs=0
grep -v '^#' "$matrix" | while read -r method pattern who; do
    # A concrete path: ids, names and the rest of a path filled in.
    path=$(echo "$pattern" | sed -e 's/{id}/1/g' -e 's/{name}/cognus/' -e 's/{name}/x/g' -e 's#/\*$#/x#')
    for cred in none bad; do
        if [ "$cred" = bad ]; then set -- -H "$bad"; else set --; fi
        if [ "$method" = GET ]; then
            code=$(curl -s -o /dev/null -w '%{http_code}' "$@" "$base$path")
        else
            code=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' --data-binary '{}' "$@" "$base$path")
        fi
        echo "$method $pattern $cred $code" >>"$tmp/tried"
        if [ "$who" = staff ] && [ "$code" != 401 ]; then
            echo "FAIL: $method $path with $cred credential answered $code, not 401" >>"$tmp/wrong"
        elif [ "$who" = open ] && [ "$cred" = none ] && [ "$code" = 401 ]; then
            echo "FAIL: open $method $path asked for a sign-in" >>"$tmp/wrong"
        elif [ "$who" = school ] && curl -s -o /dev/null -w '%{content_type}' "$base$path" | grep -q json; then
            echo "FAIL: the school's $path answered as the staff API does" >>"$tmp/wrong"
        fi
    done
done
checks=$((checks + 1))
[ ! -s "$tmp/wrong" ] || fail "$(cat "$tmp/wrong")"
echo "authz_matrix: routes: $(wc -l <"$tmp/routes"), pairs: $(wc -l <"$tmp/tried")"
finish
