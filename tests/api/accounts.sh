#!/bin/sh
# Staff accounts over their whole life, black-box: signing out ends the
# session on the server; tokens expire, are listed without their secret and
# are revoked; administrators edit, deactivate, reactivate and reset
# passwords (managers move officers among their own services); everyone
# changes their own password; every change is in the audit log.
. "$(dirname "$0")/lib.sh"
start_server
add() { # add EMAIL ROLE [SERVICE]: prints the new user's id
    echo 'a good long password' | "$charter" admin user add --db "$db" --email "$1" --name "$1" \
        --role "$2" ${3:+--service "$3"} --password-stdin | sed -n 's/^added .* user \([0-9]*\)$/\1/p'
}
# sql STATEMENT: runs one statement on the desk's database behind the server.
sql() {
    if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
        psql -qtA "$(cat "$CHARTER_TEST_PG_URL_FILE")" -v ON_ERROR_STOP=1 \
            -c "SET search_path TO ${db##*schema=}; $1" >/dev/null
    else
        sqlite3 -cmd '.timeout 5000' "$db" "$1"
    fi
}
# signin EMAIL PASSWORD JAR: signs in with a cookie jar; sets csrf.
signin() {
    call POST /api/v1/session "{\"email\":\"$1\",\"password\":\"$2\"}" -c "$3"
    csrf=$(json .csrf_token)
}
cookie_in() { awk '$6 == "charter_session" { print $7 }' "$1"; }

admin_token=$("$charter" admin token --email admin@charter.local --db "$db")
A="Authorization: Bearer $admin_token"
call GET /api/v1/session '' -H "$A"
admin_id=$(json .user.id)
olu=$(add olu@cognus.example officer cognus/enquiries)
meg=$(add meg@cognus.example manager cognus/enquiries)
sam=$(add sam@sendiass.example officer sendiass/enquiries)
O="Authorization: Bearer $("$charter" admin token --email olu@cognus.example --db "$db")"
M="Authorization: Bearer $("$charter" admin token --email meg@cognus.example --db "$db")"

# --- Signing out ---
signin olu@cognus.example 'a good long password' "$tmp/olu.jar"
expect_status 200 "an officer signs in"
cookie=$(cookie_in "$tmp/olu.jar")
C="Cookie: charter_session=$cookie"
call GET /api/v1/session '' -H "$C"
expect_status 200 "the session cookie works"
call DELETE /api/v1/session '' -H "$C"
expect_status 403 "signing out with the cookie alone (no CSRF token) is refused"
call DELETE /api/v1/session '' -H "$O"
expect_status 400 "a bearer token has no session to end"
expect '.detail | test("DELETE /api/v1/tokens")' "and says how to revoke a token instead"
curl -s -D "$tmp/headers" -o /dev/null -X DELETE -H "$C" -H "X-CSRF-Token: $csrf" "$base/api/v1/session"
checks=$((checks + 1))
grep -qi '^HTTP/1.1 204' "$tmp/headers" || fail "signing out answers 204: $(head -n 1 "$tmp/headers")"
checks=$((checks + 1))
grep -qi '^set-cookie: charter_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict' "$tmp/headers" ||
    fail "signing out clears the cookie: $(grep -i set-cookie "$tmp/headers")"
call GET /api/v1/session '' -H "$C"
expect_status 401 "the signed-out cookie no longer works"
call GET /api/v1/cases '' -H "$C"
expect_status 401 "for anything"

