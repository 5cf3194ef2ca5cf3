"""Plain-Python model of what a correct Paimon batch read returns.

The generators call ``MODEL.record(table, rows, overwrite)`` after every
commit with exactly the rows they handed to pypaimon. The model keeps its own
state (never reading data back through pypaimon) and renders, for each new
snapshot, the rows a correct batch read of that snapshot returns, in the
datum JSON conventions of dump_tables.py, sorted by compact JSON text.

Semantics follow the Java implementation (format reference §7.2, §8.2, §8.3,
§12, §2.4):

- Each commit is one write buffer: records of one key are sorted by
  (``sequence.field`` values, arrival order) and folded with the table's merge
  function into one record per key (the level-0 file content).
- A read collects all records of a key (oldest first, same order) and merges
  them. As in Java's ``ReducerMergeFunctionWrapper`` a key with a single
  record is returned as is, merge function not called; results of kind -U/-D
  are dropped.
- Engines: deduplicate, partial-update (non-null overwrite, ``ignore-delete``,
  sequence groups), aggregation (sum, product, min, max, last_value,
  last_non_null_value, first_value, first_non_null_value, listagg, bool_and,
  bool_or, with retract where Java has it), first-row (batch reads skip level
  0 and every file pypaimon writes is level 0, so reads are empty).
- Overwrite: dynamic partition overwrite replaces the partitions present in
  the new rows; otherwise the static spec (or the whole table).
- Schema evolution: values are kept by field id; a snapshot is rendered with
  the schema it references, so renamed columns keep their values, dropped
  columns vanish, added (or re-added) columns read null for older rows.

Anything outside this raises ``ModelError``; the table is then left out of
the model and listed under ``excluded`` with the reason.
"""

import json
import os

from dump_tables import datum, json_text

KINDS = {"+I": 0, "-U": 1, "+U": 2, "-D": 3}
RETRACT = (1, 3)
IGNORE_DELETE_KEYS = ("ignore-delete", "first-row.ignore-delete",
                      "deduplicate.ignore-delete", "partial-update.ignore-delete")
UNSUPPORTED_OPTIONS = ("partial-update.remove-record-on-delete",
                       "partial-update.remove-record-on-sequence-group",
                       "aggregation.remove-record-on-delete", "deletion-vectors.enabled",
                       "fields.default-aggregate-function")


class ModelError(Exception):
    pass


def truthy(value):
    return value is not None and str(value).strip().lower() == "true"


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def utf8_key(value):
    return value.encode("utf-8") if isinstance(value, str) else value


# ---------------------------------------------------------------- aggregators

class Agg:
    """One field aggregator (Java ``FieldAggregator`` semantics)."""

    def __init__(self, name, field, opts):
        self.name = name
        self.delimiter = opts.get(f"fields.{field['name']}.list-agg-delimiter", ",")
        if truthy(opts.get(f"fields.{field['name']}.distinct")):
            raise ModelError(f"listagg/collect distinct on {field['name']}")
        self.initialized = False

    def reset(self):
        self.initialized = False

    def agg(self, acc, x):
        n = self.name
        if n == "primary-key" or n == "last_value":
            return x
        if n == "last_non_null_value":
            return acc if x is None else x
        if n == "first_value":
            if not self.initialized:
                self.initialized = True
                return x
            return acc
        if n == "first_non_null_value":
            if not self.initialized and x is not None:
                self.initialized = True
                return x
            return acc
        if n == "listagg":
            if x is None or not str(x).strip():
                return acc
            if acc is None or not str(acc).strip():
                return x
            return acc + self.delimiter + x
        if acc is None or x is None:
            return x if acc is None else acc
        if n == "sum":
            return acc + x
        if n == "product":
            return acc * x
        if n == "min":
            return x if utf8_key(x) < utf8_key(acc) else acc
        if n == "max":
            return x if utf8_key(x) > utf8_key(acc) else acc
        if n == "bool_and":
            return acc and x
        if n == "bool_or":
            return acc or x
        raise ModelError(f"aggregate function {n}")

    def retract(self, acc, x):
        n = self.name
        if n == "primary-key":
            return x
        if n == "sum":
            if acc is None or x is None:
                return -x if acc is None and x is not None else acc
            return acc - x
        if n == "last_value":
            return None
        if n == "last_non_null_value":
            return None if x is not None else acc
        raise ModelError(f"aggregate function {n} cannot retract")


