"""Commit a deterministic stream of small changes to a primary-key table.

Usage: stream_writer.py TABLE_PATH N DELAY_MS OUT_JSON

TABLE_PATH is ``<warehouse>/<db>.db/<table>``. If no table exists there, one
is created: ``id BIGINT NOT NULL`` (primary key), ``v STRING``, ``rk STRING``
with ``rowkind.field=rk``, ``bucket=1``. An existing table must have a single
integer primary key; its first other STRING column (not the rowkind field)
receives the values and any further columns are written as null.

Then performs N commits, sleeping DELAY_MS between them. Commit i (from 1)
inserts two new keys, updates one live key and, when the table has a
``rowkind.field``, on even i deletes another live key. Keys are unique within
a commit, so each commit's level-0 file holds exactly these records.

OUT_JSON (rewritten after every commit) is
``{"commits": [{"snapshot": id, "rows": [[id, v, kind], ...]}, ...]}``: what
each commit wrote, rows sorted by id, kind ``+I``/``+U``/``-D`` as stored
(``+I`` for everything without a rowkind field). These are the changes a
streaming reader of the table's delta sees, snapshot by snapshot.
"""

import json
import os
import sys
import time

import pyarrow as pa

from pypaimon import CatalogFactory, Schema
from pypaimon.schema.data_types import DataField, DataTypeParser, PyarrowFieldParser
from pypaimon.table.file_store_table import FileStoreTable


def open_table(path):
    """(table, catalog or None): via the filesystem catalog when the path is
    ``<warehouse>/<db>.db/<name>``, creating the table if it is missing."""
    path = os.path.abspath(path)
    db_dir, name = os.path.split(path)
    warehouse, db_name = os.path.split(db_dir)
    if not db_name.endswith(".db"):
        return FileStoreTable.from_path(path)
    db = db_name[:-3]
    catalog = CatalogFactory.create({"warehouse": warehouse})
    if not os.path.isdir(os.path.join(path, "schema")):
        catalog.create_database(db, True)
        parse = DataTypeParser.parse_data_type
        fields = [DataField(0, "id", parse("BIGINT NOT NULL")), DataField(1, "v", parse("STRING")),
                  DataField(2, "rk", parse("STRING"))]
        schema = Schema(fields, [], ["id"], {"bucket": "1", "rowkind.field": "rk"})
        catalog.create_table(f"{db}.{name}", schema, True)
    return catalog.get_table(f"{db}.{name}")


def live_rows(table, pk, vcol):
    """{key: v} of the latest snapshot (batch read)."""
    if table.snapshot_manager().get_latest_snapshot() is None:
        return {}
    builder = table.new_read_builder()
    result = builder.new_read().to_arrow(builder.new_scan().plan().splits())
    if result is None:
        return {}
    return {r[pk]: (r[vcol] if vcol else None) for r in result.to_pylist()}


def plan_commit(i, live, next_id, can_delete):
    """[(key, v, kind)] for commit i; ``live`` is {key: v} before it."""
    changes = [(next_id, f"v{next_id}-c{i}", "+I"), (next_id + 1, f"v{next_id + 1}-c{i}", "+I")]
    keys = sorted(live)
    if keys:
        upd = keys[(i - 1) % len(keys)]
        changes.append((upd, f"v{upd}-c{i}", "+U"))
        if can_delete and i % 2 == 0 and len(keys) >= 2:
            gone = keys[i % len(keys)]
            if gone == upd:
                gone = keys[(i + 1) % len(keys)]
            changes.append((gone, live[gone], "-D"))
    return sorted(changes)


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: stream_writer.py TABLE_PATH N DELAY_MS OUT_JSON")
    path, n, delay_ms, out_path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    table = open_table(path)
    schema = table.table_schema
    if len(schema.primary_keys) != 1:
        sys.exit("stream_writer.py needs a table with a single primary-key column")
    pk = schema.primary_keys[0]
    kind_field = table.options.options.to_map().get("rowkind.field")
    def is_string(field):
        t = field.type.to_dict()
        return isinstance(t, str) and t.upper().split("(")[0].split(" ")[0] in ("STRING", "VARCHAR")
    vcol = next((f.name for f in schema.fields
                 if f.name not in (pk, kind_field) and is_string(f)), None)
    live = live_rows(table, pk, vcol)
    next_id = max(live, default=0) + 1
    arrow_schema = PyarrowFieldParser.from_paimon_schema(schema.fields)
    commits = []
    for i in range(1, n + 1):
        if i > 1 and delay_ms > 0:
            time.sleep(delay_ms / 1000)
        changes = plan_commit(i, live, next_id, kind_field is not None)
        next_id += 2
        batch = []
        for key, v, kind in changes:
            row = {f.name: None for f in schema.fields}
            row[pk] = key
            if vcol:
                row[vcol] = v
            if kind_field:
                row[kind_field] = kind
            batch.append(row)
        builder = table.new_batch_write_builder()
        writer, committer = builder.new_write(), builder.new_commit()
        writer.write_arrow(pa.Table.from_pylist(batch, schema=arrow_schema))
        committer.commit(writer.prepare_commit())
        writer.close()
        committer.close()
        for key, v, kind in changes:
            if kind == "-D":
                live.pop(key, None)
            else:
                live[key] = v
        snapshot = table.snapshot_manager().get_latest_snapshot()
        commits.append({"snapshot": snapshot.id,
                        "rows": [[k, v if vcol else None, kind if kind_field else "+I"]
                                 for k, v, kind in changes]})
        tmp = out_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"commits": commits}, f, indent=1)
        os.replace(tmp, out_path)


if __name__ == "__main__":
    main()
