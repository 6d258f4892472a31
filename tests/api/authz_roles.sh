#!/bin/sh
# The authorisation matrix's role columns (authz.roles): every staff route
# of the router, tried as an officer of the object's own service, an
# officer and a manager of another service, a manager of the object's
# service and an administrator, each against records of its own (one set per role, so one
# role's change or deletion cannot alter what the next one sees). Each
# answer is sorted into a class (y: the handler took it up, whatever it
# then said, such as 400 for the empty body sent; n: 403, the role may
# not; h: 404, the record is hidden from it; u: 401) and compared with the class written down. A staff route
# with no line in authz.roles, or a line naming no route, fails.
# Prints the number of route, role and record triples tried.
# CHARTER_AUTHZ_WRITE=FILE writes what was seen, to review by hand.
. "$(dirname "$0")/lib.sh"
start_server
roles="$(dirname "$0")/authz.roles"
A="Authorization: Bearer $("$charter" admin token --email admin@charter.local --db "$db")"
user() { # user EMAIL ROLE SERVICE...: adds the user, prints a token
    email=$1 role=$2
    shift 2
    set -- $(for s in "$@"; do printf -- '--service %s ' "$s"; done)
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$email" --name "$email" \
        --role "$role" "$@" --password-stdin >/dev/null
    "$charter" admin token --email "$email" --db "$db"
}
own="cognus/enquiries beacon/consultancy"
OFF="Authorization: Bearer $(user off@cognus.example officer $own)"
OTHER="Authorization: Bearer $(user other@sendiass.example officer sendiass/enquiries)"
OMGR="Authorization: Bearer $(user omgr@sendiass.example manager sendiass/enquiries)"
MGR="Authorization: Bearer $(user mgr@cognus.example manager $own)"
ADM=$A
call GET /api/v1/users '' -H "$A"
off_id=$(json '.users[] | select(.email == "off@cognus.example") | .id')
yesterday=$(date -u -d '-1 day' +%F) later=$(date -u -d '+20 days' +%F)

# fixtures ROLE HEADER: records of the object's own services, made by the
# officer (or, for contracts, the administrator), into $tmp/ids.ROLE.
fixtures() {
    r=$1 H=$2
    call POST /api/v1/cases '{"service":"cognus/enquiries","channel":"email","subject":"Matrix","requester":{"name":"Pat '"$r"'","email":"pat.'"$r"'@example.org"}}' -H "$OFF"
    c=$(json .id) p=$(json .person_id)
    call POST /api/v1/people '{"name":"Kim '"$r"'","service":"cognus/enquiries"}' -H "$OFF"
    p2=$(json .id)
    call POST /api/v1/organisations '{"name":"School '"$r"'"}' -H "$OFF"
    o=$(json .id)
    call POST "/api/v1/people/$p/relationships" '{"kind":"parent","other_id":'"$p2"'}' -H "$OFF"
    rel=$(json .id)
    call POST "/api/v1/people/$p/consents" '{"grantee_id":'"$p2"',"scope":"all","evidence":"Letter","given_on":"2026-11-01"}' -H "$OFF"
    k=$(json .id)
    call POST "/api/v1/people/$p/restrictions" "{\"allowed_channels\":[\"email\"],\"reason\":\"Matrix\",\"review_on\":\"$later\"}" -H "$MGR"
    x=$(json .id)
    status=$(curl -s -o "$tmp/body" -w '%{http_code}' -H "$OFF" -H 'Content-Type: text/plain' \
        --data-binary 'A file.' "$base/api/v1/cases/$c/attachments?filename=f.txt")
    f=$(json .id)
    call POST /api/v1/contracts '{"school":"School '"$r"'","service":"beacon/consultancy","year":"2025-26","amount":18,"unit":"hours","consultant_id":'"$off_id"'}' -H "$A"
    t=$(json .id)
    # A day each, so the consultant's visits do not clash.
    case $r in other) day=09 ;; off) day=10 ;; mgr) day=11 ;; adm) day=12 ;; esac
    call POST "/api/v1/contracts/$t/visits" '{"starts_at":"2025-09-'"$day"'T09:30"}' -H "$A"
    v=$(json .id)
    call POST /api/v1/audits "{\"service\":\"beacon/consultancy\",\"template\":\"behaviour\",\"school\":\"School $r\",\"opens_on\":\"$yesterday\",\"closes_on\":\"$later\"}" -H "$MGR"
    u=$(json .id)
    call POST /api/v1/tokens '{"label":"matrix"}' -H "$OFF"
    tok=$(json .id)
    for v_ in c p o rel k x f t v u tok; do
        eval "val=\$$v_"
        case $val in '' | null) echo "FAIL: the $r fixtures could not make their $v_ ($(head -c 300 "$tmp/body"))"; exit 1 ;; esac
    done
    echo "$c $p $o $rel $k $x $f $t $v $u $tok" >"$tmp/ids.$r"
}

