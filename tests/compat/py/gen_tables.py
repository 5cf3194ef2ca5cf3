"""Generate Paimon compatibility tables with pypaimon 2.1.0.

Usage: gen_tables.py WAREHOUSE_DIR

Creates a filesystem catalog at WAREHOUSE_DIR (database ``db``) and writes a
fixed set of tables with pypaimon batch writes. All data is deterministic; only
UUIDs, commit users and wall-clock times differ between runs. The tables are
the test vectors of the format reference (§17): ``t``, ``t_types``,
``t_keys``, ``t_kind``, ``t_many``, ``t_abkt``, ``t_pdate``, ``t_stats``,
``t_ow``, ``t_cl``, ``t_dyn`` and ``t_stream``; ``t``, ``t_types`` and ``t_keys``
again with ORC and with Avro data files (``t_orc``, ``t_types_avro``, ...; pypaimon
writes no TIMESTAMP(9), no MAP and no null array element to Avro, so
``t_types_avro`` has none; the ORC tables have no pre-1970 timestamp with a fraction of a
second, see ``orc_safe``).

Manifest codecs: ``t_abkt`` uses snappy, ``t_ow`` deflate, ``t_pdate`` null
(uncompressed); every other table keeps pypaimon's default (zstd, written as
the Avro codec ``zstandard``). Data file codecs: ``t_abkt`` snappy, ``t_ow``
gzip, ``t_pdate`` lz4, ``t_stats`` none; the others pypaimon's default, zstd.

tables_engines.py adds merge-engine, evolution and time-travel tables:
``t_pu``, ``t_pu_del``, ``t_agg``, ``t_agg_retract``, ``t_first_row``,
``t_delonly``, ``t_seqfield``, ``t_pu_groups``, ``t_evolve`` and ``t_tt`` (tag
``t3``). Every commit pauses 2 ms afterwards (gen_common.write), so
snapshots of a table never share a timeMillis.

Also writes WAREHOUSE_DIR/model.json, the rows a correct batch read of every
snapshot returns, computed by model.py from the rows written (never read
back through pypaimon)::

    {"tables": {NAME: {"columns": [latest snapshot's columns],
                       "snapshots": {"<id>": [[datum, ...], ...]},
                       "snapshot_columns": {"<id>": [column, ...]}}},
     "excluded": {NAME: "why the model leaves it out"}}

Rows of snapshot <id> follow ``snapshot_columns[<id>]`` (the schema that
snapshot references); they are sorted like dump_tables.py's "read" rows.
check_model.py compares the model with a dump's pypaimon reads.
"""

import json
import math
import os
import sys
import time
from datetime import date, datetime, time as dtime, timedelta
from decimal import Decimal

from pypaimon import CatalogFactory
from pypaimon.schema.data_types import DataTypeParser
from pypaimon.schema.schema_change import SchemaChange

from gen_common import DB, create, fields, rows, ts, utc, write
from model import MODEL
import tables_engines


# ---------------------------------------------------------------- tables

def orc_safe(fmt, values):
    """``values`` for a table in ``fmt``: for ORC, pre-1970 timestamps with a fraction of a
    second move 100 years on (orc-rust cannot decode them as pyarrow writes them; Strata
    refuses them by name, tested in core/src/read/format_tests.rs)."""
    def safe(v):
        if fmt == "orc" and isinstance(v, datetime) and v.microsecond:
            epoch = datetime(1970, 1, 1, tzinfo=v.tzinfo)
            if v < epoch:
                return v.replace(year=v.year + 100)
        return v
    return tuple(safe(v) for v in values)


def in_format(fmt):
    """Options and a name suffix for a table whose data files are ``fmt`` (None: Parquet)."""
    return ({"file.format": fmt}, f"_{fmt}") if fmt else ({}, "")


def gen_t(cat, fmt=None):
    opts, suffix = in_format(fmt)
    tbl = create(cat, "t" + suffix, fields(("id", "BIGINT NOT NULL"), ("name", "STRING"),
                                           ("dt", "STRING NOT NULL"), ("v", "DOUBLE")),
                 ["dt"], ["id", "dt"], bucket=2, **opts)
    n = ("id", "name", "dt", "v")
    d1, d2 = "2024-01-01", "2024-01-02"
    write(tbl, rows(n, (1, "a", d1, 1.0), (2, "b", d1, 2.0), (3, "c", d1, 3.0),
                    (10, "j", d2, 10.0), (11, "k", d2, 11.0), (12, "l", d2, 12.0)))
    write(tbl, rows(n, (2, "b2", d1, 2.5), (3, "c2", d1, None), (11, "k2", d2, 11.5)))
    write(tbl, rows(n, (1, "a3", d1, -1.0), (4, "d", d1, 4.0),
                    (12, None, d2, 12.25), (13, "m", d2, 13.0)))