# --- Tokens: made with an expiry, listed without the secret, revoked ---
call POST /api/v1/tokens '{"label":"laptop","expires_in_days":7}' -H "$O"
expect_status 201 "an officer makes a labelled token"
expect '(.token | length) == 43 and .label == "laptop" and .id > 0' "shown once, with its id"
expect '((.expires_at | fromdateiso8601) - (.created_at | fromdateiso8601)) == 604800' "expiring in 7 days"
laptop=$(json .token) laptop_id=$(json .id)
call POST /api/v1/tokens '' -H "$O"
expect_status 201 "a token with no body"
expect '((.expires_at | fromdateiso8601) - (.created_at | fromdateiso8601)) == 7776000' "expires in 90 days by default"
call POST /api/v1/tokens '{"expires_in_days":366}' -H "$O"
expect_status 400 "a token may not outlive a year"
expect '.fields == ["expires_in_days"]' "and the field is named"
call POST /api/v1/tokens '{"expires_in_days":0}' -H "$O"
expect_status 400 "nor expire at once"
call POST /api/v1/tokens '{"lifetime":"forever"}' -H "$O"
expect_status 400 "an unknown field is refused, not dropped"
call GET /api/v1/cases '' -H "Authorization: Bearer $laptop"
expect_status 200 "the new token works"
call GET /api/v1/tokens '' -H "$O"
expect_status 200 "an officer lists their tokens"
expect "[.tokens[] | select(.id == $laptop_id)][0] | .label == \"laptop\" and .expired == false and (.last_used_at | type) == \"string\"" "with label, expiry and when last used"
expect '[.tokens[] | has("token") or has("hash")] | any | not' "never the secret"
expect "[.tokens[] | .user_id] | unique == [$olu]" "only their own"
call GET "/api/v1/tokens?user=$admin_id" '' -H "$O"
expect_status 403 "an officer cannot list someone else's tokens"
call GET "/api/v1/tokens?user=$olu" '' -H "$A"
expect_status 200 "an administrator can"
expect "[.tokens[] | .id] | index($laptop_id) != null" "and sees the officer's token"
call GET "/api/v1/tokens?user=x" '' -H "$A"
expect_status 400 "user must be an id"
call DELETE "/api/v1/tokens/$laptop_id" '' -H "$M"
expect_status 404 "someone else's token is not found for a manager"
call DELETE "/api/v1/tokens/$laptop_id" '' -H "$O"
expect_status 204 "the owner revokes it"
call GET /api/v1/cases '' -H "Authorization: Bearer $laptop"
expect_status 401 "a revoked token no longer works"
call DELETE "/api/v1/tokens/$laptop_id" '' -H "$O"
expect_status 404 "and cannot be revoked twice"
call POST /api/v1/tokens '{"label":"old"}' -H "$O"
old=$(json .token) old_id=$(json .id)
sql "UPDATE credentials SET expires_at = 1000 WHERE id = $old_id"
call GET /api/v1/cases '' -H "Authorization: Bearer $old"
expect_status 401 "an expired token no longer works"
call GET /api/v1/tokens '' -H "$O"
expect "[.tokens[] | select(.id == $old_id)][0].expired == true" "and is listed as expired"
call POST /api/v1/tokens '{"label":"admin revokes"}' -H "$O"
revoke_me=$(json .token) revoke_id=$(json .id)
call DELETE "/api/v1/tokens/$revoke_id" '' -H "$A"
expect_status 204 "an administrator revokes anyone's token"
call GET /api/v1/cases '' -H "Authorization: Bearer $revoke_me"
expect_status 401 "and it stops working"

