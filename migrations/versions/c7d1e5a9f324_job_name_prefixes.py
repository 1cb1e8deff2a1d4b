"""customers' names found by the beginnings of their words, newest job first

Name search read every customer of a name from a full-text index (SQLite's
customers_fts, PostgreSQL's customer_name_words) and then walked the service point's
newest jobs until a page of theirs turned up: 5-7 ms of SQL at a million jobs for a
name a few hundred customers share, growing with the history.  job_name_prefixes
holds one row per beginning of each word of each job's customer's name, a B-tree by
(service point, prefix, job), read newest first and stopping at the page
(workshop/jobs/name_index.py, which keeps it on every flush).  The customers' name
indexes it replaces are dropped.  The table is filled here by name_index.rebuild
(about a minute for a million jobs).

Revision ID: c7d1e5a9f324
Revises: a41c7e9b2f60
Create Date: 2026-11-28 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c7d1e5a9f324"
down_revision = "a41c7e9b2f60"
branch_labels = None
depends_on = None

#: What the downgrade puts back (the statements of migrations 7b3e9d2c4a15 and
#: a41c7e9b2f60 for names).
CUSTOMERS_FTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS customers_fts USING fts5(name, content='customers', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS customers_fts_insert AFTER INSERT ON customers BEGIN "
    "INSERT INTO customers_fts (rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER IF NOT EXISTS customers_fts_delete AFTER DELETE ON customers BEGIN "
    "INSERT INTO customers_fts (customers_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER IF NOT EXISTS customers_fts_update AFTER UPDATE OF name ON customers BEGIN "
    "INSERT INTO customers_fts (customers_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO customers_fts (rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO customers_fts (customers_fts) VALUES ('rebuild')",
)
NAME_WORDS = (
    'CREATE TABLE IF NOT EXISTS customer_name_words (service_point_id integer NOT NULL, '
    'word text COLLATE "C" NOT NULL, customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE, '
    'PRIMARY KEY (service_point_id, word, customer_id))',
    "CREATE INDEX IF NOT EXISTS ix_customer_name_words_customer ON customer_name_words (customer_id)",
    "CREATE OR REPLACE FUNCTION customer_name_words_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "DELETE FROM customer_name_words WHERE customer_id = NEW.id; "
    "INSERT INTO customer_name_words (service_point_id, word, customer_id) "
    "SELECT DISTINCT NEW.service_point_id, w, NEW.id "
    "FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig, coalesce(NEW.name, '')))) AS w; "
    "RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS customer_name_words_keep ON customers",
    "CREATE TRIGGER customer_name_words_keep AFTER INSERT OR UPDATE OF name, service_point_id "
    "ON customers FOR EACH ROW EXECUTE FUNCTION customer_name_words_keep()",
    "INSERT INTO customer_name_words (service_point_id, word, customer_id) "
    "SELECT DISTINCT c.service_point_id, w, c.id FROM customers c, "
    "unnest(tsvector_to_array(to_tsvector('simple'::regconfig, coalesce(c.name, '')))) AS w ON CONFLICT DO NOTHING",
)


def upgrade():
    op.create_table(
        "job_name_prefixes",
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("service_point_id", "prefix", "job_id", name="pk_job_name_prefixes"),
        sqlite_with_rowid=False,
    )
    from workshop.jobs import name_index  # the rule that fills it, as the app keeps it

    name_index.rebuild(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("customers_fts_insert", "customers_fts_delete", "customers_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS customers_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS customer_name_words_keep ON customers")
        op.execute("DROP FUNCTION IF EXISTS customer_name_words_keep()")
        op.execute("DROP TABLE IF EXISTS customer_name_words")


def downgrade():
    for statement in CUSTOMERS_FTS if op.get_bind().dialect.name == "sqlite" else NAME_WORDS:
        op.execute(statement)
    op.drop_table("job_name_prefixes")
