# The two commands: `make demo` and `make test`. Both install what is missing first.
.PHONY: deps ui build test demo openapi package

deps:
	scripts/install-deps.sh

# src-tauri embeds ui/dist at compile time, so every workspace build needs the UI first.
ui: deps
	cd ui && npm run build

build: ui
	cargo build --workspace --locked

test: ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cd ui && npm run check && npm test
	scripts/test.sh

demo: build
	scripts/demo.sh

# Signed .deb and .rpm of the release app in target/packages/, with the updater key in
# TAURI_SIGNING_PRIVATE_KEY (made by scripts/release-keys.sh).
package: ui
	scripts/package.sh

# Regenerates the checked-in OpenAPI documents after an API change.
openapi:
	UPDATE_OPENAPI=1 cargo test -p ordinavo-server --test api openapi
