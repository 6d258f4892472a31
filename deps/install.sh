#!/bin/sh
# Installs the Debian packages listed in deps/debian.txt that are missing
# (as root with apt-get; otherwise it prints the exact command to run), then
# the browser-side npm packages locked in web/package-lock.json.
set -eu
here=$(dirname "$0")
missing=""
for pkg in $(grep -v '^#' "$here/debian.txt" | grep -v '^$'); do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
    esac
done
npm_packages() {
    web="$here/../web"
    [ -f "$web/package-lock.json" ] || return 0
    # Up to date when npm's own record is newer than the lock file.
    if [ ! -f "$web/node_modules/.package-lock.json" ] ||
        [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
        echo "deps: npm ci in web/"
        (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}
if [ -z "$missing" ]; then
    npm_packages
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    # postfix is for the tests' own instances (tests/mail/lib.sh): the
    # system's is left unconfigured, so nothing listens on port 25.
    if command -v debconf-set-selections >/dev/null; then
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    fi
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
    npm_packages
else
    echo "deps: missing packages:$missing" >&2
    echo "deps: run: sudo apt-get install -y$missing" >&2
    exit 1
fi
