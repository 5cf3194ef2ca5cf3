"""Helpers shared by the table generators (gen_tables.py, tables_engines.py).

Every commit goes through ``write``, which also feeds the plain-Python model
(``model.MODEL``) with exactly the rows handed to pypaimon.
"""

import time
from datetime import datetime, timezone

import pyarrow as pa

from pypaimon import Schema
from pypaimon.schema.data_types import DataField, DataTypeParser, PyarrowFieldParser

from model import MODEL

DB = "db"

# Pause after every commit so that no two snapshots of a table share a
# timeMillis (timestamp time travel and incremental-between-timestamp need
# distinct times). It changes no data.
COMMIT_PAUSE_S = 0.002


def fields(*specs):
    """Build DataFields from (name, type) pairs; type is Paimon schema JSON.

    Ids are assigned in order; nested ROW fields take ids right after their
    parent, as Java and pypaimon do.
    """
    out, next_id = [], 0
    for name, type_json in specs:
        field_id = next_id
        next_id += 1
        if isinstance(type_json, dict) and type_json["type"].startswith("ROW"):
            nested = []
            for sub_name, sub_type in type_json["fields"]:
                nested.append({"id": next_id, "name": sub_name, "type": sub_type})
                next_id += 1
            type_json = dict(type_json, fields=nested)
        out.append(DataField(field_id, name, DataTypeParser.parse_data_type(type_json)))
    return out


def create(catalog, name, field_list, partition_keys=(), primary_keys=(), **options):
    options = {k: str(v) for k, v in options.items()}
    schema = Schema(field_list, list(partition_keys), list(primary_keys), options)
    catalog.create_table(f"{DB}.{name}", schema, False)
    return catalog.get_table(f"{DB}.{name}")


def write(table, rows, overwrite=None, sleep=COMMIT_PAUSE_S):
    """One batch write + commit of ``rows`` (list of dicts) = one snapshot.

    ``table`` may be a ``copy`` with writer-side option overrides; the model
    takes the merge semantics from the schema on disk and only the overwrite
    mode and the write-time row filter from ``table``.
    """
    builder = table.new_batch_write_builder()
    if overwrite is not None:
        builder.overwrite(overwrite)
    writer = builder.new_write()
    committer = builder.new_commit()
    arrow_schema = PyarrowFieldParser.from_paimon_schema(table.table_schema.fields)
    writer.write_arrow(pa.Table.from_pylist(rows, schema=arrow_schema))
    committer.commit(writer.prepare_commit())
    writer.close()
    committer.close()
    MODEL.record(table, rows, overwrite)
    if sleep:
        time.sleep(sleep)


def rows(names, *values):
    return [dict(zip(names, v)) for v in values]


def ts(text):
    return datetime.fromisoformat(text)


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def parse_type(text):
    return DataTypeParser.parse_data_type(text)
