"""Dump every Paimon table of a warehouse to one JSON file (read-only).

Usage: dump_tables.py WAREHOUSE_DIR OUT_JSON

Walks WAREHOUSE_DIR/*.db/* and, for each table, records its schema, snapshot,
tag and consumer JSON, the hint files, every Avro file in ``manifest/`` (raw
records, BinaryRows decoded with pypaimon's ``GenericRowDeserializer``, and
what pypaimon's own manifest readers return), the HASH index files, the
bucket-key values of every bucketed data file, and a pypaimon batch read of
the latest snapshot. It never writes into the warehouse, so it also works on
a copy whose manifests another writer replaced.

Also per table (dump_reads.py): "reads" (every snapshot, by
``scan.snapshot-id``), "tag_reads" (``scan.tag-name``), "timestamp_reads"
(``scan.timestamp-millis`` = each snapshot's timeMillis) and "incremental"
(``incremental-between-timestamp`` of consecutive snapshots, with a
``_kind`` row-kind column).

Datum conventions (shared with the Rust side) are implemented in ``datum``.
"""

import json
import math
import os
import re
import struct
import sys
from datetime import date, datetime, time, timedelta, timezone
from decimal import Context, Decimal

import fastavro
import pyarrow.parquet as pq

from pypaimon._version import VERSION
from pypaimon.data.timestamp import Timestamp
from pypaimon.manifest.manifest_file_manager import ManifestFileManager
from pypaimon.manifest.manifest_list_manager import ManifestListManager
from pypaimon.manifest.schema.simple_stats import SimpleStats
from pypaimon.schema.data_types import DataField
from pypaimon.table.file_store_table import FileStoreTable
from pypaimon.table.row.binary_row import BinaryRow
from pypaimon.table.row.generic_row import GenericRow, GenericRowDeserializer

EPOCH = datetime(1970, 1, 1)
EPOCH_DAY = date(1970, 1, 1)
DECIMAL_CTX = Context(prec=200)
INT_TYPES = ("TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT")
STRING_TYPES = ("CHAR", "VARCHAR", "STRING")
BINARY_TYPES = ("BINARY", "VARBINARY", "BYTES")


# ---------------------------------------------------------------- datums

def datum(value, type_json):
    """Convert one value of Paimon type ``type_json`` (schema-file JSON: a type
    string or a dict) to the shared JSON datum convention."""
    if value is None:
        return None
    if isinstance(type_json, dict):
        kind = type_json["type"].split()[0].upper()
        if kind == "ARRAY":
            return [datum(v, type_json["element"]) for v in value]
        if kind == "MAP":
            items = value.items() if isinstance(value, dict) else value
            return [[datum(k, type_json["key"]), datum(v, type_json["value"])] for k, v in items]
        if kind == "ROW":
            sub = type_json["fields"]
            if isinstance(value, dict):
                return [datum(value.get(f["name"]), f["type"]) for f in sub]
            return [datum(v, f["type"]) for v, f in zip(value, sub)]
        raise ValueError(f"unsupported type {type_json}")
    text = type_json.upper().replace("NOT NULL", "").strip()
    base = re.split(r"[ (]", text)[0]
    if base == "BOOLEAN":
        return bool(value)
    if base in INT_TYPES:
        return int(value)
    if base in ("FLOAT", "DOUBLE"):
        value = float(value)
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if base in STRING_TYPES:
        return str(value)
    if base in BINARY_TYPES:
        return {"hex": bytes(value).hex()}
    if base in ("DECIMAL", "NUMERIC", "DEC"):
        params = re.findall(r"\d+", text)
        scale = int(params[1]) if len(params) > 1 else 0
        return {"unscaled": str(int(Decimal(value).scaleb(scale, DECIMAL_CTX)))}
    if base == "DATE":
        return {"days": value if isinstance(value, int) else (value - EPOCH_DAY).days}
    if base == "TIME":
        if isinstance(value, time):
            value = ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 \
                + value.microsecond // 1000
        return {"millis_of_day": int(value)}
    if base.startswith("TIMESTAMP"):
        return {"micros": timestamp_micros(value)}
    raise ValueError(f"unsupported type {type_json}")


def timestamp_micros(value):
    if isinstance(value, Timestamp):
        return value.to_micros()
    if type(value).__name__ == "Timestamp" and hasattr(value, "value"):  # pandas
        return value.value // 1000
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return (value - EPOCH) // timedelta(microseconds=1)