# ---------------------------------------------------------------- semantics

class Semantics:
    """Merge semantics of one schema (schema-file JSON)."""

    def __init__(self, schema):
        self.schema = schema
        self.fields = schema["fields"]
        opts = self.opts = schema.get("options", {})
        by_name = {f["name"]: f for f in self.fields}
        self.by_name = by_name
        self.pk_ids = [by_name[n]["id"] for n in schema.get("primaryKeys", [])]
        self.part_ids = [by_name[n]["id"] for n in schema.get("partitionKeys", [])]
        self.engine = opts.get("merge-engine", "deduplicate")
        for key in UNSUPPORTED_OPTIONS:
            if truthy(opts.get(key)) or (key.startswith("fields.") and key in opts):
                raise ModelError(f"option {key}")
        if opts.get("bucket") == "-2":
            raise ModelError("postpone bucket")
        seq = opts.get("sequence.field")
        self.seq_ids = [by_name[n.strip()]["id"] for n in seq.split(",")] if seq else []
        if opts.get("sequence.field.sort-order", "ascending") != "ascending":
            raise ModelError("descending sequence.field")
        self.ignore_delete = any(truthy(opts.get(k)) for k in IGNORE_DELETE_KEYS)
        self.groups = []   # [(seq field ids, member field ids)]
        for key, value in opts.items():
            if key.startswith("fields.") and key.endswith(".aggregate-function") \
                    and self.engine != "aggregation":
                raise ModelError(f"{key} outside the aggregation engine")
            if key.endswith(".ignore-retract") and truthy(value):
                raise ModelError(key)
            if key.startswith("fields.") and key.endswith(".sequence-group"):
                seqs = key[len("fields."):-len(".sequence-group")].split(",")
                self.groups.append(([by_name[s.strip()]["id"] for s in seqs],
                                    [by_name[m.strip()]["id"] for m in value.split(",")]))
        if self.groups and self.engine != "partial-update":
            raise ModelError("sequence-group outside partial-update")
        if self.engine not in ("deduplicate", "partial-update", "aggregation", "first-row"):
            raise ModelError(f"merge-engine {self.engine}")

    # ---- records: {"seq": int, "kind": int, "vals": {field id: value}}

    def key(self, vals):
        return tuple(vals.get(i) for i in self.pk_ids)

    def order(self, rec):
        user = tuple(rec["vals"].get(i) for i in self.seq_ids)
        if any(v is None for v in user):
            raise ModelError("null sequence.field value")
        return user, rec["seq"]

    def merge(self, records):
        """Merge one key's records (any order); None means no row."""
        records = sorted(records, key=self.order)
        if len(records) == 1:          # ReducerMergeFunctionWrapper
            return records[0]
        return getattr(self, "merge_" + self.engine.replace("-", "_"))(records)

    def merge_deduplicate(self, records):
        if self.ignore_delete:
            records = [r for r in records if r["kind"] not in RETRACT]
        return records[-1] if records else None

    def merge_first_row(self, records):
        for r in records:
            if r["kind"] in RETRACT:
                if self.ignore_delete:
                    continue
                raise ModelError("retract input to first-row")
            return r
        return None

    def merge_partial_update(self, records):
        row, seen, grouped = {}, False, {}
        for seqs, members in self.groups:
            for m in members:
                grouped[m] = seqs
        seq_fields = {s for seqs, _ in self.groups for s in seqs}
        for r in records:
            vals = r["vals"]
            if r["kind"] in RETRACT:
                if self.ignore_delete:
                    continue
                if not self.groups:
                    raise ModelError("retract input to partial-update")
                raise ModelError("retract inside sequence groups")
            seen = True
            for f in self.fields:
                fid = f["id"]
                x = vals.get(fid)
                if fid in seq_fields:
                    continue
                if fid in grouped:
                    cur = tuple(vals.get(s) for s in grouped[fid])
                    prev = tuple(row.get(s) for s in grouped[fid])
                    if all(v is None for v in cur):
                        continue
                    if any(v is None for v in cur) and len(cur) > 1:
                        raise ModelError("partly null multi-field sequence group")
                    if all(v is None for v in prev) or cur >= prev:
                        row[fid] = x
                elif x is not None:
                    row[fid] = x
            for seqs, _ in self.groups:   # sequence fields advance only when greater
                cur = tuple(vals.get(s) for s in seqs)
                prev = tuple(row.get(s) for s in seqs)
                if not all(v is None for v in cur) and (all(v is None for v in prev) or cur > prev):
                    for s, v in zip(seqs, cur):
                        row[s] = v
        if not seen:
            return None
        return {"seq": records[-1]["seq"], "kind": 0, "vals": row}

    def aggregators(self):
        pks = set(self.schema.get("primaryKeys", []))
        seq_names = {f["name"] for f in self.fields if f["id"] in self.seq_ids}
        out = []
        for f in self.fields:
            if f["name"] in pks:
                name = "primary-key"
            elif f["name"] in seq_names:
                name = "last_value"
            else:
                name = self.opts.get(f"fields.{f['name']}.aggregate-function",
                                     "last_non_null_value")
            if name == "first_not_null_value":
                name = "first_non_null_value"
            out.append((f["id"], Agg(name, f, self.opts)))
        return out

    def merge_aggregation(self, records):
        aggs, row = self.aggregators(), {}
        for r in records:
            retract = r["kind"] in RETRACT
            for fid, agg in aggs:
                x = r["vals"].get(fid)
                row[fid] = agg.retract(row.get(fid), x) if retract else agg.agg(row.get(fid), x)
        return {"seq": records[-1]["seq"], "kind": 0, "vals": row}


