"""Merge-engine, schema-evolution and time-travel tables (gen_tables.py part 2).

Tables: ``t_pu``, ``t_pu_del``, ``t_agg``, ``t_agg_retract``, ``t_first_row``,
``t_delonly``, ``t_seqfield``, ``t_pu_groups``, ``t_evolve``, ``t_tt``.

pypaimon 2.1.0 refuses to *write* some configurations (partial-update with
``ignore-delete`` or sequence groups, aggregation with retract input). Those
tables are written through ``writer_copy``: a ``table.copy`` whose options
drop the offending setting for the writer only. The schema on disk keeps the
real options. Every such commit has unique keys, so the writer never merges
two records and the level-0 file holds exactly the input records (as a Java
writer's ``ReducerMergeFunctionWrapper`` would pass a single record through).
"""

import time

from gen_common import DB, create, fields, parse_type, rows, write
from pypaimon.schema.schema_change import SchemaChange


def writer_copy(tbl, options):
    """``tbl.copy`` for writing; a None value removes the option."""
    return tbl.copy(options)


def write_unique(table, rows_, key="id", **kw):
    keys = [r[key] for r in rows_]
    assert len(keys) == len(set(keys)), "writer_copy commits need unique keys"
    write(table, rows_, **kw)


def gen_t_pu(cat):
    tbl = create(cat, "t_pu", fields(("id", "BIGINT NOT NULL"), ("a", "INT"), ("b", "STRING"),
                                     ("c", "DOUBLE")),
                 [], ["id"], bucket=1, **{"merge-engine": "partial-update"})
    n = ("id", "a", "b", "c")
    write(tbl, rows(n, (1, 1, "x", None), (2, 2, None, 2.0), (3, None, None, None)))
    write(tbl, rows(n, (1, None, "y", 1.5), (3, 3, None, None), (4, 4, "d", 4.0)))
    write(tbl, rows(n, (2, None, "b2", None), (1, 10, None, None)))
    # key 5 twice in one batch: the writer folds it (c from the first, a from the second)
    write(tbl, rows(n, (5, None, None, 5.5), (3, None, "c3", 3.5), (5, 5, None, None)))


def gen_t_pu_del(cat):
    """partial-update + ignore-delete + rowkind.field.

    Commits 1, 2, 4: -U/-D input is dropped before writing, as Java's
    ``TableWriteImpl`` (and pypaimon's ``filter_write_batch``) do with
    ``ignore-delete``; the model sees the same filtered rows. Commit 3 is a
    lone ``-D`` of key 3 that *is* stored (kind 3 in the file, as a writer
    without the option would leave it): a correct reader ignores it.
    """
    tbl = create(cat, "t_pu_del", fields(("id", "BIGINT NOT NULL"), ("rk", "STRING"),
                                         ("a", "INT"), ("b", "STRING")),
                 [], ["id"], bucket=1,
                 **{"merge-engine": "partial-update", "ignore-delete": "true",
                    "rowkind.field": "rk"})
    w = writer_copy(tbl, {"ignore-delete": None})
    n = ("id", "rk", "a", "b")

    def kept(batch):
        return [r for r in batch if r["rk"] in ("+I", "+U")]
    write_unique(w, kept(rows(n, (1, "+I", 1, "one"), (2, "+I", 2, "two"), (3, "+I", 3, None))))
    write_unique(w, kept(rows(n, (1, "+U", None, "uno"), (2, "-D", 2, "two"),
                              (3, "-U", 3, None), (4, "+I", 4, "four"))))
    write_unique(w, rows(n, (3, "-D", 3, None)))
    write_unique(w, kept(rows(n, (4, "-D", None, None), (3, "+U", None, "three"),
                              (5, "-U", 5, "five"))))


AGG_SPEC = [("id", "INT NOT NULL"), ("s_sum", "BIGINT"), ("p_prod", "DOUBLE"), ("mn", "INT"),
            ("mx", "STRING"), ("lv", "STRING"), ("lnn", "STRING"), ("fv", "STRING"),
            ("fnn", "STRING"), ("la", "STRING"), ("band", "BOOLEAN"), ("bor", "BOOLEAN")]
AGG_FUNCS = {"s_sum": "sum", "p_prod": "product", "mn": "min", "mx": "max", "lv": "last_value",
             "lnn": "last_non_null_value", "fv": "first_value", "fnn": "first_non_null_value",
             "la": "listagg", "band": "bool_and", "bor": "bool_or"}


