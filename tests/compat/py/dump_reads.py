"""pypaimon reads of every snapshot, tag and timestamp, and incremental reads
(the "reads", "tag_reads", "timestamp_reads" and "incremental" keys of a table
dump; see dump_tables.py).

Every read is ``{"snapshot", "columns", "rows"}`` with rows in the datum JSON
conventions, sorted by compact JSON text, or ``{"error": ...}``. "snapshot" is
the id the read should resolve to, computed from the metadata files. A tag
or timestamp read whose pypaimon plan resolves to exactly that snapshot takes
the rows of the "reads" entry instead of reading the same files again; any
other resolution is read in full. Incremental reads (``incremental-between-timestamp``
with the two snapshots' timeMillis) append a ``_kind`` column holding the row
kind string pypaimon reports (``+I``/``-U``/``+U``/``-D``).
"""

from dump_tables import datum, json_text, raw, safely

ROW_KIND = "_row_kind"   # pypaimon's TableRead.include_row_kind column


def type_map(*schemas):
    """Column name -> type JSON, earlier schemas winning."""
    out = {}
    for schema in reversed([s for s in schemas if s is not None]):
        out.update({f["name"]: f["type"] for f in schema["fields"]})
    return out


def read_table(table, types, snapshot_id, with_kind=False, reuse=None):
    """Plan and read ``table``; ``reuse`` maps a snapshot id to an earlier
    read of it, taken instead of reading again when the plan resolves to it."""
    builder = table.new_read_builder()
    plan = builder.new_scan().plan()
    if reuse is not None and plan.snapshot_id == snapshot_id and snapshot_id in reuse:
        return dict(reuse[snapshot_id], snapshot=snapshot_id)
    read = builder.new_read()
    if with_kind:
        read.include_row_kind = True
    result = read.to_arrow(plan.splits(), parallelism=1)  # thread pools cost more than they save
    if result is not None:
        columns, data = result.column_names, result.to_pylist()
    else:
        columns, data = [f.name for f in table.table_schema.fields], []
    columns = [c for c in columns if c != ROW_KIND]
    rows = [[datum(r[c], types[c]) if c in types else raw(r[c]) for c in columns] for r in data]
    if with_kind:
        columns = columns + ["_kind"]
        for row, r in zip(rows, data):
            row.append(r.get(ROW_KIND))
    return {"snapshot": snapshot_id, "columns": columns, "rows": sorted(rows, key=json_text)}


def dump_reads(table, schemas, snapshots, tags):
    """``snapshots``: [(id, json)], ``tags``: [(name, json)], ``schemas``: {id: json}."""
    latest = schemas[max(schemas)]

    def types_of(snap):
        return type_map(schemas.get(snap["schemaId"]) if snap else None, latest)

    done = {}   # snapshot id -> successful scan.snapshot-id read

    def travel(options, snap, with_kind=False, reuse=None):
        return safely(lambda: read_table(table.copy(options), types_of(snap),
                                         snap["id"] if snap else None, with_kind, reuse))

    by_id = dict(snapshots)
    reads = {}
    for i, s in snapshots:
        reads[str(i)] = travel({"scan.snapshot-id": str(i)}, s)
        if "error" not in reads[str(i)]:
            done[i] = reads[str(i)]
    tag_reads = {name: travel({"scan.tag-name": name}, by_id.get(t.get("id"), t), reuse=done)
                 for name, t in tags}
    timestamp_reads = {}
    for _i, s in snapshots:
        t = s["timeMillis"]
        resolved = max((x for _j, x in snapshots if x["timeMillis"] <= t), key=lambda x: x["id"])
        timestamp_reads[str(t)] = travel({"scan.timestamp-millis": str(t)}, resolved,
                                         reuse=done)
    incremental = {}
    for (i, a), (j, b) in zip(snapshots, snapshots[1:]):
        window = f"{a['timeMillis']},{b['timeMillis']}"
        incremental[f"{i}-{j}"] = travel({"incremental-between-timestamp": window}, b,
                                         with_kind=True)
    return {"reads": reads, "tag_reads": tag_reads, "timestamp_reads": timestamp_reads,
            "incremental": incremental}
