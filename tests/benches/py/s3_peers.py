"""Reads or writes a table on an S3-protocol server with paimon-rust (PyPI `pypaimon-rust`).

usage: s3_peers.py read  ENDPOINT WAREHOUSE DB.TABLE
       s3_peers.py read-projected ENDPOINT WAREHOUSE DB.TABLE     (columns id, v2, s)
       s3_peers.py write ENDPOINT WAREHOUSE DB.TABLE FILE...
ENDPOINT is `http://HOST:PORT` (path-style, plain HTTP, any keys: a loopback test server).
prints one JSON object: {"seconds": ..., "rows": ..., "peak_kb": ...}

The time covers everything that talks to the server: opening the catalog and the table, then
planning and reading every split (read), or writing and committing (write). Decoding the
write's Parquet input happens before the clock starts.
"""
import json
import resource
import sys
import time


def catalog(endpoint, warehouse):
    from pypaimon_rust.datafusion import PaimonCatalog
    # paimon-rust's S3 options (names as its FileIO reads them): plain HTTP follows from the
    # endpoint's scheme; path-style because the server has no virtual-host DNS.
    return PaimonCatalog({
        "warehouse": warehouse,
        "s3.endpoint": endpoint,
        "s3.access-key": "strata-test",
        "s3.secret-key": "strata-test-secret",
        "s3.region": "us-east-1",
        "s3.path-style-access": "true",
    })


def read(endpoint, warehouse, ident, columns=None):
    started = time.perf_counter()
    table = catalog(endpoint, warehouse).get_table(ident)
    builder = table.new_read_builder()
    if columns is not None:
        builder = builder.with_projection(columns)
    splits = builder.new_scan().plan().splits()
    rows = 0
    for batch in builder.new_read().read_arrow(splits):
        rows += batch.num_rows
    return time.perf_counter() - started, rows


def write(endpoint, warehouse, ident, files):
    import pyarrow.parquet as pq
    tables = [pq.read_table(f) for f in files]
    rows = sum(t.num_rows for t in tables)
    started = time.perf_counter()
    table = catalog(endpoint, warehouse).get_table(ident)
    builder = table.new_batch_write_builder()
    w = builder.new_write()
    for t in tables:
        for batch in t.to_batches(max_chunksize=65536):
            w.write_arrow(batch)
    messages = w.prepare_commit()
    commit = builder.new_commit()
    commit.commit(messages)
    w.close()
    commit.close()
    return time.perf_counter() - started, rows


def main():
    mode, endpoint, warehouse, ident = sys.argv[1:5]
    if mode == "read":
        seconds, rows = read(endpoint, warehouse, ident)
    elif mode == "read-projected":
        seconds, rows = read(endpoint, warehouse, ident, ["id", "v2", "s"])
    else:
        seconds, rows = write(endpoint, warehouse, ident, sys.argv[5:])
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_kb": peak_kb}))


if __name__ == "__main__":
    main()
