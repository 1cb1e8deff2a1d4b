"""name search bounded by the page: jobs by service point newest first, names' words

A search for a name that thousands of customers share ("Wang Wei", or the word
"wang") fetched and sorted every job of every such customer (20-60 ms at a million
jobs).  It now walks the service point's newest jobs on (service_point_id, id,
customer_id), which carries the customer, and stops at a page
(workshop/jobs/search.py).  On PostgreSQL the customers a word names come from
customer_name_words (one row per word of a name, a B-tree by service point and word,
kept by a trigger) instead of the GIN index on the names, which had to visit every
matching customer's row.  The statements are those of models/fulltext.py as they
were when this migration was made.

Revision ID: a41c7e9b2f60
Revises: d2a8f4c61e07
Create Date: 2026-11-28 08:30:00
"""

from alembic import op

revision = "a41c7e9b2f60"
down_revision = "d2a8f4c61e07"
branch_labels = None
depends_on = None

NAME_EXPRESSION = "to_tsvector('simple'::regconfig, coalesce({column}, ''))"
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
    op.create_index("ix_jobs_sp_id_customer", "jobs", ["service_point_id", "id", "customer_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in NAME_WORDS:
            op.execute(statement)
        op.execute("DROP INDEX IF EXISTS ix_customers_name_fts")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX IF NOT EXISTS ix_customers_name_fts ON customers USING gin ("
                   + NAME_EXPRESSION.format(column="name") + ")")
        op.execute("DROP TRIGGER IF EXISTS customer_name_words_keep ON customers")
        op.execute("DROP FUNCTION IF EXISTS customer_name_words_keep()")
        op.execute("DROP TABLE IF EXISTS customer_name_words")
    op.drop_index("ix_jobs_sp_id_customer", table_name="jobs")
