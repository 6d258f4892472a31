# Shared by the black-box tests of the charter binary: run a command, then
# check its exit status and output. Each failure is reported; the script
# exits non-zero at the end if any check failed.
charter=$1
failures=0
checks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run ARGS...: runs charter, keeping status, stdout and stderr.
run() {
    "$charter" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}

fail() {
    failures=$((failures + 1))
    echo "FAIL: $*"
    echo "  stdout: $(cat "$tmp/out")"
    echo "  stderr: $(cat "$tmp/err")"
}

expect_status() {
    checks=$((checks + 1))
    [ "$status" -eq "$1" ] || fail "expected exit $1, got $status ($2)"
}

# expect_out TEXT: stdout contains TEXT exactly (fixed string).
expect_out() {
    checks=$((checks + 1))
    grep -qF -- "$1" "$tmp/out" || fail "stdout lacks: $1"
}

expect_err() {
    checks=$((checks + 1))
    grep -qF -- "$1" "$tmp/err" || fail "stderr lacks: $1"
}

expect_err_re() {
    checks=$((checks + 1))
    grep -qE -- "$1" "$tmp/err" || fail "stderr does not match: $1"
}

finish() {
    echo "$((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}
