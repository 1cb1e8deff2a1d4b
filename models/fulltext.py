"""Full-text indexes over customer names and jobs' fault text (issue 16).

Words are matched by prefix, the same way on both databases: text is split into
words at spaces and punctuation (a run of Chinese characters is one word), and
every word typed must begin a word of the text ("wong" finds "Amy Wong", "屏幕"
finds "屏幕碎了", "scr" finds "Cracked screen").

- SQLite: FTS5 tables ``customers_fts`` (name) and ``jobs_fts`` (fault_description)
  holding the rowids of their tables (external content, tokenizer unicode61), kept by
  triggers on customers and jobs: written in the transaction that writes the row.
- PostgreSQL: a GIN index on ``to_tsvector('simple', fault_description)``, kept by
  PostgreSQL itself; and for names the table ``customer_name_words`` (one row per
  word of each customer's name, the words ``to_tsvector('simple', name)`` makes, on a
  B-tree by service point and word), kept by a trigger on customers.  A GIN index
  answers a common word ("wang", tens of thousands of customers) only by visiting
  every matching customer's row; the B-tree gives the ids from the index alone
  (migration a41c7e9b2f60 replaced the names' GIN index with it).

The statements below are made by ``db.create_all()`` (tests, new databases) through
the listeners at the end; migration 7b3e9d2c4a15 creates them (and fills the SQLite
tables) on an existing database.  :mod:`workshop.jobs.fulltext` builds the queries.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

from .jobs import Customer, Job

#: (table, column, FTS5 table) of each full-text index.
INDEXED = (("customers", "name", "customers_fts"), ("jobs", "fault_description", "jobs_fts"))

#: The PostgreSQL expression each GIN index is on; queries repeat it exactly.
PG_EXPRESSION = "to_tsvector('simple'::regconfig, coalesce({column}, ''))"


def sqlite_statements(table: str, column: str, fts: str) -> list[str]:
    """The FTS5 table of ``table.column`` and the triggers that keep it (the names are
    the constants of :data:`INDEXED`, never input)."""
    create = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({column}, content='{table}', "
              f"content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    add = f"INSERT INTO {fts} (rowid, {column}) VALUES (new.id, new.{column});"  # nosec B608
    remove = f"INSERT INTO {fts} ({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"  # nosec B608
    return [
        create,
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN {remove} {add} END",
    ]


def postgresql_statements(table: str, column: str) -> list[str]:
    if table == "customers":
        return list(NAME_WORDS_PG)
    expression = PG_EXPRESSION.format(column=column)
    return [f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_fts ON {table} USING gin ({expression})"]


#: PostgreSQL: the words of customers' names (see the module's docstring).  Words are
#: compared byte by byte (COLLATE "C"), so a word's beginning is a range of the B-tree.
#: The words are those of PG_EXPRESSION on the name (written out: one literal statement).
NAME_WORDS_PG = (
    ('CREATE TABLE IF NOT EXISTS customer_name_words (service_point_id integer NOT NULL, '
    'word text COLLATE "C" NOT NULL, customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE, '
    'PRIMARY KEY (service_point_id, word, customer_id))'),
    "CREATE INDEX IF NOT EXISTS ix_customer_name_words_customer ON customer_name_words (customer_id)",
    ("CREATE OR REPLACE FUNCTION customer_name_words_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "DELETE FROM customer_name_words WHERE customer_id = NEW.id; "
    "INSERT INTO customer_name_words (service_point_id, word, customer_id) "
    "SELECT DISTINCT NEW.service_point_id, w, NEW.id "
    "FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig, coalesce(NEW.name, '')))) AS w; "
    "RETURN NULL; END $$"),
    "DROP TRIGGER IF EXISTS customer_name_words_keep ON customers",
    ("CREATE TRIGGER customer_name_words_keep AFTER INSERT OR UPDATE OF name, service_point_id "
    "ON customers FOR EACH ROW EXECUTE FUNCTION customer_name_words_keep()"),
)


#: The tables SQLite's FTS5 makes for each index (the virtual table and its shadows).
_FTS_SUFFIXES = ("", "_data", "_idx", "_docsize", "_config", "_content")


def include_name(name, type_, parent_names) -> bool:
    """Alembic's ``include_name`` hook: leave the full-text tables and indexes (made by
    this module and migration 7b3e9d2c4a15, not by the models' tables) out of
    autogenerate's comparison."""
    if type_ == "table":
        return name != "customer_name_words" and not any(
            name == fts + suffix for _, _, fts in INDEXED for suffix in _FTS_SUFFIXES)
    if type_ == "index":
        return name not in {f"ix_{table}_{column}_fts" for table, column, _ in INDEXED}
    return True


def _listen(model, column: str, fts: str) -> None:
    table = model.__table__
    for statement in sqlite_statements(table.name, column, fts):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in postgresql_statements(table.name, column):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    # The FTS5 table outlives a dropped table (its triggers do not): drop it with it;
    # so would the names' words table (it refers to customers).
    event.listen(table, "before_drop", DDL(f"DROP TABLE IF EXISTS {fts}").execute_if(dialect="sqlite"))
    if table.name == "customers":
        event.listen(table, "before_drop", DDL("DROP TABLE IF EXISTS customer_name_words")
                     .execute_if(dialect="postgresql"))


_listen(Customer, "name", "customers_fts")
_listen(Job, "fault_description", "jobs_fts")
