#!/usr/bin/env bash
# Installs what the build, the tests and the demo need, if missing: Debian packages
# (Tauri's libraries, PostgreSQL, Xvfb with x11-utils to read window titles, an Arabic
# font, Chromium, WebKitWebDriver, a D-Bus session with gnome-keyring and dunst,
# Python's venv for the API fuzzer, nginx and openssl for the deployment test, sudo
# through which the updater installs a package in the update test),
# tauri-driver, and the UI's npm packages. scripts/fuzz.sh installs Schemathesis into
# its own venv.
# Safe to run again: it does nothing when everything is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential
  pkg-config
  libwebkit2gtk-4.1-dev
  libayatana-appindicator3-dev
  librsvg2-dev
  libxdo-dev
  libssl-dev
  postgresql
  xvfb
  xauth
  x11-utils
  fonts-noto-core
  curl
  chromium
  chromium-driver
  webkit2gtk-driver
  dbus-x11
  dbus-bin
  dbus-daemon
  libdbus-1-dev
  gnome-keyring
  libsecret-tools
  dunst
  python3
  python3-venv
  nginx-light
  openssl
  sudo
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg -s "$package" 2>/dev/null | grep -q '^Status: install ok installed$'; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "installing: ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# tauri-driver bridges WebDriver clients to WebKitWebDriver for the desktop app's end-to-end tests.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  cargo install tauri-driver --locked
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: install Node.js 20.19 or newer" >&2
  exit 1
fi

# npm ci only when the lock file changed since the last install.
stamp="$root/ui/node_modules/.ordinavo-lock"
if ! cmp -s "$root/ui/package-lock.json" "$stamp" 2>/dev/null; then
  (cd "$root/ui" && npm ci --no-audit --no-fund)
  cp "$root/ui/package-lock.json" "$stamp"
fi