# ---------------------------------------------------------------- tables

def numbered(directory, prefix):
    if not os.path.isdir(directory):
        return []
    return sorted(int(n[len(prefix):]) for n in os.listdir(directory)
                  if n.startswith(prefix) and n[len(prefix):].isdigit())


def partition_text(value):
    if value is None:
        return "__DEFAULT_PARTITION__"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    raise ModelError(f"static overwrite on partition value {value!r}")


class TableModel:
    def __init__(self, name, path):
        self.name, self.path = name, path
        self.schemas = {}
        self.seq = 0
        self.pk_state = {}       # key -> [record] (one folded record per commit)
        self.rows = []           # append tables: [(partition tuple, vals)]
        self.snapshots = {}      # id -> {"columns", "rows"}
        self.last_id = None

    def schema(self, schema_id):
        if schema_id not in self.schemas:
            path = os.path.join(self.path, "schema", f"schema-{schema_id}")
            self.schemas[schema_id] = Semantics(read_json(path))
        return self.schemas[schema_id]

    def apply(self, writer, rows, overwrite):
        ids = numbered(os.path.join(self.path, "snapshot"), "snapshot-")
        new_id = ids[-1] if ids else None
        if new_id is None or new_id == self.last_id:
            if rows:
                raise ModelError("a commit with rows made no snapshot")
            return
        snap = read_json(os.path.join(self.path, "snapshot", f"snapshot-{new_id}"))
        sem = self.schema(snap["schemaId"])
        wopts = writer.options.options.to_map()
        kind_field = wopts.get("rowkind.field")
        records = []
        for row in rows:
            kind = KINDS[row[kind_field]] if kind_field else 0
            if kind_field and ((kind in RETRACT and truthy(wopts.get("ignore-delete")))
                               or (kind == 1 and truthy(wopts.get("ignore-update-before")))):
                continue                      # RowKindFilter at write time
            vals = {sem.by_name[n]["id"]: v for n, v in row.items()}
            self.seq += 1
            records.append({"seq": self.seq, "kind": kind, "vals": vals})
        if overwrite is not None:
            self.overwrite(sem, wopts, overwrite, records)
        if sem.pk_ids:
            batch = {}
            for rec in records:
                batch.setdefault(sem.key(rec["vals"]), []).append(rec)
            for key, recs in batch.items():
                folded = sem.merge(recs)
                if folded is not None:
                    self.pk_state.setdefault(key, []).append(folded)
        else:
            self.rows += [(self.partition(sem, r["vals"]), r["vals"]) for r in records]
        self.last_id = new_id
        self.snapshots[new_id] = self.render(sem)

    def partition(self, sem, vals):
        return tuple(vals.get(i) for i in sem.part_ids)

    def overwrite(self, sem, wopts, spec, records):
        if sem.part_ids and str(wopts.get("dynamic-partition-overwrite", "true")).lower() == "true":
            if not records:
                return
            parts = {self.partition(sem, r["vals"]) for r in records}
            drop = lambda vals: self.partition(sem, vals) in parts  # noqa: E731
        else:
            want = {sem.by_name[k]["id"]: v for k, v in spec.items()}
            drop = lambda vals: all(partition_text(vals.get(i)) == v  # noqa: E731
                                    for i, v in want.items())
        if sem.pk_ids:
            self.pk_state = {k: recs for k, recs in self.pk_state.items()
                             if not drop(recs[-1]["vals"])}
        else:
            self.rows = [(p, vals) for p, vals in self.rows if not drop(vals)]

    def render(self, sem):
        if sem.pk_ids:
            live = []
            if sem.engine != "first-row":   # first-row: level 0 is never read
                for recs in self.pk_state.values():
                    res = sem.merge(recs)
                    if res is not None and res["kind"] not in RETRACT:
                        live.append(res["vals"])
        else:
            live = [vals for _, vals in self.rows]
        out = [[datum(vals.get(f["id"]), f["type"]) for f in sem.fields] for vals in live]
        return {"columns": [f["name"] for f in sem.fields], "rows": sorted(out, key=json_text)}


