#!/usr/bin/env bash
# Fuzzes the integration and portal APIs with Schemathesis against the real server
# binary (debug build, SQLite, demo data), signed in with an API key and a portal
# session: no generated request may get a 5xx, and every answer must fit the published
# schema. Bounded to about three minutes for both APIs together.
# Usage: scripts/fuzz.sh   (FUZZ_SECONDS per API, default 80; FUZZ_EXAMPLES per operation, default 40)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=4.32.5
venv="${ORDINAVO_FUZZ_VENV:-$HOME/.cache/ordinavo/schemathesis-$version}"
seconds="${FUZZ_SECONDS:-80}"
examples="${FUZZ_EXAMPLES:-40}"

if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "installing Schemathesis $version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

binary="${CARGO_TARGET_DIR:-$root/target}/debug/ordinavo-server"
[ -x "$binary" ] || cargo build --workspace --locked

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
export ORDINAVO_DATA_DIR="$work/data" ORDINAVO_BIND="127.0.0.1:$port" ORDINAVO_LOG="warn"
unset ORDINAVO_DATABASE_URL ORDINAVO_SMTP_HOST ORDINAVO_TRUSTED_PROXIES
"$binary" serve --demo >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 150); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; echo "the server did not start" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$url/healthz" >/dev/null

key=$("$binary" api-key create --name fuzz 2>/dev/null)
token=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"email": "facilities@northwind.example", "password": "portal-demo-2026"}' "$url/portal/v1/session" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

# Runs one API's schema; the JSON report holds the counts. One worker: with two,
# Hypothesis's lambda-source parsing (Python's `ast`, not thread-safe) sometimes fails
# inside the tool itself ("AST constructor recursion depth mismatch"), which is no
# finding about the server but fails the run.
fuzz() {
  local name=$1 credential=$2
  shift 2
  "$venv/bin/schemathesis" run "$url/$name/v1/openapi.json" --url "$url" \
    --header "Authorization: Bearer $credential" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$examples" --max-time "$seconds" --workers 1 --request-timeout 10 \
    --suppress-health-check all --no-color \
    --report json --report-json-path "$work/$name.json" "$@"
}

# Schemathesis keeps a cache in the working directory: keep it out of the checkout.
cd "$work"
status=0
fuzz api "$key" || status=1
# Signing out, ending every session or changing the password would end the run's own
# session; the event stream never ends by design.
fuzz portal "$token" \
  --exclude-path /portal/v1/session --exclude-path /portal/v1/sessions --exclude-path /portal/v1/password \
  --exclude-path /portal/v1/events || status=1

# One line per API: cases run, failures, and how many of them were server errors.
python3 - "$work/api.json" "$work/portal.json" <<'PY'
import json, sys

def mentions(value, text):
    if isinstance(value, dict):
        return any(mentions(v, text) for v in value.values())
    if isinstance(value, list):
        return any(mentions(v, text) for v in value)
    return value == text

for path in sys.argv[1:]:
    try:
        report = json.load(open(path))
    except (OSError, ValueError):
        print(f"fuzz {path}: no report")
        continue
    failures = report["failures"]
    server_errors = sum(1 for failure in failures if mentions(failure, "not_a_server_error"))
    name = path.rsplit("/", 1)[-1].removesuffix(".json")
    print(f"fuzz /{name}/v1: {report['test_cases']['generated']} cases, {len(failures)} failures, "
          f"{server_errors} server errors (5xx), {len(report['errors'])} errors")
PY
exit $status
