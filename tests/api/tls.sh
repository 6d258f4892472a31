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
plain=$(curl -s -o /dev/null -w '%{http_code}' "http://${base#https://}/healthz")
[ "$plain" != 200 ] || fail "plain HTTP must not be answered on the TLS port"
finish
