# Shared by the black-box API tests: start the real charter binary on a free
# loopback port with a fresh database, make requests with curl, check the
# answers with jq, and stop the server at the end.
charter=$1
tmp=$(mktemp -d)
db=$tmp/charter.db
# Against PostgreSQL when the test cluster's URL is given: a schema per run.
if [ -n "${CHARTER_TEST_PG_URL_FILE:-}" ]; then
    [ -s "$CHARTER_TEST_PG_URL_FILE" ] || { echo "FAIL: no PostgreSQL cluster (no $CHARTER_TEST_PG_URL_FILE)"; exit 1; }
    db="$(cat "$CHARTER_TEST_PG_URL_FILE")?schema=api_$$_$(date +%s)"
fi
checks=0
failures=0

stop_server() {
    [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    server_pid=
}
trap 'stop_server; rm -rf "$tmp"' EXIT

# start_server [ARGS...]: runs charter serve; sets base (URL) and admin_pw.
start_server() {
    # The old output goes first: the new server's shell truncates the file
    # only once it runs, and until then the old URL would still be there.
    rm -f "$tmp/serve.out"
    "$charter" serve --db "$db" --listen 127.0.0.1:0 "$@" >"$tmp/serve.out" 2>"$tmp/serve.err" &
    server_pid=$!
    for _ in $(seq 1 100); do
        base=$(sed -n 's|^Charter is listening on \(http[^ ]*\)/$|\1|p' "$tmp/serve.out" 2>/dev/null)
        [ -n "$base" ] && break
        sleep 0.05
    done
    if [ -z "$base" ]; then
        echo "FAIL: the server did not start:"
        cat "$tmp/serve.out" "$tmp/serve.err"
        exit 1
    fi
    pw=$(sed -n 's/.*with password \([^ ]*\)$/\1/p' "$tmp/serve.out")
    [ -n "$pw" ] && admin_pw=$pw
    return 0
}

# call METHOD PATH [BODY] [CURL-ARGS...]: sets status and writes the body to $tmp/body.
call() {
    method=$1 path=$2
    shift 2
    body=
    if [ $# -gt 0 ]; then
        body=$1
        shift
    fi
    if [ -n "$body" ]; then
        status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$method" "$@" \
            -H 'Content-Type: application/json' --data-binary "$body" "$base$path")
    else
        status=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$method" "$@" "$base$path")
    fi
}

fail() {
    failures=$((failures + 1))
    echo "FAIL: $*"
    echo "  body: $(head -c 600 "$tmp/body")"
}

expect_status() {
    checks=$((checks + 1))
    [ "$status" = "$1" ] || fail "$2: expected HTTP $1, got $status"
}

# expect JQ-EXPR WHAT: the body satisfies a jq boolean expression.
expect() {
    checks=$((checks + 1))
    jq -e "$1" "$tmp/body" >/dev/null 2>&1 || fail "$2: body does not satisfy $1"
}

json() {
    jq -r "$1" "$tmp/body"
}

finish() {
    # The server must stop cleanly: no sanitizer report, exit status 0.
    if [ -n "${server_pid:-}" ]; then
        kill "$server_pid"
        wait "$server_pid"
        rc=$?
        server_pid=
        checks=$((checks + 1))
        if [ "$rc" -ne 0 ] || grep -qE 'Sanitizer|runtime error' "$tmp/serve.err"; then
            failures=$((failures + 1))
            echo "FAIL: the server did not stop cleanly (exit $rc):"
            head -n 40 "$tmp/serve.err"
        fi
    fi
    echo "$((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}
