#!/usr/bin/env bash
# Measures the server's resident memory while it takes one 25 MiB attachment upload, on
# every blob store: fs and database on SQLite, database on PostgreSQL when
# ORDINAVO_TEST_POSTGRES_URL names one, and s3 against the local server of scripts/s3.sh.
# Reads VmRSS and VmHWM of the real server process from /proc, resetting the peak just
# before the upload (clear_refs; the process is the caller's own). A measurement, not a test:
# it asserts nothing. Usage: scripts/bench-upload.sh   (BENCH_PROFILE=release for that build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
profile="${BENCH_PROFILE:-debug}"
binary="${CARGO_TARGET_DIR:-$root/target}/$profile/ordinavo-server"
if [ ! -x "$binary" ]; then
  if [ "$profile" = release ]; then cargo build --release --locked -p ordinavo-server; else cargo build --locked -p ordinavo-server; fi
fi
s3_url=$(scripts/s3.sh start)
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; scripts/s3.sh stop; rm -rf "$work"' EXIT

size=$((25 * 1024 * 1024))
{ printf '%%PDF-1.7\n'; head -c $((size - 9)) /dev/urandom; } >"$work/big.pdf"
{ printf '%%PDF-1.7\n'; head -c $((1024 * 1024)) /dev/urandom; } >"$work/warm-up.pdf"

kib() { awk -v key="$1:" '$1 == key { print $2 }' "/proc/$server/status"; }

# One run: a fresh server on store $1 ($2: database URL or empty for SQLite).
measure() {
  local label=$1 store=$2 database=${3:-} dir port url key target
  dir=$(mktemp -d -p "$work")
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port"
  export ORDINAVO_DATA_DIR="$dir" ORDINAVO_BIND="127.0.0.1:$port" ORDINAVO_LOG=warn ORDINAVO_BLOB_STORE="$store"
  export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret
  if [ -n "$database" ]; then export ORDINAVO_DATABASE_URL="$database"; else unset ORDINAVO_DATABASE_URL; fi
  "$binary" serve >"$dir/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 150); do
    curl -fsS "$url/healthz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    sleep 0.2
  done
  key=$("$binary" api-key create --name bench 2>/dev/null)
  api() { curl -fsS -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$@"; }
  id() { python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
  customer=$(api -d '{"name": "Bench"}' "$url/api/v1/customers" | id)
  location=$(api -d "{\"customer_id\": \"$customer\", \"name\": \"HQ\", \"address_line\": \"1 Main St\",
    \"postal_code\": \"10117\", \"city\": \"Berlin\", \"country_code\": \"DE\", \"time_zone\": \"Europe/Berlin\"}" \
    "$url/api/v1/locations" | id)
  target=$(api -d "{\"location_id\": \"$location\", \"title\": \"Bench\"}" "$url/api/v1/targets" | id)
  upload() {
    curl -fsS -o /dev/null -H "Authorization: Bearer $key" -F owner_kind=target -F "owner_id=$target" \
      -F "file=@$1;type=application/pdf" "$url/api/v1/attachments"
  }
  # The first upload warms the pools, statement caches and (for S3) the HTTP client.
  upload "$work/warm-up.pdf"
  local before peak after
  # Resets VmHWM to the current RSS, so the peak read after the upload is the upload's own.
  echo 5 >"/proc/$server/clear_refs"
  before=$(kib VmRSS)
  upload "$work/big.pdf"
  peak=$(kib VmHWM)
  after=$(kib VmRSS)
  printf '| %-22s | %8d | %8d | %8d | %+9.1f |\n' "$label" "$before" "$peak" "$after" "$(awk -v a="$peak" -v b="$before" 'BEGIN { print (a - b) / 1024 }')"
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
}

bucket="ordinavo-bench-$(date +%s)"
curl -fsS -X PUT "$s3_url/$bucket" >/dev/null
echo "25 MiB upload, $profile build; KiB of the server process (VmHWM: the peak during the upload)"
echo '| store                  | RSS before | VmHWM after | RSS after | peak growth (MiB) |'
echo '|---|---:|---:|---:|---:|'
measure "fs (SQLite)" fs
measure "database (SQLite)" database
if [ -n "${ORDINAVO_TEST_POSTGRES_URL:-}" ]; then
  name="bench_upload_$(date +%s)"
  psql "$ORDINAVO_TEST_POSTGRES_URL" -qc "CREATE DATABASE $name" >/dev/null
  measure "database (PostgreSQL)" database "${ORDINAVO_TEST_POSTGRES_URL%/*}/$name"
fi
measure "s3 (SQLite, moto)" "s3://$bucket?endpoint=$s3_url&region=us-east-1"
