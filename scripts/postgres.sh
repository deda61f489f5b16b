#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and prints its URL.
# Usage: scripts/postgres.sh start|fresh|stop   (data under /tmp, port $PGPORT or 55432)
# `fresh` throws away the previous cluster first, so every test run starts empty.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Under /tmp, not the checkout: the postgres user must reach it, and a checkout under
# /root is not reachable for other users.
dir="${TMPDIR:-/tmp}/ordinavo-test-pg-$(printf %s "$root" | md5sum | cut -c1-8)"
port="${PGPORT:-55432}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL server binaries not found; run scripts/install-deps.sh" >&2; exit 1; }

# PostgreSQL refuses to run as root; run it as the postgres user when we are root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  fresh)
    "$0" stop
    rm -rf "$dir"
    exec "$0" start
    ;;
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
      as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
    fi
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|fresh|stop" >&2; exit 2 ;;
esac