def gen_t_agg(cat):
    opts = {f"fields.{f}.aggregate-function": fn for f, fn in AGG_FUNCS.items()}
    tbl = create(cat, "t_agg", fields(*AGG_SPEC), [], ["id"], bucket=1,
                 **{"merge-engine": "aggregation"}, **opts)
    n = [s[0] for s in AGG_SPEC]
    write(tbl, rows(n, (1, 10, 1.5, 5, "m", "l1", "n1", "f1", None, "a", True, False),
                    (2, None, None, None, None, None, None, None, None, None, None, None),
                    (3, 7, 2.0, -3, "zz", "only", "only", "only", "only", "x", False, True)))
    write(tbl, rows(n, (1, 5, 2.0, 7, "z", None, None, "f2", "g2", "b", True, False),
                    (2, 3, 4.0, 9, "k", "l2", "n2", None, "g2", "c", None, None)))
    # key 1 twice in one batch: the writer folds the pair before the read merges it
    write(tbl, rows(n, (1, -20, -0.5, 2, "a", "l3", None, "f3", "g3", None, False, True),
                    (2, None, 0.25, 1, "kk", None, "n3", "f3", None, "", True, True),
                    (1, 1, None, None, "zzz", None, "n4", None, None, "d", None, None)))
    write(tbl, rows(n, (4, 1, 1.0, 1, "a", "l", "n", "f", "g", "one", None, None),
                    (2, 100, 2.0, 0, None, "l4", None, "f4", "g4", "e", False, None)))


def gen_t_agg_retract(cat):
    """aggregation + rowkind.field: sum retracts subtract (Java ``FieldSumAgg.retract``).

    ``rk`` uses the default ``last_non_null_value``: a retract with a
    non-null input nulls it. Keys are unique per commit, so every -U/-D
    record is stored as is; key 9 only ever gets a lone -U (no row).
    """
    tbl = create(cat, "t_agg_retract", fields(("id", "BIGINT NOT NULL"), ("rk", "STRING"),
                                              ("s", "BIGINT"), ("d", "DOUBLE")),
                 [], ["id"], bucket=1,
                 **{"merge-engine": "aggregation", "rowkind.field": "rk",
                    "fields.s.aggregate-function": "sum", "fields.d.aggregate-function": "sum"})
    w = writer_copy(tbl, {"merge-engine": "deduplicate"})
    n = ("id", "rk", "s", "d")
    write_unique(w, rows(n, (1, "+I", 10, 1.0), (2, "+I", 20, 2.0), (3, "+I", 5, None)))
    write_unique(w, rows(n, (1, "-U", 10, 1.0), (2, "-D", 20, 2.0), (4, "+I", 7, 0.5)))
    write_unique(w, rows(n, (1, "+U", 15, 1.5), (3, "-U", None, None), (9, "-U", 9, 9.0)))
    write_unique(w, rows(n, (3, "-D", 5, 0.25), (4, "+U", 1, None)))


def gen_t_first_row(cat):
    tbl = create(cat, "t_first_row", fields(("id", "BIGINT NOT NULL"), ("v", "STRING")),
                 [], ["id"], bucket=1, **{"merge-engine": "first-row"})
    write(tbl, rows(("id", "v"), (1, "a"), (2, "b")))
    write(tbl, rows(("id", "v"), (2, "b-later"), (3, "c")))
    write(tbl, rows(("id", "v"), (1, "a-later"), (4, "d"), (4, "d-later")))


def gen_t_delonly(cat):
    """§16.2 item 1 / §17 item 5: correct read {5}; pypaimon returns {5, 100}.

    With 2 buckets key 5 lands in bucket 1 and key 100 in bucket 0, so the
    file holding the orphan -D (``_DELETE_ROW_COUNT`` 0) is alone in its
    bucket and its split is raw-convertible. (With one bucket pypaimon merges
    both files and drops the -D correctly.)
    """
    tbl = create(cat, "t_delonly", fields(("id", "BIGINT NOT NULL"), ("rk", "STRING"),
                                          ("v", "STRING")),
                 [], ["id"], bucket=2, **{"rowkind.field": "rk"})
    n = ("id", "rk", "v")
    write(tbl, rows(n, (5, "+I", "five")))
    write(tbl, rows(n, (100, "+I", "hundred"), (100, "-D", "hundred")))