# path ROLE PATTERN: the pattern with the role's own records in it.
path_for() {
    read -r c p o rel k x f t v u tok <"$tmp/ids.$1"
    echo "$2" | sed -e "s#/cases/{id}#/cases/$c#" -e "s#/people/{id}#/people/$p#" \
        -e "s#/organisations/{id}#/organisations/$o#" -e "s#/relationships/{id}#/relationships/$rel#" \
        -e "s#/consents/{id}#/consents/$k#" -e "s#/restrictions/{id}#/restrictions/$x#" \
        -e "s#/attachments/{id}#/attachments/$f#" -e "s#/contracts/{id}#/contracts/$t#" \
        -e "s#/visits/{id}#/visits/$v#" -e "s#/audits/{id}#/audits/$u#" \
        -e "s#/tokens/{id}#/tokens/$tok#" -e "s#/users/{id}#/users/$off_id#" \
        -e 's#/queues/{name}#/queues/mine#' -e 's#{id}#1#g'
}

class_of() {
    case $1 in 401) echo u ;; 403) echo n ;; 404) echo h ;; 000) echo x ;; *) echo y ;; esac
}

sed -nE 's/^ *\{"(GET|POST|PATCH|PUT|DELETE)", "([^"]+)".*/\1 \2/p' src/http/server.c | sort >"$tmp/routes"
grep '^[A-Z]' "$(dirname "$0")/authz.matrix" | awk '$3 == "staff" {print $1, $2}' | sort >"$tmp/staff"
grep -v '^#' "$roles" | awk 'NF {print $1, $2}' | sort >"$tmp/listed"
checks=$((checks + 1))
comm -23 "$tmp/staff" "$tmp/listed" >"$tmp/missing"
[ ! -s "$tmp/missing" ] || fail "staff routes with no line in authz.roles (write down who may reach them): $(tr '\n' ';' <"$tmp/missing")"
checks=$((checks + 1))
comm -13 "$tmp/routes" "$tmp/listed" >"$tmp/stale"
[ ! -s "$tmp/stale" ] || fail "authz.roles lines naming no route: $(tr '\n' ';' <"$tmp/stale")"

for r in other off mgr adm; do fixtures $r; done
: >"$tmp/seen"
grep -v '^#' "$roles" | while read -r method pattern want; do
    [ -n "$method" ] || continue
    got=
    for r in other omgr off mgr adm; do
        case $r in other) H=$OTHER ;; omgr) H=$OMGR ;; off) H=$OFF ;; mgr) H=$MGR ;; adm) H=$ADM ;; esac
        # Another service's staff are tried on the officer's records.
        case $r in other | omgr) p=$(path_for off "$pattern") ;; *) p=$(path_for $r "$pattern") ;; esac
        if [ "$method" = GET ]; then
            code=$(curl -s -m 20 -o /dev/null -w '%{http_code}' -H "$H" "$base$p")
        else
            # If-Match "1" (every record is fresh), so a change is judged
            # on who asks, not refused first for want of a version.
            code=$(curl -s -m 20 -o /dev/null -w '%{http_code}' -X "$method" -H "$H" -H 'If-Match: "1"' \
                -H 'Content-Type: application/json' --data-binary '{}' "$base$p")
        fi
        got="$got $(class_of "$code")"
    done
    echo "$method $pattern$got" >>"$tmp/seen"
done
[ -n "${CHARTER_AUTHZ_WRITE:-}" ] && cp "$tmp/seen" "$CHARTER_AUTHZ_WRITE"
grep -v '^#' "$roles" | awk 'NF' >"$tmp/want"
checks=$((checks + 1))
diff "$tmp/want" "$tmp/seen" >"$tmp/diff" || fail "answers differ from authz.roles (< written down, > seen; columns: other officer, other manager, officer, manager, admin): $(grep '^[<>]' "$tmp/diff" | tr '\n' ';')"
echo "authz_roles: routes: $(wc -l <"$tmp/want"), triples: $(($(wc -l <"$tmp/want") * 5))"
finish
