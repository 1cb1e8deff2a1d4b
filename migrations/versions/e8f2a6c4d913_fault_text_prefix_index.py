"""fault text: SQLite's full-text index keeps the beginnings of words (2 to 8 letters)

A word typed is matched by its beginning ("scr" finds "screen").  Without a prefix
index FTS5 answers such a query by merging the whole lists of every word that begins
so before it can give the newest few: 2-4 ms at a million jobs for a word in a tenth
of the faults, growing with the history.  With the beginnings of 2 to 8 characters
indexed (prefix='2 3 4 5 6 7 8'), the list of the beginning typed is read newest
first and stops at the page (0.05-0.5 ms).  The index grows about fivefold (10 MB ->
51 MB for the generator's million faults); rebuilding it takes seconds.  The jobs'
triggers write to the table by name and are kept.  PostgreSQL is unchanged (its
search reads the newest jobs first, workshop/jobs/fulltext.py).

Revision ID: e8f2a6c4d913
Revises: c7d1e5a9f324
Create Date: 2026-11-28 12:10:00
"""

from alembic import op

revision = "e8f2a6c4d913"
down_revision = "c7d1e5a9f324"
branch_labels = None
depends_on = None

CREATE = ("CREATE VIRTUAL TABLE jobs_fts USING fts5(fault_description, content='jobs', content_rowid='id', "
          "tokenize='unicode61 remove_diacritics 2'{prefix})")


def _recreate(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS jobs_fts")
    op.execute(CREATE.format(prefix=prefix))
    op.execute("INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild')")


def upgrade():
    _recreate(", prefix='2 3 4 5 6 7 8'")


def downgrade():
    _recreate("")
