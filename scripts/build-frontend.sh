#!/usr/bin/env bash
# Builds the SPA into frontend/dist with frontend/tools/build_spa.py (cargo, wasm-bindgen, wasm-opt,
# hashed names, SRI — what Trunk did, without Trunk's 7-minute source install), installing what is
# missing first (non-interactive, idempotent): the wasm32 target, the wasm-bindgen CLI of the exact
# version in frontend/Cargo.lock, and wasm-opt from npm's binaryen 132 (Debian's wasm-opt 108
# produces a wasm that breaks at load). Skips the build when dist/ is newer than every input
# (MVP_FRONTEND_FORCE=1 rebuilds anyway).
source "$(dirname "$0")/lib.sh"
FRONTEND="$ROOT/frontend"
cd "$FRONTEND"

BINARYEN_VERSION=132.0.0
TOOLS="${MVP_TOOLS_DIR:-$HOME/.cache/motovaultpro/tools}"

ensure_rust
export PATH="$HOME/.cargo/bin:$PATH"
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || { say "adding the wasm32 target"; rustup target add wasm32-unknown-unknown >/dev/null; }

WBG_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[ -n "$WBG_VERSION" ] || die "no wasm-bindgen in frontend/Cargo.lock"
if ! { have wasm-bindgen && wasm-bindgen --version | grep -q " $WBG_VERSION\$"; }; then
  say "installing wasm-bindgen-cli $WBG_VERSION"
  # Without --locked: its lockfile pins a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --quiet
fi

have npm || apt_ensure nodejs npm
if ! "$TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version_${BINARYEN_VERSION%%.*}"; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-save --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION" >/dev/null
fi
export PATH="$TOOLS/node_modules/.bin:$PATH"
have python3 || apt_ensure python3

if [ -z "${MVP_FRONTEND_FORCE:-}" ] && [ -f dist/index.html ] \
   && [ -z "$(find src tools index.html style.css favicon.svg Cargo.toml Cargo.lock \
                 "$ROOT/crates/types/src" "$ROOT/crates/types/Cargo.toml" -newer dist/index.html -print -quit)" ]; then
  say "the SPA in frontend/dist is up to date"
  exit 0
fi

say "building the SPA (tools/build_spa.py: cargo build --release, wasm-bindgen, wasm-opt -Oz)"
export CARGO_TARGET_DIR="${MVP_FRONTEND_TARGET_DIR:-$HOME/.cache/motovaultpro/target-frontend}"
cargo fetch --locked --quiet
python3 tools/build_spa.py --dist dist >/dev/null
# Precompressed copies: the backend's single-binary mode serves `x.gz` to clients that accept gzip.
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) \
  -exec gzip -9 -k -f {} \;
wasm="$(ls dist/*.wasm)"
say "frontend/dist: $(du -k "$wasm" | cut -f1) KB wasm ($(gzip -9c "$wasm" | wc -c | awk '{printf "%d", $1/1024}') KB gzip)"
