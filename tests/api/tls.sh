#!/bin/sh
# HTTPS: the desk serves over TLS with the given certificate and key, and
# its session cookie is then marked Secure.
. "$(dirname "$0")/lib.sh"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
start_server --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
checks=$((checks + 1))
case $base in https://*) ;; *) fail "the server says it listens on $base, not https" ;; esac
call GET /healthz '' --cacert "$tmp/cert.pem"
expect_status 200 "a request over TLS, checked against the certificate"
call POST /api/v1/session "{\"email\":\"admin@charter.local\",\"password\":\"$admin_pw\"}" --cacert "$tmp/cert.pem" -D "$tmp/headers"
expect_status 200 "signing in over TLS"
checks=$((checks + 1))
grep -qi '^Set-Cookie: charter_session=.*; Secure' "$tmp/headers" || fail "the cookie is Secure under TLS"
checks=$((checks + 1))
grep -qi '^Strict-Transport-Security: max-age=31536000' "$tmp/headers" &&
    grep -qi '^X-Content-Type-Options: nosniff' "$tmp/headers" && grep -qi "^Content-Security-Policy: .*frame-ancestors 'none'" "$tmp/headers" ||
    fail "the sign-in answer carries HSTS, nosniff and a CSP: $(cat "$tmp/headers")"
hostport=${base#https://}
hostport=${hostport%/}
for old in tls1 tls1_1; do
    checks=$((checks + 1))
    if echo | openssl s_client -connect "$hostport" "-$old" -cipher 'DEFAULT@SECLEVEL=0' >"$tmp/s_client.out" 2>&1 </dev/null; then
        grep -q 'Cipher is (NONE)\|no protocols available\|alert' "$tmp/s_client.out" || fail "TLS $old must be refused: $(tail -5 "$tmp/s_client.out")"
    fi
done
checks=$((checks + 1))
echo | openssl s_client -connect "$hostport" -tls1_2 >"$tmp/s_client.out" 2>&1 </dev/null &&
    grep -q 'Protocol *: TLSv1.2\|TLSv1.2' "$tmp/s_client.out" || fail "TLS 1.2 is offered: $(tail -5 "$tmp/s_client.out")"
checks=$((checks + 1))
plain=$(curl -s -o /dev/null -w '%{http_code}' "http://${base#https://}/healthz")
[ "$plain" != 200 ] || fail "plain HTTP must not be answered on the TLS port"
finish
