"""Full-text index over jobs' fault text, and the index of customers' names by the
beginnings of their words (issue 16).

Fault text is matched by prefix, the same way on both databases: text is split into
words at spaces and punctuation (a run of Chinese characters is one word), and
every word typed must begin a word of the text ("屏幕" finds "屏幕碎了", "scr" finds
"Cracked screen").

- SQLite: the FTS5 table ``jobs_fts`` (fault_description) holding the rowids of
  jobs (external content, tokenizer unicode61, the beginnings of words of 2 to 8
  characters indexed too), kept by triggers on jobs: written in the transaction that
  writes the row.
- PostgreSQL: a GIN index on ``to_tsvector('simple', fault_description)``, kept by
  PostgreSQL itself.

Names: :data:`JOB_NAME_PREFIXES`, one row per beginning of each word of a job's
customer's name, on a B-tree by (service point, prefix, job): the same on both
databases, kept by :mod:`workshop.jobs.name_index` (which says why).  It replaced the
customers' FTS5 table and PostgreSQL's ``customer_name_words`` (migration
c7d1e5a9f324).

The statements below are made by ``db.create_all()`` (tests, new databases) through
the listeners at the end; migration 7b3e9d2c4a15 creates them (and fills the SQLite
table) on an existing database.  :mod:`workshop.jobs.fulltext` builds the queries.
"""

from __future__ import annotations

from sqlalchemy import DDL, Column, Integer, PrimaryKeyConstraint, String, Table, event

from .base import db
from .jobs import Job

#: (table, column, FTS5 table) of each full-text index.
INDEXED = (("jobs", "fault_description", "jobs_fts"),)
#: SQLite: the beginnings of words kept in the FTS5 index, so a word typed (matched by
#: its beginning) reads one list newest first instead of merging the lists of every
#: word that begins so (migration e8f2a6c4d913).
FTS5_PREFIXES = "2 3 4 5 6 7 8"

#: The beginnings of the words of each job's customer's name (workshop/jobs/name_index.py).
#: No rowid on SQLite: the primary key is the table, and the only index a walk reads.
#: No foreign key either: it is an index the workshop keeps (a job removed takes its
#: rows with it, workshop/jobs/name_index.py), and a key on job_id would need a second
#: index for PostgreSQL to check it on every removed job.
JOB_NAME_PREFIXES = Table(
    "job_name_prefixes", db.metadata,
    Column("service_point_id", Integer, nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("job_id", Integer, nullable=False),
    PrimaryKeyConstraint("service_point_id", "prefix", "job_id", name="pk_job_name_prefixes"),
    sqlite_with_rowid=False,
)

#: The PostgreSQL expression each GIN index is on; queries repeat it exactly.
PG_EXPRESSION = "to_tsvector('simple'::regconfig, coalesce({column}, ''))"


def sqlite_statements(table: str, column: str, fts: str) -> list[str]:
    """The FTS5 table of ``table.column`` and the triggers that keep it (the names are
    the constants of :data:`INDEXED`, never input)."""
    create = (f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({column}, content='{table}', "
              f"content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='{FTS5_PREFIXES}')")
    add = f"INSERT INTO {fts} (rowid, {column}) VALUES (new.id, new.{column});"  # nosec B608
    remove = f"INSERT INTO {fts} ({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"  # nosec B608
    return [
        create,
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN {remove} {add} END",
    ]


def postgresql_statements(table: str, column: str) -> list[str]:
    expression = PG_EXPRESSION.format(column=column)
    return [f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_fts ON {table} USING gin ({expression})"]


#: The tables SQLite's FTS5 makes for each index (the virtual table and its shadows).
_FTS_SUFFIXES = ("", "_data", "_idx", "_docsize", "_config", "_content")


def include_name(name, type_, parent_names) -> bool:
    """Alembic's ``include_name`` hook: leave the full-text tables and indexes (made by
    this module and migration 7b3e9d2c4a15, not by the models' tables) out of
    autogenerate's comparison."""
    if type_ == "table":
        return not any(name == fts + suffix for _, _, fts in INDEXED for suffix in _FTS_SUFFIXES)
    if type_ == "index":
        return name not in {f"ix_{table}_{column}_fts" for table, column, _ in INDEXED}
    return True


def _listen(model, column: str, fts: str) -> None:
    table = model.__table__
    for statement in sqlite_statements(table.name, column, fts):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in postgresql_statements(table.name, column):
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    # The FTS5 table outlives a dropped table (its triggers do not): drop it with it.
    event.listen(table, "before_drop", DDL(f"DROP TABLE IF EXISTS {fts}").execute_if(dialect="sqlite"))


_listen(Job, "fault_description", "jobs_fts")
