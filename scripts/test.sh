#!/usr/bin/env bash
# Runs every Rust test on SQLite and on a fresh local PostgreSQL cluster (and the S3 blob
# store against a local S3 server), then fuzzes
# both APIs against the server binary those tests built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ORDINAVO_TEST_POSTGRES_URL=$(scripts/postgres.sh fresh)
export ORDINAVO_TEST_POSTGRES_URL
trap 'scripts/postgres.sh stop' EXIT
# The S3 blob store's tests run against a real S3-compatible server.
ORDINAVO_TEST_S3_URL=$(scripts/s3.sh start)
export ORDINAVO_TEST_S3_URL
trap 'scripts/s3.sh stop; scripts/postgres.sh stop' EXIT
# The desktop app's .deb of this version and of the next, from the debug app the tests run,
# signed with a throwaway key; the tests are built with the config it prints, so they reuse
# that build and the app accepts updates signed with that key.
TAURI_CONFIG=$(scripts/package.sh test)
export TAURI_CONFIG
# The desktop client tests need a display, a keyring and a notification daemon.
scripts/desktop-session.sh cargo test --workspace --locked
# About three minutes: no generated request may get a 5xx or an answer off the schema.
scripts/fuzz.sh
