#!/usr/bin/env bash
# Desktop benchmark (issue 10): the client library's first sync and the real release
# app (first run, sign-in and first sync, cold start with the full cache, opening the
# appointments screen, PSS of its process tree), per size, in one table with PASS/MISS.
# Usage: scripts/bench-desktop.sh [appointments…]   (default: 10000 100000)
# See docs/performance.md, "Desktop".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(10000 100000)
for size in "${sizes[@]}"; do
  [[ "$size" =~ ^[0-9]+$ ]] && [ "$size" -ge 2 ] || { echo "not a size: $size" >&2; exit 2; }
done

# The app embeds ui/dist when it compiles.
(cd ui && npm run build)
# One package at a time, as each is built alone elsewhere, so their features (and builds) match.
cargo build --release --locked -p ordinavo-server
cargo build --release --locked -p ordinavo-desktop
ORDINAVO_BENCH_APPOINTMENTS=$(IFS=,; echo "${sizes[*]}") \
  scripts/desktop-session.sh cargo bench --locked -p ordinavo-client --bench sync
