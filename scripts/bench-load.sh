#!/usr/bin/env bash
# Load benchmark of the portal over HTTP (issue 10): the release server as a real process,
# seeded through /api/v1, every portal list driven by wrk with 64 connections beside
# /healthz, and a full and an idle sync; on SQLite and on a fresh local PostgreSQL.
# Usage: scripts/bench-load.sh [appointments per customer…]   (default: 10000 100000)
# BENCH_SECONDS sets how long wrk drives each endpoint (default 5).
# It reports the goals as PASS/MISS and fails only on HTTP errors or wrong data.
# See docs/performance.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(10000 100000)
for size in "${sizes[@]}"; do
  [[ "$size" =~ ^[0-9]+$ ]] && [ "$size" -ge 2 ] || { echo "not a size: $size" >&2; exit 2; }
done

# The load generator, from Debian; apt-get update only when something must be installed.
if ! command -v wrk >/dev/null 2>&1; then
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "installing: wrk"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk
fi

cargo build --release --locked -p ordinavo-server
server="${CARGO_TARGET_DIR:-$root/target}/release/ordinavo-server"

trap '"$root/scripts/postgres.sh" stop' EXIT
postgres_url=$("$root/scripts/postgres.sh" fresh)

cargo bench --locked -p ordinavo-server --bench load -- \
  --server "$server" --postgres "$postgres_url" --seconds "${BENCH_SECONDS:-5}" "${sizes[@]}"
