#!/usr/bin/env bash
# The Wasm reader and the npm package: installs their tools (idempotently, cached outside the
# clone), builds reader-wasm into npm/pkg, and runs the package's Node and browser suites
# against tables written by pypaimon and by strata.
#
#   scripts/wasm.sh            install, build, test
#   scripts/wasm.sh build      install and build only
#
# STRATA_WASM_FEATURES (e.g. "orc,avro") builds the module with reader-wasm's optional
# features; the shipped module has none (BENCHMARKS.md gives the sizes).
#
# Called by scripts/test.sh (which sets up the pypaimon venv first). Honours $STRATA_CACHE and
# $CARGO_TARGET_DIR like test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
INFRA="${STRATA_INFRA:-$HOME/.cache/strata-infra}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export PATH="$INFRA/bin:$PATH"
export npm_config_cache="$CACHE/npm"
step() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "system packages for the Wasm reader (chromium, chromium-driver, node)"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
rustup target list --installed | grep -qx wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown

step "wasm-bindgen-cli at the crate's version, wasm-pack"
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$WB_VERSION" ]; then
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --root "$INFRA" --force
fi

WP_VERSION=0.15.1
if [ "$(wasm-pack --version 2>/dev/null | cut -d' ' -f2)" != "$WP_VERSION" ]; then
  cargo install wasm-pack --version "$WP_VERSION" --root "$INFRA" --force
fi

step "build reader-wasm (wasm-release profile) into npm/pkg"
# Checkouts sharing the target directory (a CI clone beside a working copy) share the
# uplifted strata_wasm.wasm, while cargo tracks each checkout's crates apart: a checkout
# whose crates are fresh could pick up the other's module. Relinking this one crate (its
# dependencies stay cached) makes the module this checkout's.
touch reader-wasm/src/lib.rs
cargo build -p strata-wasm --target wasm32-unknown-unknown --profile wasm-release \
  ${STRATA_WASM_FEATURES:+--features "$STRATA_WASM_FEATURES"}
WASM="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/strata_wasm.wasm"
rm -rf npm/pkg
wasm-bindgen --target web --out-dir npm/pkg --out-name strata_wasm --no-typescript "$WASM"
# Debian's binaryen (108) breaks wasm-bindgen's externref table; binaryen's npm build (a
# Wasm port, slower) is current. Its output is cached by the hash of its input and flags.
BINARYEN_VERSION=132.0.0
BINARYEN="$INFRA/binaryen-npm"
if [ "$(node -p "require('$BINARYEN/node_modules/binaryen/package.json').version" 2>/dev/null)" != "$BINARYEN_VERSION" ]; then
  mkdir -p "$BINARYEN"
  [ -f "$BINARYEN/package.json" ] || echo '{"private": true}' > "$BINARYEN/package.json"
  (cd "$BINARYEN" && npm install --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION")
fi
# zstd-sys's C shim (malloc, memcpy, qsort, ... in Rust) is exported from the cdylib like any
# `#[no_mangle]` function, which keeps its qsort (zstd's dictionary builder, never called
# when decoding: 32 KB) alive; nothing outside the module calls the shim, so its exports go
# before -Oz (the calls inside the module stay).
WASM_OPT_FLAGS=(--remove-exports '--pass-arg=remove-exports@rust_zstd_wasm_shim_*'
  -Oz --strip-producers --strip-target-features --enable-simd --enable-bulk-memory
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
  --enable-reference-types --enable-multivalue)
key="$( (cat npm/pkg/strata_wasm_bg.wasm; printf '%s\n' "${WASM_OPT_FLAGS[@]}") | sha256sum | cut -d' ' -f1)"
OPT="$CACHE/wasm-opt/$key.wasm"
if [ ! -f "$OPT" ]; then
  mkdir -p "$CACHE/wasm-opt"
  "$BINARYEN/node_modules/.bin/wasm-opt" "${WASM_OPT_FLAGS[@]}" -o "$OPT.tmp" npm/pkg/strata_wasm_bg.wasm
  mv "$OPT.tmp" "$OPT"
fi
cp "$OPT" npm/pkg/strata_wasm_bg.wasm
raw=$(stat -c %s npm/pkg/strata_wasm_bg.wasm)
gz=$(gzip -9 -c npm/pkg/strata_wasm_bg.wasm | wc -c)
echo "strata_wasm_bg.wasm: $raw bytes, $gz gzipped"

step "npm ci (npm/)"
STAMP="npm/node_modules/.lock.sha256"
want="$(sha256sum npm/package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  (cd npm && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$STAMP"
fi

[ "${1:-}" = build ] && exit 0

step "wasm-pack test --node and --headless --chrome (reader-wasm's own tests)"
# wasm-pack finds the wasm-bindgen-test-runner installed above (same version); the browser
# run needs the runner told to use a browser, and reader-wasm/webdriver.json points it at
# Debian's chromium.
wasm-pack test --node reader-wasm
WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" reader-wasm

step "test tables (pypaimon and strata)"
cargo build -p strata-writer --bin strata
export STRATA_BIN="$CARGO_TARGET_DIR/debug/strata"
export STRATA_PYTHON="${STRATA_PYTHON:-$CACHE/venv/bin/python}"
FIXTURES="$(mktemp -d)"
trap 'rm -rf "$FIXTURES"' EXIT
export STRATA_FIXTURES="$FIXTURES"
node npm/test/support/prepare.js "$FIXTURES"

step "S3-protocol server for the object-store suite (moto, PyPI)"
MOTO="$CACHE/moto"
MOTO_REQ="moto[s3]==5.2.5 flask==3.1.2 flask-cors==6.0.1"
if [ "$(cat "$MOTO/.requirements" 2>/dev/null)" != "$MOTO_REQ" ]; then
  rm -rf "$MOTO"
  python3 -m venv "$MOTO"
  # shellcheck disable=SC2086
  "$MOTO/bin/pip" install -q --disable-pip-version-check $MOTO_REQ
  echo "$MOTO_REQ" > "$MOTO/.requirements"
fi
export STRATA_MOTO="$MOTO/bin/moto_server"

step "node --test (npm/test)"
(cd npm && node --test --test-concurrency=1 test/*.test.js)
