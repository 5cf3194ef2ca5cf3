#!/usr/bin/env bash
# Strata's main job on the local filesystem, with no services to start: ingest a bundled
# Debezium sample (examples/debezium-orders.jsonl) through `strata ingest --file`, compact,
# then query the table natively and from Node through the npm package.
#
# Usage: scripts/quickstart.sh [TABLE_DIR]   (default: a fresh temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
step() { printf '\n==> %s\n' "$*"; }

# The table directory: a new one, never a place that already holds files (the quickstart
# deletes nothing, and ingest creates the table there).
TABLE="${1:-$(mktemp -d)/orders}"
if [ -e "$TABLE" ] && [ -n "$(ls -A "$TABLE" 2>/dev/null || echo not-a-directory)" ]; then
  echo "quickstart: $TABLE already exists and is not an empty directory; pass a new path" >&2
  exit 2
fi

# scripts/test.sh runs this with STRATA_PROFILE=dev to reuse the test build.
PROFILE="${STRATA_PROFILE:-release}"
step "build the strata binary ($PROFILE)"
# Cargo's own progress shows on a terminal; the first build takes a few minutes.
cargo build --profile "$PROFILE" -p strata-writer --bin strata
if [ "$PROFILE" = dev ]; then STRATA="$CARGO_TARGET_DIR/debug/strata"; else STRATA="$CARGO_TARGET_DIR/$PROFILE/strata"; fi


step "strata ingest: 300 Debezium events (inserts, updates, deletes) into $TABLE"
"$STRATA" ingest "$TABLE" --format debezium-json --file examples/debezium-orders.jsonl \
  --create-if-missing --primary-key id --bucket 2 --option changelog-producer=input

step "strata compact --full"
"$STRATA" compact "$TABLE" --full
"$STRATA" snapshots "$TABLE"

step "strata scan (native): orders of customer 'ada' with qty >= 40"
"$STRATA" scan "$TABLE" --filter "customer = 'ada' AND qty >= 40" --output table --limit 10
echo "rows in the table: $("$STRATA" scan "$TABLE" | wc -l)"

step "strata diff: the changelog of the first commit, by kind"
"$STRATA" diff "$TABLE" --from 0 --to 1 --columns id | grep -o '"_kind":"[^"]*"' | sort | uniq -c

step "from Node through the npm package (strata-reader): build it, then query the same table"
echo "(the first time this installs wasm-bindgen-cli, wasm-pack and the npm dependencies:"
echo " several minutes; each step is printed as it starts)"
LOG="$(mktemp)"
if ! bash scripts/wasm.sh build 2>&1 | tee "$LOG" | { grep --line-buffered -E '^==>' || true; }; then
  tail -n 40 "$LOG" >&2
  echo "the Wasm build failed (log above; full log: $LOG)" >&2
  exit 1
fi
rm -f "$LOG"
node npm/examples/query.mjs "$TABLE"