def gen_t_types(cat, fmt=None):
    spec = [
        ("p_short", "STRING"), ("p_long", "STRING"),
        ("c_boolean", "BOOLEAN"), ("c_tinyint", "TINYINT"), ("c_smallint", "SMALLINT"),
        ("c_int", "INT"), ("c_bigint", "BIGINT"), ("c_float", "FLOAT"),
        ("c_double", "DOUBLE"), ("c_char", "CHAR(5)"), ("c_varchar", "VARCHAR(20)"),
        ("c_string", "STRING"), ("c_binary", "BINARY(4)"), ("c_varbinary", "VARBINARY(10)"),
        ("c_bytes", "BYTES"), ("c_dec10", "DECIMAL(10, 2)"), ("c_dec38", "DECIMAL(38, 10)"),
        ("c_date", "DATE"), ("c_time", "TIME(3)"), ("c_ts0", "TIMESTAMP(0)"),
        ("c_ts3", "TIMESTAMP(3)"), ("c_ts6", "TIMESTAMP(6)"), ("c_ts9", "TIMESTAMP(9)"),
        ("c_ltz3", "TIMESTAMP_LTZ(3)"), ("c_ltz6", "TIMESTAMP_LTZ(6)"),
        ("c_array", {"type": "ARRAY", "element": "INT"}),
        ("c_map", {"type": "MAP", "key": "STRING NOT NULL", "value": "INT"}),
        ("c_row", {"type": "ROW", "fields": [("a", "INT"), ("b", "STRING")]}),
    ]
    opts, suffix = in_format(fmt)
    # pypaimon writes no nanosecond timestamps and no maps to Avro.
    keep = [i for i, s in enumerate(spec)
            if not (fmt == "avro" and s[0] in ("c_ts9", "c_map"))]
    spec = [spec[i] for i in keep]
    tbl = create(cat, "t_types" + suffix, fields(*spec), ["p_short", "p_long"], bucket=-1,
                 **{"metadata.stats-mode": "full"}, **opts)
    names = [s[0] for s in spec]
    p1 = ("short", "a-much-longer-partition")
    p2 = ("s2", "second-long-partition-value")
    full = (
        True, -128, -32768, -2147483648, -9223372036854775808, 1.5, -2.25,
        "ab", "hello", "a longer string value", b"\x00\x01\x02\x03", b"\xff\x00",
        b"bytes-value-longer", Decimal("-12345678.90"),
        Decimal("1234567890123456789012345678.0123456789"), date(1969, 12, 31),
        dtime(12, 34, 56, 789000), ts("2024-01-01 00:00:01"), ts("1969-12-31 23:59:59.999"),
        ts("2024-02-29 12:00:00.123456"), ts("2024-03-01 01:02:03.456789"),
        utc("2024-01-01 00:00:00.005"), utc("1970-01-01 00:00:00.000001"),
        [1, None, 3], [("k1", 1), ("k2", None)], {"a": 7, "b": "row-b-value"},
    )
    other = (
        False, 127, 32767, 2147483647, 9223372036854775807, float("-inf"), math.nan,
        "xyzzy", "", "z", b"abcd", b"", b"\x80" * 9, Decimal("99999999.99"),
        Decimal("-0.0000000001"), date(2024, 1, 1), dtime(0, 0, 0), ts("1900-01-01 00:00:00"),
        ts("2024-01-01 00:00:00.005"), ts("2024-01-01 00:00:00.123456"),
        ts("1969-12-31 23:59:59.999999"), utc("2000-06-15 08:30:00"),
        utc("2038-01-19 03:14:07.999999"), [], [], {"a": None, "b": None},
    )
    if fmt == "avro":  # pypaimon's Avro arrays have non-null elements
        full = tuple([1, 3] if v == [1, None, 3] else v for v in full)
    full, other = (orc_safe(fmt, (row[i - 2] for i in keep[2:])) for row in (full, other))
    nulls = (None,) * len(full)
    write(tbl, [dict(zip(names, p1 + full)), dict(zip(names, p1 + nulls)),
                dict(zip(names, p2 + other))])
    write(tbl, [dict(zip(names, p2 + nulls)), dict(zip(names, p1 + other))])


KEY_SPEC = [("k_bool", "BOOLEAN"), ("k_int", "INT"), ("k_str", "STRING"),
            ("k_dec", "DECIMAL(10, 2)"), ("k_dec2", "DECIMAL(20, 3)"), ("k_date", "DATE"),
            ("k_ts3", "TIMESTAMP(3)"), ("k_ts6", "TIMESTAMP(6)")]


