#!/usr/bin/env bash
# Starts a local S3-compatible server for the blob store tests and prints its URL.
# Usage: scripts/s3.sh start|stop   (state under $TMPDIR or /tmp; port $S3_PORT or a free one)
#
# The server is moto in server mode, from PyPI in its own venv: a real HTTP server
# speaking the S3 protocol (multipart uploads, ranged GETs, copies, listings), started in
# a second and needing no account, disk layout or daemon set-up, unlike radosgw; and,
# unlike an S3 server written for this project, it is maintained as a faithful model of
# AWS's behaviour (it refuses multipart parts under 5 MiB, as S3 does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=5.2.5
venv="${ORDINAVO_S3_VENV:-$HOME/.cache/ordinavo/moto-$version}"
dir="${TMPDIR:-/tmp}/ordinavo-test-s3-$(printf %s "$root" | md5sum | cut -c1-8)"

case "${1:-start}" in
  start)
    if [ ! -x "$venv/bin/moto_server" ]; then
      echo "installing moto $version into $venv" >&2
      python3 -m venv "$venv"
      "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$version" >&2
    fi
    mkdir -p "$dir"
    if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      cat "$dir/url"
      exit 0
    fi
    port="${S3_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
    url="http://127.0.0.1:$port"
    setsid "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$dir/server.log" 2>&1 </dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 1 150); do
      curl -fsS -o /dev/null "$url/moto-api/" 2>/dev/null && break
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/server.log" >&2; echo "moto did not start" >&2; exit 1; }
      sleep 0.2
    done
    curl -fsS -o /dev/null "$url/moto-api/" || { cat "$dir/server.log" >&2; echo "moto did not answer" >&2; exit 1; }
    echo "$url" | tee "$dir/url"
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      kill "$(cat "$dir/pid")" 2>/dev/null || true
      rm -f "$dir/pid" "$dir/url"
    fi
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