class Model:
    def __init__(self):
        self.tables = {}
        self.excluded = {}

    def record(self, writer, rows, overwrite):
        path = writer.table_path
        name = os.path.basename(path.rstrip("/"))
        if name in self.excluded:
            return
        tm = self.tables.setdefault(name, TableModel(name, path))
        try:
            tm.apply(writer, rows, overwrite)
        except ModelError as e:
            self.excluded[name] = str(e)
            del self.tables[name]

    def exclude(self, name, reason):
        self.excluded[name] = reason
        self.tables.pop(name, None)

    def to_json(self):
        tables = {}
        for name, tm in sorted(self.tables.items()):
            latest = tm.snapshots[max(tm.snapshots)] if tm.snapshots else {"columns": []}
            tables[name] = {
                "columns": latest["columns"],
                "snapshots": {str(i): s["rows"] for i, s in sorted(tm.snapshots.items())},
                "snapshot_columns": {str(i): s["columns"]
                                     for i, s in sorted(tm.snapshots.items())},
            }
        return {"tables": tables, "excluded": dict(sorted(self.excluded.items()))}

    def check_complete(self):
        """Exclude tables with a snapshot the model did not see."""
        for name, tm in list(self.tables.items()):
            ids = numbered(os.path.join(tm.path, "snapshot"), "snapshot-")
            missing = sorted(set(ids) - set(tm.snapshots))
            if missing:
                self.exclude(name, f"snapshots {missing} not made through write()")


MODEL = Model()
