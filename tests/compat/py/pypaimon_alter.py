"""Alters a table's schema with pypaimon's catalog, as one list of schema changes.

usage: pypaimon_alter.py WAREHOUSE DB.TABLE CHANGES.json
CHANGES.json: a JSON list of changes, each one of
  {"add": NAME, "type": TYPE, "after": COLUMN?}   {"rename": NAME, "to": NEW}
  {"drop": NAME}   {"type_of": NAME, "to": TYPE}   {"first": NAME}
  {"set": KEY, "value": VALUE}   {"reset": KEY}
  {"nullable": NAME, "to": BOOL}   {"comment_of": NAME, "comment": TEXT}   {"table_comment": TEXT}
"""
import json
import sys

from pypaimon import CatalogFactory
from pypaimon.schema.data_types import AtomicType
from pypaimon.schema.schema_change import Move, SchemaChange


def change(c):
    if "add" in c:
        move = Move.after(c["add"], c["after"]) if c.get("after") else None
        return SchemaChange.add_column(c["add"], AtomicType(c["type"]), move=move)
    if "rename" in c:
        return SchemaChange.rename_column(c["rename"], c["to"])
    if "drop" in c:
        return SchemaChange.drop_column(c["drop"])
    if "type_of" in c:
        return SchemaChange.update_column_type(c["type_of"], AtomicType(c["to"]), keep_nullability=True)
    if "first" in c:
        return SchemaChange.update_column_position(Move.first(c["first"]))
    if "set" in c:
        return SchemaChange.set_option(c["set"], c["value"])
    if "reset" in c:
        return SchemaChange.remove_option(c["reset"])
    if "nullable" in c:
        return SchemaChange.update_column_nullability(c["nullable"], c["to"])
    if "comment_of" in c:
        return SchemaChange.update_column_comment(c["comment_of"], c["comment"])
    if "table_comment" in c:
        return SchemaChange.update_comment(c["table_comment"])
    raise ValueError(f"unknown change {c}")


def main():
    warehouse, ident, changes_path = sys.argv[1:4]
    catalog = CatalogFactory.create({"warehouse": warehouse})
    changes = [change(c) for c in json.load(open(changes_path))]
    catalog.alter_table(ident, changes)


if __name__ == "__main__":
    main()