def key_row(i):
    """Deterministic varied key number i (1..20)."""
    strs = ["", "a", "abcdefg", "abcdefgh", "ünïcödé-😀", "x" * 40, "Z", "hello"]
    dec2 = Decimal(-i ** 7 * 13) / 1000 * (1 if i % 2 else -1)
    if i in (7, 8):  # unscaled value outside the i64 range
        dec2 = Decimal("99999999999999999.999") * (1 if i == 7 else -1)
    return (i % 3 == 0, (i - 10) * 1000003, strs[i % len(strs)],
            Decimal(i * 1234567 - 9999999) / 100, dec2,
            date(1960, 1, 1) + timedelta(days=i * 1111),
            datetime(1969, 12, 31, 23, 59, 59, 999000) + timedelta(milliseconds=(i - 3) * 86400007),
            datetime(1969, 12, 31, 23, 59, 59, 999999) + timedelta(microseconds=(i - 2) * 3600000001))


def gen_t_keys(cat, fmt=None):
    opts, suffix = in_format(fmt)
    spec = KEY_SPEC + [("v", "STRING")]
    tbl = create(cat, "t_keys" + suffix, fields(*spec), [], [k for k, _ in KEY_SPEC], bucket=3,
                 **{"metadata.stats-mode": "full"}, **opts)
    names = [s[0] for s in spec]
    special = (True, -2, "hello-paimon-key", Decimal("12.34"), Decimal("-1.000"),
               date(2024, 1, 1), ts("2024-01-01 00:00:00.005"), ts("2024-01-01 00:00:00.123456"))
    def key(i):
        return orc_safe(fmt, key_row(i))
    write(tbl, [dict(zip(names, orc_safe(fmt, special) + ("special",)))] +
          [dict(zip(names, key(i) + (f"v{i}",))) for i in range(1, 11)])
    write(tbl, [dict(zip(names, key(i) + (f"v{i}",))) for i in range(11, 21)] +
          [dict(zip(names, key(i) + (f"v{i}-updated",))) for i in (2, 5)])


def gen_t_kind(cat):
    tbl = create(cat, "t_kind", fields(("id", "BIGINT"), ("rk", "STRING"), ("v", "STRING")),
                 [], ["id"], bucket=2, **{"rowkind.field": "rk"})
    n = ("id", "rk", "v")
    write(tbl, rows(n, *[(i, "+I", f"v{i}") for i in range(1, 7)]))
    write(tbl, rows(n, (1, "-U", "v1"), (1, "+U", "v1-new"), (2, "-D", "v2"),
                    (7, "+I", "v7"), (8, "+I", "v8"), (8, "-D", "v8")))
    write(tbl, rows(n, (3, "-D", "v3"), (4, "-U", "v4"), (4, "+U", "v4-new"),
                    (100, "-D", "never-inserted")))


def gen_t_many(cat):
    tbl = create(cat, "t_many", fields(("id", "INT"), ("v", "STRING")), [], ["id"], bucket=2)
    for c in range(42):
        write(tbl, rows(("id", "v"), (c % 7, f"c{c}"), (100 + c, f"n{c}")))


def gen_t_abkt(cat):
    tbl = create(cat, "t_abkt", fields(("k", "INT"), ("p", "STRING"), ("v", "STRING")),
                 ["p"], bucket=4, **{"bucket-key": "k", "manifest.compression": "snappy",
                                   "file.compression": "snappy"})
    n = ("k", "p", "v")
    write(tbl, rows(n, *[(k, "x", f"x{k}") for k in range(8)], (None, "x", "null-k"),
                    (1, None, "null-p"), (None, None, "both-null"), (5, None, "p5")))
    write(tbl, rows(n, (2, "yy", "y2"), (-7, "yy", "y-7"), (None, "yy", "y-null")))


def gen_t_pdate(cat):
    tbl = create(cat, "t_pdate", fields(("d", "DATE"), ("b", "BOOLEAN"), ("s", "STRING"),
                                        ("v", "INT")),
                 ["d", "b", "s"], bucket=-1, **{"manifest.compression": "null",
                                                "file.compression": "lz4"})
    n = ("d", "b", "s", "v")
    write(tbl, rows(n, (date(2024, 1, 1), True, "a/b=c %:x", 1),
                    (date(2024, 1, 1), False, "", 2),
                    (date(1969, 7, 20), True, "plain", 3),
                    (date(2024, 1, 1), True, "a/b=c %:x", 4)))
    write(tbl, rows(n, (date(2024, 1, 2), False, "#?*'\"[]{}^\\", 5), (None, None, None, 6)))


def gen_t_stats(cat):
    tbl = create(cat, "t_stats", fields(("id", "INT"), ("dec", "DECIMAL(20, 3)"),
                                        ("ts", "TIMESTAMP(6)"), ("s", "STRING")),
                 bucket=-1, **{"metadata.stats-mode": "full", "file.compression": "none"})
    n = ("id", "dec", "ts", "s")
    write(tbl, rows(n, (1, None, None, None), (2, None, None, "zeta")))
    write(tbl, rows(n, (3, Decimal("-99999999999999999.999"), None, "alpha"),
                    (4, None, ts("2024-01-01 00:00:00.123456"), None),
                    (5, Decimal("1.5"), ts("1969-12-31 23:59:59.999999"), "mid")))
    write(tbl, rows(n, (None, None, None, None)))


