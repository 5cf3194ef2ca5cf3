#!/usr/bin/env bash
# Runs Strata's benchmarks against their peers, side by side, and prints Markdown tables for
# BENCHMARKS.md. Installs the peers (pypaimon, pypaimon-rust) into venvs under
# $STRATA_CACHE and generates the benchmark tables once (pypaimon writes them: slow, cached).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${STRATA_CACHE:-$HOME/.cache/strata}"
export STRATA_CACHE="$CACHE"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"

[ -x "$CACHE/venv/bin/python" ] || { python3 -m venv "$CACHE/venv"; "$CACHE/venv/bin/pip" install -q -r tests/compat/py/requirements.txt; }
if [ ! -x "$CACHE/bench-venv/bin/python" ]; then
  python3 -m venv "$CACHE/bench-venv"
  "$CACHE/bench-venv/bin/pip" install -q 'pypaimon-rust==0.4.0' 'pyarrow==19.0.1'
fi

ROWS="${STRATA_BENCH_ROWS:-10000000}"
WH="$CACHE/bench/merge-$((ROWS / 1000000))m"
if [ ! -d "$WH/bench.db/merge/snapshot" ]; then
  rm -rf "$WH"
  "$CACHE/venv/bin/python" core/benches/py/gen_merge_table.py "$WH" "$ROWS" 5 4
fi
cargo bench -p strata-core --bench merge_read -- "$WH"
# The same merge over ORC and over Avro data files (2 million rows each, like the Wasm bench's
# Parquet table), against the Parquet table of that size.
for fmt in parquet orc avro; do
  W="$CACHE/bench/merge-2m$([ "$fmt" = parquet ] || echo "-$fmt")"
  if [ ! -d "$W/bench.db/merge/snapshot" ]; then
    rm -rf "$W"
    "$CACHE/venv/bin/python" core/benches/py/gen_merge_table.py "$W" 2000000 5 4 "$fmt"
  fi
  cargo bench -p strata-core --features orc,avro --bench merge_read -- "$W"
done
cargo bench -p strata-writer --bench write
source scripts/tansu.sh
cargo bench -p strata-tests --bench ingest
cargo bench -p strata-tests --bench s3
