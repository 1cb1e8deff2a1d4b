"""full-text search of customer names and fault text, phone search by the last four digits

SQLite: FTS5 tables customers_fts (name) and jobs_fts (fault_description) with the
triggers that keep them, filled from the rows already there.  PostgreSQL: GIN
indexes on to_tsvector('simple', ...) of the same columns.  Both: indexes on
(service_point_id, the phone's last four characters) and (service_point_id, name).  The statements are those of
models/fulltext.py, written out here as they were when this migration was made.

Revision ID: 7b3e9d2c4a15
Revises: 9b4d2e7c1a60
Create Date: 2026-11-28 05:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7b3e9d2c4a15"
down_revision = "9b4d2e7c1a60"
branch_labels = None
depends_on = None

INDEXED = (("customers", "name", "customers_fts"), ("jobs", "fault_description", "jobs_fts"))
PG_EXPRESSION = "to_tsvector('simple'::regconfig, coalesce({column}, ''))"


def _sqlite(table, column, fts):
    return [
        (f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({column}, content='{table}', content_rowid='id', "
         f"tokenize='unicode61 remove_diacritics 2')"),
        (f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
         f"INSERT INTO {fts} (rowid, {column}) VALUES (new.id, new.{column}); END"),
        (f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
         f"INSERT INTO {fts} ({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); END"),
        (f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN "
         f"INSERT INTO {fts} ({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column}); "
         f"INSERT INTO {fts} (rowid, {column}) VALUES (new.id, new.{column}); END"),
        # the rows already there
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",
    ]


def upgrade():
    op.create_index("ix_customers_sp_phone_tail", "customers",
                    ["service_point_id", sa.text("substr(phone, length(phone) - 3)")])
    op.create_index("ix_customers_sp_name", "customers", ["service_point_id", "name"])
    dialect = op.get_bind().dialect.name
    for table, column, fts in INDEXED:
        if dialect == "sqlite":
            for statement in _sqlite(table, column, fts):
                op.execute(statement)
        elif dialect == "postgresql":
            op.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_fts ON {table} USING gin "
                       f"({PG_EXPRESSION.format(column=column)})")


def downgrade():
    dialect = op.get_bind().dialect.name
    for table, column, fts in INDEXED:
        if dialect == "sqlite":
            for suffix in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
        elif dialect == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_fts")
    op.drop_index("ix_customers_sp_name", table_name="customers")
    op.drop_index("ix_customers_sp_phone_tail", table_name="customers")