# --- Editing a person ---
call PATCH "/api/v1/users/$sam" '{"name":"Sam Adeyemi","services":["sendiass/enquiries","cognus/enquiries"]}' -H "$A"
expect_status 200 "an administrator edits a name and services"
expect '.name == "Sam Adeyemi" and .services == ["cognus/enquiries","sendiass/enquiries"] and .role == "officer" and .active' "the person as changed"
call PATCH "/api/v1/users/$sam" '{"services":["nowhere/none"]}' -H "$A"
expect_status 400 "an unknown service is refused"
expect '.fields == ["services"] and (.detail | test("no service .nowhere/none.; GET /api/v1/services lists them"))' "with a sentence"
call PATCH "/api/v1/users/$sam" '{"role":"boss","colour":"red"}' -H "$A"
expect_status 400 "a bad role and an unknown field"
expect '.fields == ["colour"]' "the unknown field is named first, before any value is read"
call PATCH "/api/v1/users/$sam" '{"role":"boss"}' -H "$A"
expect_status 400 "a bad role"
expect '.fields == ["role"]' "is named"
call PATCH "/api/v1/users/$sam" '{}' -H "$A"
expect_status 400 "an edit must change something"
expect '.title == "Nothing to change"' "and says so"
call PATCH /api/v1/users/9999 '{"name":"Nobody"}' -H "$A"
expect_status 404 "no such person"
call PATCH "/api/v1/users/$sam" '{"name":"X"}' -H "$O"
expect_status 403 "an officer edits nobody"
call PATCH "/api/v1/users/$admin_id" '{"active":false}' -H "$A"
expect_status 409 "an administrator cannot deactivate themselves"
call PATCH "/api/v1/users/$admin_id" '{"role":"manager"}' -H "$A"
expect_status 409 "nor give up their own administrator role"
call GET /api/v1/users '' -H "$A"
expect "[.users[] | select(.id == $admin_id)][0] | .role == \"admin\" and .active" "the administrator is unchanged"

# A manager moves officers among the manager's own services only.
call PATCH "/api/v1/users/$sam" '{"services":["sendiass/enquiries"]}' -H "$M"
expect_status 200 "a manager takes an officer out of the manager's service"
expect '.services == ["sendiass/enquiries"]' "keeping the officer's other services"
call PATCH "/api/v1/users/$sam" '{"services":["cognus/enquiries","sendiass/enquiries"]}' -H "$M"
expect_status 403 "an officer outside the manager's services is not theirs to bring in"
call PATCH "/api/v1/users/$olu" '{"services":[]}' -H "$M"
expect_status 200 "a manager can leave an officer with no services"
call PATCH "/api/v1/users/$olu" '{"services":["cognus/enquiries"]}' -H "$M"
expect_status 200 "and take an officer with none into the manager's service"
expect '.services == ["cognus/enquiries"]' "as asked"
call PATCH "/api/v1/users/$olu" '{"services":["cognus/enquiries","beacon/consultancy"]}' -H "$M"
expect_status 403 "a manager cannot give a service that is not theirs"
expect '.detail | test("beacon/consultancy")' "and is told which"
call PATCH "/api/v1/users/$olu" '{"name":"Olu X"}' -H "$M"
expect_status 403 "a manager cannot rename"
call PATCH "/api/v1/users/$olu" '{"active":false}' -H "$M"
expect_status 403 "nor deactivate"
call PATCH "/api/v1/users/$meg" '{"services":[]}' -H "$M"
expect_status 403 "nor change a manager"

# --- Deactivating and reactivating ---
signin olu@cognus.example 'a good long password' "$tmp/olu2.jar"
C="Cookie: charter_session=$(cookie_in "$tmp/olu2.jar")"
call GET /api/v1/session '' -H "$C"
expect_status 200 "the officer is signed in"
call PATCH "/api/v1/users/$olu" '{"active":false}' -H "$A"
expect_status 200 "an administrator deactivates the officer"
expect '.active == false' "who reads back inactive"
call GET /api/v1/session '' -H "$C"
expect_status 401 "their session stops at once"
call GET /api/v1/cases '' -H "$O"
expect_status 401 "and so does their token"
signin olu@cognus.example 'a good long password' "$tmp/olu3.jar"
expect_status 403 "a deactivated person cannot sign in"
expect '.title == "Account deactivated"' "and is told why"
call GET /api/v1/users '' -H "$A"
expect "[.users[] | select(.id == $olu)][0].active == false" "the staff list shows them inactive"
call PATCH "/api/v1/users/$olu" '{"active":true}' -H "$A"
expect_status 200 "and reactivates them"
signin olu@cognus.example 'a good long password' "$tmp/olu.jar"
expect_status 200 "who can sign in again"
call GET /api/v1/cases '' -H "$O"
expect_status 401 "but their old token stays revoked"

