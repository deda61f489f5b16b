#!/usr/bin/env bash
# Generates the desktop updater's signing key pair with the Tauri CLI (from ui/node_modules).
#
#   scripts/release-keys.sh [PATH]     default: ~/.config/ordinavo/updater.key
#
# The private key is written to PATH and its public half to PATH.pub. The private key must never
# enter git (.gitignore refuses *.key); keep it in the release machine's secret store. The package
# build reads it from TAURI_SIGNING_PRIVATE_KEY (the key's text or its path) and its password from
# TAURI_SIGNING_PRIVATE_KEY_PASSWORD. Put the public key (PATH.pub's text) into
# src-tauri/tauri.conf.json under plugins.updater.pubkey, so installed apps accept only updates
# signed with this key. Set ORDINAVO_KEY_PASSWORD to give the password without a prompt.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
key="${1:-$HOME/.config/ordinavo/updater.key}"

if [ ! -x "$root/ui/node_modules/.bin/tauri" ]; then
  echo "installing the Tauri CLI (npm ci in ui/)" >&2
  (cd "$root/ui" && npm ci --no-audit --no-fund >&2)
fi
if [ -e "$key" ]; then
  echo "$key already exists; move it away first (a new key pair means apps signed with the old one stop updating)" >&2
  exit 1
fi
case "$(cd "$(dirname "$key")" 2>/dev/null && pwd || true)/" in
  "$root"/*) echo "warning: $key is inside the repository; it is ignored by git (*.key), but keep it elsewhere" >&2 ;;
esac

mkdir -p "$(dirname "$key")"
umask 077
args=(signer generate --write-keys "$key")
if [ -n "${ORDINAVO_KEY_PASSWORD+set}" ]; then
  args+=(--password "$ORDINAVO_KEY_PASSWORD" --ci)
fi
(cd "$root/ui" && npx --no-install tauri "${args[@]}") >&2
chmod 600 "$key"
chmod 644 "$key.pub"

cat <<MSG
Private key: $key
  It must never enter git. The package build reads it from the environment:
    export TAURI_SIGNING_PRIVATE_KEY="\$(cat $key)"
    export TAURI_SIGNING_PRIVATE_KEY_PASSWORD=…
Public key:  $key.pub
  Put its text into src-tauri/tauri.conf.json (plugins.updater.pubkey).
MSG
