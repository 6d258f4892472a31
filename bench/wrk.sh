# Shared by the HTTP benchmarks (sourced): starting and stopping a server
# on loopback and reading wrk's figures. Expects $charter and $tmp, and
# sets $pid and $base.

start() { # start DB
    rm -f "$tmp/out" # or the last server's URL could be read before the new one writes
    "$charter" serve --db "$1" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    base=
    for _ in $(seq 1 1200); do
        base=$(sed -n 's|^Charter is listening on \(http[^ ]*\)/$|\1|p' "$tmp/out" 2>/dev/null)
        [ -n "$base" ] && return 0
        sleep 0.05
    done
    echo "bench: the server did not start" >&2
    cat "$tmp/err" >&2
    exit 1
}

stop() {
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    pid=
}

# Milliseconds from a wrk latency figure such as 812.00us, 2.10ms or 1.02s.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
        printf "%.2f", n }'
}

# run NAME CONNECTIONS SCRIPT PATH
run() {
    threads=$(($2 < 2 ? 1 : 2))
    wrk -t "$threads" -c "$2" -d "${secs}s" --latency -s "bench/$3" "$base$4" >"$tmp/wrk"
    rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$tmp/wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk")
    echo "$1_per_s: $rps req/s"
    echo "$1_p50_ms: $(to_ms "$p50") ms"
    echo "$1_p99_ms: $(to_ms "$p99") ms"
    [ -z "$non2xx" ] || echo "$1_errors: $non2xx responses"
}