# --- Passwords ---
C="Cookie: charter_session=$(cookie_in "$tmp/olu.jar")"
X="X-CSRF-Token: $csrf"
signin olu@cognus.example 'a good long password' "$tmp/other.jar"
D="Cookie: charter_session=$(cookie_in "$tmp/other.jar")"
call POST "/api/v1/users/$olu/password" '{"password":"a brand new password"}' -H "$C" -H "$X"
expect_status 400 "changing one's password needs the current one"
expect '.fields == ["current_password"]' "named"
call POST "/api/v1/users/$olu/password" '{"current_password":"not it at all","password":"a brand new password"}' -H "$C" -H "$X"
expect_status 403 "a wrong current password is refused"
call POST "/api/v1/users/$olu/password" '{"current_password":"a good long password","password":"short"}' -H "$C" -H "$X"
expect_status 400 "a new password of under 10 characters is refused"
expect '.fields == ["password"]' "named"
call POST "/api/v1/users/$olu/password" '{"current_password":"a good long password","password":"a brand new password"}' -H "$C" -H "$X"
expect_status 204 "the officer changes their password"
call GET /api/v1/session '' -H "$C"
expect_status 200 "staying signed in where they changed it"
call GET /api/v1/session '' -H "$D"
expect_status 401 "their other session ends"
signin olu@cognus.example 'a good long password' "$tmp/x.jar"
expect_status 401 "the old password no longer signs in"
signin olu@cognus.example 'a brand new password' "$tmp/x.jar"
expect_status 200 "the new one does"
call POST "/api/v1/users/$admin_id/password" '{"password":"taking over the desk"}' -H "$C" -H "$X"
expect_status 403 "an officer cannot reset someone else's password"
call POST "/api/v1/users/$olu/password" '{"password":"reset by the admin","current_password":"x"}' -H "$A"
expect_status 400 "a reset takes no current password"
call POST "/api/v1/users/$olu/password" '{"password":"reset by the admin"}' -H "$A"
expect_status 204 "an administrator resets the officer's password"
call GET /api/v1/session '' -H "$C"
expect_status 401 "which ends all the officer's sessions"
signin olu@cognus.example 'reset by the admin' "$tmp/x.jar"
expect_status 200 "and the reset password signs in"

# --- Adding a person is checked as strictly ---
call POST /api/v1/users '{"email":"new@cognus.example","name":"New","role":"officer","password":"a long password","services":["nowhere/none"]}' -H "$A"
expect_status 400 "a new person with an unknown service is refused"
call POST /api/v1/users '{"email":"new@cognus.example","name":"New","role":"officer","password":"a long password","team":"x"}' -H "$A"
expect_status 400 "and with an unknown field"

# --- Every change is audited ---
call GET '/api/v1/audit?limit=1000' '' -H "$A"
for what in 'sign-out user' 'create token' 'revoke token' 'update user' 'deactivate user' \
    'reactivate user' 'password-change user' 'password-reset user'; do
    expect "[.audit[] | select(.action + \" \" + .object == \"$what\")] | length >= 1" "the audit log has $what"
done
expect "[.audit[] | select(.action == \"deactivate\")][0] | .object_id == $olu and .user_id == $admin_id" "who deactivated whom"
expect "[.audit[] | select(.action == \"revoke\" and .object_id == $revoke_id)][0].user_id == $admin_id" "who revoked which token"

# Every account route is described.
for path in /api/v1/session /api/v1/users '/api/v1/users/{id}' '/api/v1/users/{id}/password' \
    /api/v1/tokens '/api/v1/tokens/{id}'; do
    checks=$((checks + 1))
    grep -qF "  $path:" docs/openapi.yaml || fail "docs/openapi.yaml does not describe $path"
done
checks=$((checks + 1))
grep -q '^    delete:' docs/openapi.yaml || fail "docs/openapi.yaml describes no DELETE"

finish
