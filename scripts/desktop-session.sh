#!/usr/bin/env bash
# Runs a command inside a throwaway desktop session, as the desktop client's tests
# need: an Xvfb display, a private D-Bus session bus, an unlocked gnome-keyring
# (Secret Service) and dunst (notifications). Everything ends with the command.
#   scripts/desktop-session.sh cargo test --workspace
set -euo pipefail

if [ -z "${ORDINAVO_DESKTOP_SESSION:-}" ]; then
  export ORDINAVO_DESKTOP_SESSION=starting
  exec xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" dbus-run-session -- "$0" "$@"
fi

# Keyrings and runtime files of this session only, never the user's own.
scratch=$(mktemp -d)
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

# --unlock reads the login keyring's password on stdin and creates the keyring if needed.
eval "$(printf 'desktop-session' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# The keyring daemon leaves by itself when dbus-run-session closes the bus.

dunst >"$scratch/dunst.log" 2>&1 &
pids+=("$!")
# The notification service is up once its name is on the bus.
for _ in $(seq 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  sleep 0.1
done

export ORDINAVO_DESKTOP_SESSION=ready
"$@"
