"""Writes the upsert benchmark's input: ROWS rows over KEYS distinct keys, as Parquet files.

usage: gen_upserts.py OUT_DIR ROWS KEYS FILES
Columns: id BIGINT (the key), v1 BIGINT, v2 DOUBLE, s STRING.
"""
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def main():
    out, rows, keys, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    per = rows // files
    for f in range(files):
        ids = rng.integers(0, keys, size=per, dtype=np.int64)
        t = pa.table({
            "id": ids,
            "v1": np.arange(per, dtype=np.int64) + f * per,
            "v2": rng.random(per),
            "s": pa.array([f"s{i % 997}" for i in range(per)]),
        })
        pq.write_table(t, os.path.join(out, f"part-{f}.parquet"), compression="zstd")


if __name__ == "__main__":
    main()
