#!/usr/bin/env bash
# Builds the desktop app's signed .deb and .rpm with the Tauri CLI (ui/node_modules/.bin/tauri).
# The UI must be built first (make package and make test do: src-tauri embeds ui/dist).
#
#   scripts/package.sh          release packages (make package), signed with the updater key in
#                               TAURI_SIGNING_PRIVATE_KEY (the key's text or its path) and
#                               TAURI_SIGNING_PRIVATE_KEY_PASSWORD; copied to target/packages/
#   scripts/package.sh test     what make test checks and installs: .deb packages of the debug
#                               app the tests build, version N (the workspace's) in
#                               target/test-packages/current/ and N+1 in .../next/, signed with a
#                               throwaway key pair kept in target/test-packages/keys/ whose
#                               public key is compiled in through TAURI_CONFIG (the committed
#                               config is never edited). Prints the TAURI_CONFIG the tests must
#                               be built with, so that cargo test reuses this build.
#
# The version comes from the workspace Cargo.toml ([workspace.package] version): tauri.conf.json
# has none, so Tauri takes the crate's. AppImage is not built: its tools are downloaded at build time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tauri="$root/ui/node_modules/.bin/tauri"
[ -x "$tauri" ] || { echo "the Tauri CLI is missing: run scripts/install-deps.sh" >&2; exit 1; }
[ -f "$root/ui/dist/index.html" ] || { echo "ui/dist is missing: run (cd ui && npm run build) first" >&2; exit 1; }
target="${CARGO_TARGET_DIR:-$root/target}"

# The workspace version, the one place it is written.
workspace_version() {
  sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n1
}

release() {
  if [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
    echo "TAURI_SIGNING_PRIVATE_KEY is not set: give the updater key from scripts/release-keys.sh" >&2
    exit 1
  fi
  local started=$SECONDS out="$target/packages"
  # From src-tauri, so the CLI finds tauri.conf.json without searching the tree.
  (cd "$root/src-tauri" && "$tauri" build --ci --bundles deb,rpm "$@")
  local version
  version=$(workspace_version)
  collect "$target/release/bundle" "$version" "$out"
  echo "packages of $version in $out ($((SECONDS - started)) s):"
  ls -l "$out"/*"$version"*
}

# Copies the bundler's packages of `version` (named after the product, with spaces) to `out`
# under the names their package managers use: <package>_<version>_<arch>.deb and
# <package>-<version>-<release>.<arch>.rpm, each with its .sig (a signature of the content,
# so renaming keeps it valid).
collect() {
  local bundles=$1 version=$2 out=$3 file name
  mkdir -p "$out"
  for file in "$bundles"/deb/*_"$version"_*.deb "$bundles"/rpm/*-"$version"-*.rpm; do
    [ -e "$file" ] || continue
    case "$file" in
      *.deb) name="$(dpkg-deb -f "$file" Package)_${version}_$(dpkg-deb -f "$file" Architecture).deb" ;;
      *.rpm) name="ordinavo-customer-portal-${file##*/Ordinavo Customer Portal-}" ;;
    esac
    cp "$file" "$out/$name"
    cp "$file.sig" "$out/$name.sig"
  done
}

# The debug build the tests run, packaged as it is (tauri bundle reuses target/debug; tauri build
# --debug would compile again with tauri/custom-protocol, a second full build).
test_packages() {
  local out="$target/test-packages" keys="$target/test-packages/keys"
  local version next
  version=$(workspace_version)
  next=$(echo "$version" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')
  mkdir -p "$keys"
  if [ ! -s "$keys/updater.key" ] || [ ! -s "$keys/updater.key.pub" ]; then
    rm -f "$keys/updater.key" "$keys/updater.key.pub"
    (cd "$root/ui" && "$tauri" signer generate --ci --password "" --write-keys "$keys/updater.key") >/dev/null
  fi
  local pubkey config_current config_next
  pubkey=$(cat "$keys/updater.key.pub")
  config_current="{\"plugins\":{\"updater\":{\"pubkey\":\"$pubkey\"}}}"
  config_next="{\"version\":\"$next\",\"plugins\":{\"updater\":{\"pubkey\":\"$pubkey\"}}}"
  export TAURI_SIGNING_PRIVATE_KEY="$keys/updater.key" TAURI_SIGNING_PRIVATE_KEY_PASSWORD=""
  # N+1 first, then N, so target/debug ends with the binary every other test runs.
  build_test_package "$config_next" "$next" "$out/next" >&2
  build_test_package "$config_current" "$version" "$out/current" >&2
  echo "$config_current"
}

build_test_package() {
  local config=$1 version=$2 dir=$3 started=$SECONDS
  (cd "$root" && TAURI_CONFIG="$config" cargo build --workspace --bins --locked)
  rm -rf "$target/debug/bundle/deb"
  (cd "$root/src-tauri" && "$tauri" bundle --ci --debug --bundles deb --config "$config")
  rm -rf "$dir"
  collect "$target/debug/bundle" "$version" "$dir"
  echo "test package $version in $dir ($((SECONDS - started)) s):"
  ls -l "$dir"
}

case "${1:-release}" in
  release) shift || true; release "$@" ;;
  test) test_packages ;;
  *) echo "usage: scripts/package.sh [test]" >&2; exit 2 ;;
esac