def raw(obj):
    """Avro record (as fastavro returns it) -> JSON."""
    if isinstance(obj, dict):
        return {k: raw(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [raw(v) for v in obj]
    if isinstance(obj, bytes):
        return {"hex": obj.hex()}
    if isinstance(obj, datetime):  # timestamp-millis; naive means UTC
        aware = obj if obj.tzinfo else obj.replace(tzinfo=timezone.utc)
        return {"ts_millis": (aware - EPOCH.replace(tzinfo=timezone.utc)) // timedelta(milliseconds=1)}
    return obj


def json_text(value):
    """Compact JSON text (as serde_json writes it); the sort key for rows."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def field_type(field):
    """DataField or schema-JSON field -> type JSON."""
    return field["type"] if isinstance(field, dict) else field.type.to_dict()


def row_json(row, fields=None):
    """GenericRow / BinaryRow -> ROW (list of datums), or {"error": ...}."""
    try:
        fields = row.fields if fields is None else fields
        if isinstance(row, BinaryRow):
            values = [row.get_field(i) for i in range(len(row))]
        else:
            values = list(row.values)
        if len(values) != len(fields):
            raise ValueError(f"row arity {len(values)} != {len(fields)} fields")
        return [datum(v, field_type(f)) for v, f in zip(values, fields)]
    except Exception as e:  # noqa: BLE001 - report, don't abort the dump
        return {"error": f"{type(e).__name__}: {e}"}


def decode_row(data, fields):
    """Serialized BinaryRow bytes -> ROW, decoded by pypaimon's deserializer."""
    try:
        if len(data) >= 4 and int.from_bytes(data[:4], "big") != len(fields):
            raise ValueError(f"arity {int.from_bytes(data[:4], 'big')} != {len(fields)} fields")
        dfs = [DataField.from_dict(f) for f in fields]
        return row_json(GenericRowDeserializer.from_bytes(data, dfs), fields)
    except Exception as e:  # noqa: BLE001
        return {"error": f"{type(e).__name__}: {e}"}


def decode_stats(stats, fields):
    if stats is None:  # old Java files may wrap stats in ["null", record]
        return None
    return {"min": decode_row(stats["_MIN_VALUES"], fields),
            "max": decode_row(stats["_MAX_VALUES"], fields),
            "null_counts": stats["_NULL_COUNTS"]}


def pypaimon_json(obj):
    """A pypaimon manifest object -> JSON of its attributes."""
    if isinstance(obj, (GenericRow, BinaryRow)):
        return row_json(obj)
    if isinstance(obj, SimpleStats):
        return {"min": row_json(obj.min_values), "max": row_json(obj.max_values),
                "null_counts": obj.null_counts}
    if isinstance(obj, Timestamp):
        out = {"ts_millis": obj.get_millisecond()}
        if obj.get_nano_of_millisecond():
            out["nanos_of_milli"] = obj.get_nano_of_millisecond()
        return out
    if isinstance(obj, (list, tuple)):
        return [pypaimon_json(v) for v in obj]
    if isinstance(obj, (bytes, datetime)):
        return raw(obj)
    if isinstance(obj, dict):
        return {str(k): pypaimon_json(v) for k, v in obj.items()}
    if hasattr(obj, "__dict__"):
        return {k: pypaimon_json(v) for k, v in vars(obj).items() if not k.startswith("_")}
    return obj


# ---------------------------------------------------------------- schema helpers

def nullable(field):
    t = field["type"]
    if isinstance(t, str):
        t = t.replace(" NOT NULL", "")
    else:
        t = dict(t, type=t["type"].replace(" NOT NULL", ""))
    return dict(field, type=t)


def by_name(schema, names):
    index = {f["name"]: f for f in schema["fields"]}
    return [index[n] for n in names]


def partition_fields(schema):
    return by_name(schema, schema["partitionKeys"])


def trimmed_pk(schema):
    return [n for n in schema["primaryKeys"] if n not in schema["partitionKeys"]]


def value_stats_fields(schema, cols):
    fields = schema["fields"] if cols is None else by_name(schema, cols)
    return [nullable(f) for f in fields]


# ---------------------------------------------------------------- files

def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def numbered(directory, prefix):
    """[(n, path)] for files ``<prefix><n>`` in directory, sorted by n."""
    if not os.path.isdir(directory):
        return []
    out = [(int(n[len(prefix):]), os.path.join(directory, n)) for n in os.listdir(directory)
           if n.startswith(prefix) and n[len(prefix):].isdigit()]
    return sorted(out)


def named(directory, prefix):
    if not os.path.isdir(directory):
        return []
    return [(n[len(prefix):], os.path.join(directory, n)) for n in sorted(os.listdir(directory))
            if n.startswith(prefix)]


def hint(path):
    try:
        with open(path, encoding="utf-8") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def read_avro(path):
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        meta = reader.metadata
        records = list(reader)
    codec = meta.get("avro.codec")
    return {"file": os.path.basename(path),
            "codec": codec.decode() if isinstance(codec, bytes) else codec,
            "writer_schema": json.loads(meta["avro.schema"])}, records


def safely(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - a reader failure is a result, not a crash
        return {"error": f"{type(e).__name__}: {e}"}


# ---------------------------------------------------------------- table dump

def dump_manifest(path, records, schemas, table):
    def decode(rec):
        f = rec["_FILE"]
        schema = schemas[f["_SCHEMA_ID"]]
        keys = by_name(schema, trimmed_pk(schema))
        return {
            "partition": decode_row(rec["_PARTITION"], partition_fields(schema)),
            "min_key": decode_row(f["_MIN_KEY"], keys),
            "max_key": decode_row(f["_MAX_KEY"], keys),
            "key_stats": decode_stats(f["_KEY_STATS"], [nullable(k) for k in keys]),
            "value_stats": decode_stats(f["_VALUE_STATS"], value_stats_fields(
                schema, f.get("_VALUE_STATS_COLS"))),
        }
    decoded = [safely(lambda rec=rec: decode(rec)) for rec in records]
    name = os.path.basename(path)
    return decoded, safely(lambda: pypaimon_json(
        ManifestFileManager(table).read(name, drop_stats=False)))


def dump_manifest_list(path, records, latest_schema, table):
    fields = [nullable(f) for f in partition_fields(latest_schema)]
    decoded = [{"partition_stats": decode_stats(r["_PARTITION_STATS"], fields)} for r in records]
    name = os.path.basename(path)
    return decoded, safely(lambda: pypaimon_json(ManifestListManager(table).read(name)))


def locate_data_files(table_dir):
    """file name -> (partition_dir, bucket) for files under .../bucket-<n>/."""
    found = {}
    for root, _dirs, files in os.walk(table_dir):
        rel = os.path.relpath(root, table_dir)
        leaf = os.path.basename(rel)
        if not leaf.startswith("bucket-"):
            continue
        part = os.path.dirname(rel)
        for name in files:
            found[name] = os.path.join(root, name), part
    return found


def read_data_file(path):
    """A data file's columns (name -> values), by pyarrow for Parquet and ORC and by
    fastavro for Avro."""
    if path.endswith(".avro"):
        import fastavro
        with open(path, "rb") as f:
            records = list(fastavro.reader(f))
        names = records[0].keys() if records else []
        return {n: [r[n] for r in records] for n in names}
    if path.endswith(".orc"):
        import pyarrow.orc as po
        return po.ORCFile(path).read().to_pydict()
    return pq.ParquetFile(path).read().to_pydict()


def bucket_key_rows(path, schema):
    if path is None:
        raise FileNotFoundError("data file not found under any bucket-<n> directory")
    keys = schema["options"].get("bucket-key")
    names = [k.strip() for k in keys.split(",")] if keys else trimmed_pk(schema)
    data = read_data_file(path)
    cols = [f"_KEY_{n}" if f"_KEY_{n}" in data else n for n in names]
    types = [f["type"] for f in by_name(schema, names)]
    return [[datum(v, t) for v, t in zip(vals, types)] for vals in zip(*(data[c] for c in cols))]


def dump_data_files(table_dir, manifest_records, schemas):
    located = locate_data_files(table_dir)
    out, seen = [], set()
    for rec in manifest_records:
        f = rec["_FILE"]
        total = rec.get("_TOTAL_BUCKETS")
        if rec["_KIND"] != 0 or total is None or total <= 0 or f["_FILE_NAME"] in seen:
            continue
        seen.add(f["_FILE_NAME"])
        path, part = located.get(f["_FILE_NAME"], (f.get("_EXTERNAL_PATH"), None))
        entry = {"partition_dir": part, "bucket": rec["_BUCKET"], "file": f["_FILE_NAME"],
                 "total_buckets": total}
        entry["bucket_key_rows"] = safely(lambda: bucket_key_rows(path, schemas[f["_SCHEMA_ID"]]))
        out.append(entry)
    return sorted(out, key=lambda e: (e["partition_dir"] or "", e["bucket"], e["file"]))


def dump_hash_indexes(table_dir, index_records):
    out = {}
    for rec in index_records:
        if rec["_INDEX_TYPE"] != "HASH" or rec["_FILE_NAME"] in out:
            continue
        path = rec.get("_EXTERNAL_PATH") or os.path.join(table_dir, "index", rec["_FILE_NAME"])

        def ints(path=path):
            with open(path, "rb") as fh:
                data = fh.read()
            return list(struct.unpack(f">{len(data) // 4}i", data[:len(data) // 4 * 4]))
        out[rec["_FILE_NAME"]] = {"file": rec["_FILE_NAME"], "ints": safely(ints)}
    return [out[k] for k in sorted(out)]


def dump_read(table, latest_id, latest_schema):
    builder = table.new_read_builder()
    if latest_id is None:
        # No snapshot yet: still have pypaimon open the table and derive its read schema.
        from pypaimon.schema.data_types import PyarrowFieldParser
        arrow = PyarrowFieldParser.from_paimon_schema(builder.read_type())
        return {"snapshot": None, "columns": arrow.names, "rows": []}
    splits = builder.new_scan().plan().splits()
    result = builder.new_read().to_arrow(splits)
    types = {f["name"]: f["type"] for f in latest_schema["fields"]}
    columns = result.column_names if result is not None else [f["name"] for f in latest_schema["fields"]]
    data = result.to_pylist() if result is not None else []
    rows = [[datum(r[c], types[c]) if c in types else raw(r[c]) for c in columns] for r in data]
    return {"snapshot": latest_id, "columns": columns,
            "rows": sorted(rows, key=json_text)}


def dump_table(warehouse, table_dir):
    sub = lambda *p: os.path.join(table_dir, *p)  # noqa: E731
    schemas = {n: read_json(p) for n, p in numbered(sub("schema"), "schema-")}
    latest_schema = schemas[max(schemas)]
    snapshots = numbered(sub("snapshot"), "snapshot-")
    latest_id = snapshots[-1][0] if snapshots else None
    table = FileStoreTable.from_path(table_dir)

    lists, manifests, index_manifests = [], [], []
    manifest_records, index_records = [], []
    mdir = sub("manifest")
    for name in sorted(os.listdir(mdir)) if os.path.isdir(mdir) else []:
        path = os.path.join(mdir, name)
        if name.endswith(".sidecar") or name.startswith(".") or not name.startswith(
                ("manifest-", "index-manifest-")):
            continue
        try:
            info, records = read_avro(path)
        except Exception as e:  # noqa: BLE001 - an unreadable file is a result
            bad = {"file": name, "error": f"{type(e).__name__}: {e}"}
            (index_manifests if name.startswith("index-") else
             lists if name.startswith("manifest-list-") else manifests).append(bad)
            continue
        if name.startswith("index-manifest-"):
            index_records += records
            index_manifests.append(dict(info, records=raw(records)))
        elif name.startswith("manifest-list-"):
            decoded, pyp = dump_manifest_list(path, records, latest_schema, table)
            lists.append(dict(info, records=raw(records), decoded=decoded, pypaimon=pyp))
        elif name.startswith("manifest-"):
            manifest_records += records
            decoded, pyp = dump_manifest(path, records, schemas, table)
            manifests.append(dict(info, records=raw(records), decoded=decoded, pypaimon=pyp))

    snapshot_jsons = [(n, read_json(p)) for n, p in snapshots]
    tag_jsons = [(n, read_json(p)) for n, p in named(sub("tag"), "tag-")]
    import dump_reads  # here, not at the top: dump_reads imports this module
    out = {
        "name": os.path.basename(table_dir),
        "path": os.path.relpath(table_dir, warehouse),
        "schemas": [{"id": n, "json": s} for n, s in sorted(schemas.items())],
        "snapshots": [{"id": n, "json": read_json(p)} for n, p in snapshots],
        "latest_hint": hint(sub("snapshot", "LATEST")),
        "earliest_hint": hint(sub("snapshot", "EARLIEST")),
        "tags": [{"name": n, "json": read_json(p)} for n, p in named(sub("tag"), "tag-")],
        "consumers": [{"id": n, "json": read_json(p)}
                      for n, p in named(sub("consumer"), "consumer-")],
        "manifest_lists": lists,
        "manifests": manifests,
        "index_manifests": index_manifests,
        "hash_index_files": dump_hash_indexes(table_dir, index_records),
        "data_files": dump_data_files(table_dir, manifest_records, schemas),
        "read": safely(lambda: dump_read(table, latest_id, latest_schema)),
    }
    out.update(dump_reads.dump_reads(table, schemas, snapshot_jsons, tag_jsons))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: dump_tables.py WAREHOUSE_DIR OUT_JSON")
    warehouse, out_path = os.path.abspath(sys.argv[1]), sys.argv[2]
    tables = []
    for db in sorted(os.listdir(warehouse)):
        db_dir = os.path.join(warehouse, db)
        if not db.endswith(".db") or not os.path.isdir(db_dir):
            continue
        for name in sorted(os.listdir(db_dir)):
            if os.path.isdir(os.path.join(db_dir, name, "schema")):
                tables.append(dump_table(warehouse, os.path.join(db_dir, name)))
    doc = {"pypaimon_version": VERSION, "tables": tables}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, allow_nan=False, ensure_ascii=False)


if __name__ == "__main__":
    main()
