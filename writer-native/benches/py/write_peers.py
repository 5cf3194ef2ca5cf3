"""Writes Parquet input files into an existing table with a peer and reports the time.

usage: write_peers.py pypaimon-rust|pypaimon WAREHOUSE DB.TABLE FILE...
prints {"seconds": ..., "rows": ...}; reading the input is not timed.
"""
import json
import sys
import time

import pyarrow.parquet as pq


def main():
    mode, warehouse, ident, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    tables = [pq.read_table(f) for f in files]
    rows = sum(t.num_rows for t in tables)
    if mode == "pypaimon-rust":
        from pypaimon_rust.datafusion import PaimonCatalog
        table = PaimonCatalog({"warehouse": warehouse}).get_table(ident)
        started = time.perf_counter()
        builder = table.new_batch_write_builder()
        write = builder.new_write()
        for t in tables:
            for batch in t.to_batches(max_chunksize=65536):
                write.write_arrow(batch)
        messages = write.prepare_commit()
        commit = builder.new_commit()
        commit.commit(messages)
        write.close()
        commit.close()
    else:
        from pypaimon import CatalogFactory
        table = CatalogFactory.create({"warehouse": warehouse}).get_table(ident)
        started = time.perf_counter()
        builder = table.new_batch_write_builder()
        write = builder.new_write()
        for t in tables:
            write.write_arrow(t)
        commit = builder.new_commit()
        commit.commit(write.prepare_commit())
        write.close()
        commit.close()
    print(json.dumps({"seconds": time.perf_counter() - started, "rows": rows}))


if __name__ == "__main__":
    main()