def gen_t_seqfield(cat):
    tbl = create(cat, "t_seqfield", fields(("id", "BIGINT NOT NULL"), ("ts", "BIGINT"),
                                           ("v", "STRING")),
                 [], ["id"], bucket=1, **{"sequence.field": "ts"})
    n = ("id", "ts", "v")
    write(tbl, rows(n, (1, 100, "a"), (2, 100, "b"), (3, 100, "c")))
    write(tbl, rows(n, (1, 50, "a-old"), (2, 200, "b-new"), (4, 10, "d")))
    write(tbl, rows(n, (3, 100, "c-tie"), (4, 5, "d-old"), (1, 150, "a-new")))
    # key 5 twice in one batch, the later record carries the older ts
    write(tbl, rows(n, (5, 20, "e-late"), (5, 10, "e-early"), (2, 199, "b-older")))


def gen_t_pu_groups(cat):
    """partial-update with ``fields.g1.sequence-group=a,b``; ``c`` is ungrouped.

    Key 3's first record has a null g1: alone it is read back as is (single
    record, no merge); once a second record arrives, the merge skips the
    group for it, so a/b come from the later record only.
    """
    tbl = create(cat, "t_pu_groups", fields(("id", "BIGINT NOT NULL"), ("g1", "BIGINT"),
                                            ("a", "STRING"), ("b", "INT"), ("c", "STRING")),
                 [], ["id"], bucket=1,
                 **{"merge-engine": "partial-update", "fields.g1.sequence-group": "a,b"})
    w = writer_copy(tbl, {"fields.g1.sequence-group": None})
    n = ("id", "g1", "a", "b", "c")
    write_unique(w, rows(n, (1, 10, "a1", 1, "c1"), (2, 10, "a2", 2, None)))
    write_unique(w, rows(n, (1, 5, "old", 99, "c1-new"), (2, 20, None, 22, "c2")))
    write_unique(w, rows(n, (1, 10, "a1-tie", None, None), (3, None, "a3", 3, "c3")))
    write_unique(w, rows(n, (3, 7, "a3b", None, None), (2, 15, "stale", 0, None)))


def gen_t_evolve(cat):
    """PK table evolved with pypaimon's alter API between commits."""
    ident = f"{DB}.t_evolve"
    tbl = create(cat, "t_evolve", fields(("id", "BIGINT NOT NULL"), ("a", "INT"), ("b", "STRING"),
                                         ("c", "DOUBLE")),
                 [], ["id"], bucket=1)

    def alter(*changes):
        cat.alter_table(ident, list(changes))
        return cat.get_table(ident)
    write(tbl, rows(("id", "a", "b", "c"), (1, 10, "x", 1.5), (2, 20, "y", 2.5)))
    tbl = alter(SchemaChange.add_column("d", parse_type("STRING")))
    write(tbl, rows(("id", "a", "b", "c", "d"), (3, 30, "z", 3.5, "d3"), (1, 11, "x2", None, "d1")))
    tbl = alter(SchemaChange.rename_column("b", "b2"))
    write(tbl, rows(("id", "a", "b2", "c", "d"), (2, 21, "y3", 2.75, None)))
    tbl = alter(SchemaChange.update_column_type("a", parse_type("BIGINT")))
    write(tbl, rows(("id", "a", "b2", "c", "d"), (4, 5000000000, "w", 4.0, "d4")))
    tbl = alter(SchemaChange.drop_column("c"))
    write(tbl, rows(("id", "a", "b2", "d"), (5, 50, "v", "d5"), (1, 12, None, "d1b")))
    # re-adding "c" makes a new field id: no old value of the dropped c may show
    tbl = alter(SchemaChange.add_column("c", parse_type("INT")))
    write(tbl, rows(("id", "a", "b2", "d", "c"), (6, 60, "u", None, 6), (3, 31, "z2", "d3b", None)))


def gen_t_tt(cat):
    """Time travel: 6 commits of few keys, distinct timeMillis, tag t3 on snapshot 3."""
    tbl = create(cat, "t_tt", fields(("id", "BIGINT NOT NULL"), ("v", "STRING")),
                 [], ["id"], bucket=1)
    commits = [[(1, "a1"), (2, "b1")], [(3, "c2")], [(1, "a3"), (4, "d3")],
               [(2, "b4")], [(5, "e5"), (3, "c5")], [(1, "a6")]]
    for batch in commits:
        write(tbl, rows(("id", "v"), *batch), sleep=0)
        time.sleep(0.005)
    tbl.create_tag("t3", snapshot_id=3)


GENERATORS = [gen_t_pu, gen_t_pu_del, gen_t_agg, gen_t_agg_retract, gen_t_first_row,
              gen_t_delonly, gen_t_seqfield, gen_t_pu_groups, gen_t_evolve, gen_t_tt]
