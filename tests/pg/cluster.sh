#!/bin/sh
# A throwaway PostgreSQL cluster for the tests: `cluster.sh start DIR` makes
# one in DIR on a free loopback port (as the unprivileged user nobody when
# run as root) and writes its connection URL to DIR/url; `cluster.sh stop
# DIR` stops it and removes DIR. If PostgreSQL cannot start, this fails
# loudly: the suites that need it must not skip quietly.
set -eu
cmd=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "cluster.sh: PostgreSQL is not installed (make deps installs it)" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

case $cmd in
start)
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U charter -E UTF8 --no-instructions \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # A free port: ask the kernel for one, then hand it to PostgreSQL.
    port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" \
            start >/dev/null 2>&1; then
            echo "postgres://charter@127.0.0.1:$port/postgres" >"$dir/url"
            exit 0
        fi
        port=$((port + 1))
    done
    echo "cluster.sh: PostgreSQL would not start; its log:" >&2
    cat "$dir/server.log" >&2
    exit 1
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