def gen_t_ow(cat):
    tbl = create(cat, "t_ow", fields(("id", "INT"), ("p", "STRING"), ("v", "STRING")), ["p"],
                 bucket=-1, **{"manifest.compression": "deflate", "file.compression": "gzip"})
    n = ("id", "p", "v")
    write(tbl, rows(n, (1, "a", "a1"), (2, "a", "a2"), (3, "b", "b3"), (4, "c", "c4")))
    write(tbl, rows(n, (5, "b", "b5")))
    # static partition overwrite: replace partition p=a only
    static = tbl.copy({"dynamic-partition-overwrite": "false"})
    write(static, rows(n, (10, "a", "a10")), overwrite={"p": "a"})
    # dynamic partition overwrite (the default): replaces the partitions written (p=b, p=d)
    write(tbl, rows(n, (20, "b", "b20"), (21, "d", "d21")), overwrite={})


def gen_t_cl(cat):
    tbl = create(cat, "t_cl", fields(("id", "INT"), ("v", "STRING")), [], ["id"], bucket=1,
                 **{"changelog-producer": "input"})
    write(tbl, rows(("id", "v"), (1, "a"), (2, "b"), (3, "c")))
    write(tbl, rows(("id", "v"), (2, "b2"), (4, "d")))


def gen_t_dyn(cat):
    tbl = create(cat, "t_dyn", fields(("id", "BIGINT"), ("v", "STRING")), [], ["id"],
                 bucket=-1, **{"dynamic-bucket.target-row-num": "3"})
    write(tbl, rows(("id", "v"), (1, "a"), (2, "b"), (3, "c"), (4, "d")))
    write(tbl, rows(("id", "v"), (2, "b2"), (5, "e"), (6, "f"), (7, "g")))
    write(tbl, rows(("id", "v"), (1, "a3"), (8, "h")))


def gen_t_stream(cat):
    ident = f"{DB}.t_stream"
    tbl = create(cat, "t_stream", fields(("id", "BIGINT"), ("v", "STRING")), [], ["id"],
                 bucket=1)
    write(tbl, rows(("id", "v"), (1, "a"), (2, "b")))
    write(tbl, rows(("id", "v"), (2, "b2"), (3, "c")))
    tbl.create_tag("tag1")
    builder = tbl.new_stream_read_builder().with_consumer_id("c1")
    scan, reader = builder.new_streaming_scan(), builder.new_read()
    plans = scan.stream_sync()
    reader.to_arrow(next(plans).splits())     # initial full scan of snapshot 2
    write(tbl, rows(("id", "v"), (4, "d")))
    reader.to_arrow(next(plans).splits())     # resuming stores consumer c1 -> 3
    plans.close()
    cat.alter_table(ident, [SchemaChange.add_column("w", DataTypeParser.parse_data_type("INT")),
                            SchemaChange.rename_column("v", "v2")])
    tbl = cat.get_table(ident)
    write(tbl, rows(("id", "v2", "w"), (1, "a5", 10), (5, "e", None)))


def formats(gen):
    """``gen`` writing ORC and Avro data files: tables ``<name>_orc`` and ``<name>_avro``."""
    def both(cat):
        for fmt in ("orc", "avro"):
            gen(cat, fmt)
    both.__name__ = gen.__name__ + "_orc_avro"
    return both


GENERATORS = [gen_t, gen_t_types, gen_t_keys, gen_t_kind, gen_t_many, gen_t_abkt,
              gen_t_pdate, gen_t_stats, gen_t_ow, gen_t_cl, gen_t_dyn, gen_t_stream,
              formats(gen_t), formats(gen_t_types), formats(gen_t_keys)]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_tables.py WAREHOUSE_DIR")
    warehouse = os.path.abspath(sys.argv[1])
    os.makedirs(warehouse, exist_ok=True)
    catalog = CatalogFactory.create({"warehouse": warehouse})
    catalog.create_database(DB, True)
    started = time.monotonic()
    for gen in GENERATORS + tables_engines.GENERATORS:
        gen(catalog)
        print(f"wrote {gen.__name__[4:]}")
    MODEL.check_complete()
    for name, reason in sorted(MODEL.excluded.items()):
        print(f"model: {name} left out: {reason}")
    with open(os.path.join(warehouse, "model.json"), "w", encoding="utf-8") as f:
        json.dump(MODEL.to_json(), f, indent=1, allow_nan=False, ensure_ascii=False)
    print(f"done in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
