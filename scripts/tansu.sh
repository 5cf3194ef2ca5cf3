#!/usr/bin/env bash
# Installs the tansu Kafka-protocol broker (sqlite engine) under $STRATA_INFRA (default
# ~/.cache/strata-infra) unless it is already there, and exports STRATA_TANSU. Source it.
# A cold build takes about 15 minutes on a 2-core machine; its own target directory keeps it
# from touching Strata's build cache.
INFRA="${STRATA_INFRA:-$HOME/.cache/strata-infra}"
export STRATA_TANSU="$INFRA/bin/tansu"
if [ ! -x "$STRATA_TANSU" ]; then
  CARGO_TARGET_DIR="$INFRA/target" cargo install tansu --version 0.6.0 --locked \
    --no-default-features --features libsql --root "$INFRA"
  rm -rf "$INFRA/target"
fi
