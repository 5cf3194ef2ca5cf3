"""Writes the merge-read benchmark table with pypaimon.

A primary-key table (id BIGINT, v1 BIGINT, v2 DOUBLE, s STRING), `bucket` buckets, written in
`runs` commits of `rows // runs` rows each whose keys overlap, so every bucket holds `runs`
overlapping sorted runs (level-0 files) that a read must merge.

usage: gen_merge_table.py WAREHOUSE ROWS RUNS BUCKETS [FORMAT]

FORMAT is the table's file.format: parquet (the default), orc or avro.
"""
import sys
import time

import numpy as np
import pyarrow as pa
from pypaimon import CatalogFactory, Schema


def main():
    warehouse, rows, runs, buckets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    fmt = sys.argv[5] if len(sys.argv) > 5 else "parquet"
    catalog = CatalogFactory.create({"warehouse": warehouse})
    catalog.create_database("bench", True)
    arrow_schema = pa.schema([
        pa.field("id", pa.int64(), nullable=False),
        pa.field("v1", pa.int64()),
        pa.field("v2", pa.float64()),
        pa.field("s", pa.string()),
    ])
    schema = Schema.from_pyarrow_schema(
        arrow_schema, primary_keys=["id"],
        options={"bucket": str(buckets), "file.format": fmt, "target-file-size": "1 gb"})
    catalog.create_table("bench.merge", schema, True)
    table = catalog.get_table("bench.merge")
    per_run = rows // runs
    key_space = per_run * 2
    rng = np.random.default_rng(42)
    started = time.time()
    for run in range(runs):
        ids = rng.choice(key_space, size=per_run, replace=False).astype(np.int64)
        batch = pa.table({
            "id": ids,
            "v1": np.arange(per_run, dtype=np.int64) + run * per_run,
            "v2": rng.random(per_run),
            "s": pa.array([f"r{run}-{i % 1000}" for i in range(per_run)]),
        }, schema=arrow_schema)
        builder = table.new_batch_write_builder()
        writer = builder.new_write()
        writer.write_arrow(batch)
        commit = builder.new_commit()
        commit.commit(writer.prepare_commit())
        writer.close()
        commit.close()
        print(f"run {run}: {per_run} rows, {time.time() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
