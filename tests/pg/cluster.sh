#!/bin/sh
# A throwaway PostgreSQL cluster for the tests: `cluster.sh start DIR` makes
# one on a free loopback port (as the unprivileged user nobody when run as
# root) and writes its connection URL to DIR/url; `cluster.sh stop DIR`
# stops it and removes it. The cluster itself lives in a fresh folder under
# /tmp, which nobody can reach wherever the checkout is. If PostgreSQL
# cannot start, this fails loudly: the suites that need it must not skip
# quietly.
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
    [ -f "$dir/cluster" ] && "$0" stop "$dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    home=$(mktemp -d /tmp/charter-pg.XXXXXX)
    chmod 755 "$home"
    echo "$home" >"$dir/cluster"
    [ "$(id -u)" -eq 0 ] && chown nobody "$home"
    as_owner "$bin/initdb" -D "$home/data" -A trust -U charter -E UTF8 --no-instructions \
        >"$home/initdb.log" 2>&1 || { cat "$home/initdb.log" >&2; exit 1; }
    # A random port in 20000-39999; the next one if it is taken.
    port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000 ))
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        if as_owner "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 30 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $home -c fsync=on -c max_connections=300" \
            start >/dev/null 2>&1; then
            echo "postgres://charter@127.0.0.1:$port/postgres" >"$dir/url"
            exit 0
        fi
        port=$((port + 1))
    done
    echo "cluster.sh: PostgreSQL would not start; its log:" >&2
    cat "$home/server.log" >&2
    exit 1
    ;;
stop)
    if [ -f "$dir/cluster" ]; then
        home=$(cat "$dir/cluster")
        case $home in
        /tmp/charter-pg.*)
            [ -d "$home/data" ] && as_owner "$bin/pg_ctl" -D "$home/data" -m fast -w stop \
                >/dev/null 2>&1 || true
            rm -rf "$home"
            ;;
        esac
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
