"""pypaimon on an S3 warehouse, for the object-store suite (tests/compat/s3.rs).

usage: s3_peer.py ENDPOINT WAREHOUSE write DB.TABLE
         creates DB.TABLE (id BIGINT NOT NULL primary key, v STRING, dt STRING partition,
         bucket 2) and commits: ids 1..4 in dt=a and b, then an update of id 2, then an
         overwrite of partition dt=b with id 9.
       s3_peer.py ENDPOINT WAREHOUSE dump DB.TABLE
         prints the table's rows as JSON (sorted by id) and its latest snapshot id.
       s3_peer.py ENDPOINT WAREHOUSE append DB.TABLE ID V DT
         commits one row.
Credentials and endpoint go through pypaimon's catalog options (fs.s3.*).
"""
import json
import sys

import pyarrow as pa
from pypaimon import CatalogFactory, Schema
from pypaimon.schema.data_types import DataField, DataTypeParser, PyarrowFieldParser


def catalog(endpoint, warehouse):
    return CatalogFactory.create({
        "warehouse": warehouse,
        "fs.s3.endpoint": endpoint,
        "fs.s3.accessKeyId": "strata-test",
        "fs.s3.accessKeySecret": "strata-test-secret",
        "fs.s3.region": "us-east-1",
        "s3.path.style.access": "true",
    })


def commit(table, rows, overwrite=None):
    builder = table.new_batch_write_builder()
    if overwrite is not None:
        builder.overwrite(overwrite)
    writer = builder.new_write()
    committer = builder.new_commit()
    schema = PyarrowFieldParser.from_paimon_schema(table.table_schema.fields)
    writer.write_arrow(pa.Table.from_pylist(rows, schema=schema))
    committer.commit(writer.prepare_commit())
    writer.close()
    committer.close()


def main():
    endpoint, warehouse, action, ident = sys.argv[1:5]
    cat = catalog(endpoint, warehouse)
    if action == "write":
        cat.create_database(ident.split(".")[0], True)
        fields = [
            DataField(0, "id", DataTypeParser.parse_data_type("BIGINT NOT NULL")),
            DataField(1, "v", DataTypeParser.parse_data_type("STRING")),
            DataField(2, "dt", DataTypeParser.parse_data_type("STRING NOT NULL")),
        ]
        cat.create_table(ident, Schema(fields, ["dt"], ["id", "dt"], {"bucket": "2"}), False)
        table = cat.get_table(ident)
        commit(table, [
            {"id": 1, "v": "a1", "dt": "a"}, {"id": 2, "v": "a2", "dt": "a"},
            {"id": 3, "v": "b3", "dt": "b"}, {"id": 4, "v": "b4", "dt": "b"},
        ])
        commit(table, [{"id": 2, "v": "a2-new", "dt": "a"}])
        commit(table, [{"id": 9, "v": "b9", "dt": "b"}], overwrite={"dt": "b"})
    elif action == "append":
        id_, v, dt = sys.argv[5:8]
        commit(cat.get_table(ident), [{"id": int(id_), "v": v, "dt": dt}])
    elif action == "dump":
        table = cat.get_table(ident)
        builder = table.new_read_builder()
        splits = builder.new_scan().plan().splits()
        result = builder.new_read().to_arrow(splits)
        rows = result.to_pylist() if result is not None else []
        rows.sort(key=lambda r: r["id"])
        print(json.dumps({"rows": rows}))
    else:
        raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main()
