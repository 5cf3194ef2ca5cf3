"""Writes rows into an existing table with pypaimon, as one batch commit.

usage: pypaimon_write.py WAREHOUSE DB.TABLE ROWS.json
ROWS.json: a JSON list of objects keyed by column name (values as JSON: numbers, strings,
null; decimals as strings). Columns missing from an object are null.
"""
import decimal
import json
import sys

import pyarrow as pa
from pypaimon import CatalogFactory
from pypaimon.schema.data_types import PyarrowFieldParser


def main():
    warehouse, ident, rows_path = sys.argv[1:4]
    table = CatalogFactory.create({"warehouse": warehouse}).get_table(ident)
    schema = PyarrowFieldParser.from_paimon_schema(table.table_schema.fields)
    rows = json.load(open(rows_path))
    columns = {}
    for field in schema:
        values = [r.get(field.name) for r in rows]
        if pa.types.is_decimal(field.type):
            values = [None if v is None else decimal.Decimal(str(v)) for v in values]
        columns[field.name] = pa.array(values, type=field.type)
    data = pa.Table.from_pydict(columns, schema=schema)
    builder = table.new_batch_write_builder()
    writer = builder.new_write()
    writer.write_arrow(data)
    commit = builder.new_commit()
    commit.commit(writer.prepare_commit())
    writer.close()
    commit.close()


if __name__ == "__main__":
    main()
