#!/usr/bin/env bash
# Starts the server on SQLite with demo data and the desktop app; Ctrl-C stops both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}/debug"
export ORDINAVO_DATA_DIR="${ORDINAVO_DATA_DIR:-$root/data}"
export ORDINAVO_BIND="${ORDINAVO_BIND:-127.0.0.1:8080}"
url="http://$ORDINAVO_BIND"

"$target/ordinavo-server" serve --demo &
server=$!
app=""
trap 'kill $server $app 2>/dev/null || true; wait 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 100); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "the server did not start" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$url/healthz" >/dev/null

cat <<INFO

  Ordinavo Customer Portal demo is running on SQLite in $ORDINAVO_DATA_DIR

  Staff admin web      $url/admin/   (English and Arabic; sign in below)
  Portal API           $url/portal/v1/openapi.json   (used by the desktop app)
  Integration API      $url/api/v1/openapi.json
                       (create a key: $target/ordinavo-server api-key create --name demo)

  Staff login          admin@ordinavo.example          ordinavo-demo-2026
  Portal logins        facilities@northwind.example    portal-demo-2026   (all of Northwind)
                       site.manager@northwind.example  portal-demo-2026   (one Northwind location)
                       ops@contoso.example             portal-demo-2026   (all of Contoso)

  Press Ctrl-C to stop.

INFO

if [ -n "${DISPLAY:-}" ]; then
  "$target/ordinavo-desktop" &
else
  echo "  No display: the desktop app runs under Xvfb."
  xvfb-run -a -s "-screen 0 1280x800x24" "$target/ordinavo-desktop" &
fi
app=$!
wait "$server"
