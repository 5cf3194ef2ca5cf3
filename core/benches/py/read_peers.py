"""Reads a table with a peer implementation and reports time, rows and peak memory.

usage: read_peers.py pypaimon-rust|pypaimon WAREHOUSE DATABASE.TABLE
prints one JSON object: {"seconds": ..., "rows": ..., "peak_kb": ...}
"""
import json
import resource
import sys
import time


def read_pypaimon_rust(warehouse, ident):
    from pypaimon_rust.datafusion import PaimonCatalog
    table = PaimonCatalog({"warehouse": warehouse}).get_table(ident)
    builder = table.new_read_builder()
    started = time.perf_counter()
    splits = builder.new_scan().plan().splits()
    rows = 0
    for batch in builder.new_read().read_arrow(splits):
        rows += batch.num_rows
    return time.perf_counter() - started, rows


def read_pypaimon(warehouse, ident):
    from pypaimon import CatalogFactory
    table = CatalogFactory.create({"warehouse": warehouse}).get_table(ident)
    builder = table.new_read_builder()
    started = time.perf_counter()
    splits = builder.new_scan().plan().splits()
    reader = builder.new_read().to_arrow_batch_reader(splits)
    rows = 0
    for batch in reader:
        rows += batch.num_rows
    return time.perf_counter() - started, rows


def main():
    mode, warehouse, ident = sys.argv[1:4]
    fn = {"pypaimon-rust": read_pypaimon_rust, "pypaimon": read_pypaimon}[mode]
    seconds, rows = fn(warehouse, ident)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_kb": peak_kb}))


if __name__ == "__main__":
    main()
