#!/usr/bin/env bash
# Live event fan-out benchmark (issue 12 item 4): the release server as a real process with
# STREAMS event streams (default 2000) over four portal users of different scopes; staff
# changes through /api/v1 are timed to every stream that may see them; on SQLite and on a
# fresh local PostgreSQL. Prints p50/p99 delivery latency, server CPU time and RSS.
# Usage: scripts/bench-fanout.sh [streams] [changes]   See docs/performance.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
streams="${1:-2000}"
changes="${2:-20}"

# Every stream is a socket on both ends, in this process tree: the client and the server
# each need a descriptor per stream, plus the database pool and files.
need=$((streams + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
    echo "ulimit -n: $need descriptors needed, the hard limit is $hard" >&2
    exit 1
  fi
  ulimit -n "$need"
fi

cargo build --release --locked -p ordinavo-server
server="${CARGO_TARGET_DIR:-$root/target}/release/ordinavo-server"

trap '"$root/scripts/postgres.sh" stop' EXIT
postgres_url=$("$root/scripts/postgres.sh" fresh)

cargo bench --locked -p ordinavo-server --bench fanout -- \
  --server "$server" --postgres "$postgres_url" --streams "$streams" --changes "$changes"
