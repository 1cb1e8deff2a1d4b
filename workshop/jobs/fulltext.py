"""Full-text search of customer names and fault text, on the indexes of
:mod:`models.fulltext`: FTS5 on SQLite, GIN over ``to_tsvector('simple', ...)`` on
PostgreSQL.  Every word typed must begin a word of the text, on both databases."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Integer, column, func, literal_column, select, table, text

from models import Customer, Job, db
from models.fulltext import PG_EXPRESSION

#: A word as both indexes cut text: letters and digits (a run of Chinese characters is one).
_WORD = re.compile(r"[^\W_]+")
#: At most this many words are matched (the rest of a long query is ignored).
MAX_WORDS = 6

_JOBS_FTS = table("jobs_fts", column("rowid", Integer), column("jobs_fts"))


def words(typed: str) -> list[str]:
    """The words of ``typed`` worth a full-text lookup: lower case, NFKC; a one-letter
    Latin word or a lone digit is left out (it would begin too many words)."""
    found = _WORD.findall(unicodedata.normalize("NFKC", typed or "").lower())
    return [w for w in found if len(w) >= 2 or not w.isascii()][:MAX_WORDS]


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _fts5_query(found: list[str]) -> str:
    # Each word quoted (only letters and digits reach here) and matched as a prefix.
    return " ".join(f'"{w}"*' for w in found)


def _tsquery(found: list[str]) -> str:
    return " & ".join(f"{w}:*" for w in found)


def _tsvector(qualified_column: str):
    """The indexed expression (models.fulltext.PG_EXPRESSION) on ``table.column``."""
    return literal_column(PG_EXPRESSION.format(column=qualified_column))


def _tsquery_of(found: list[str]):
    return text("to_tsquery('simple'::regconfig, :tsquery)").bindparams(tsquery=_tsquery(found))


def customer_name_matches(found: list[str]):
    """A WHERE term on customers: the name has every word of ``found`` (as prefixes)."""
    if _dialect() == "sqlite":
        ids = text("SELECT rowid FROM customers_fts WHERE customers_fts MATCH :fts_name").bindparams(
            fts_name=_fts5_query(found)).columns(rowid=Integer)
        return Customer.id.in_(ids)
    return _tsvector("customers.name").op("@@")(_tsquery_of(found))


#: PostgreSQL: the newest this many job ids are read first (see :func:`fault_page`).
RECENT_WINDOW = 5_000


def fault_page(found: list[str], conditions: list, limit: int, *, before: int | None = None):
    """A select of the ids of the newest ``limit`` jobs (meeting ``conditions``; below
    id ``before`` when given) whose fault description has every word of ``found``.

    SQLite walks the FTS5 index newest first and stops at ``limit``.  PostgreSQL's GIN
    index answers in no order: a common word ("screen", a tenth of the history) would
    make it fetch a hundred thousand jobs to sort them.  So the newest
    :data:`RECENT_WINDOW` job ids are read first, newest first by primary key, until a
    page is found (a common word fills it at once); only when they hold less than a
    page is the whole history asked, through the GIN index (then the word is rare and
    the index answers with few rows; ``id + 0`` keeps the planner from walking every
    job by primary key instead)."""
    if _dialect() == "sqlite":
        fts = _JOBS_FTS
        return (select(Job.id).select_from(fts).join(Job, Job.id == fts.c.rowid)
                .where(fts.c.jobs_fts.op("MATCH")(_fts5_query(found)), *conditions)
                .order_by(fts.c.rowid.desc()).limit(limit))
    matching = select(Job.id).where(_tsvector("jobs.fault_description").op("@@")(_tsquery_of(found)), *conditions)
    top = before if before is not None else (db.session.scalar(select(func.max(Job.id))) or 0) + 1
    recent = list(db.session.scalars(matching.where(Job.id >= top - RECENT_WINDOW, Job.id < top)
                                      .order_by(Job.id.desc()).limit(limit)))
    if len(recent) >= limit or top <= RECENT_WINDOW:
        return select(Job.id).where(Job.id.in_(recent or [0]))
    return matching.where(Job.id < top - RECENT_WINDOW).order_by((Job.id + 0).desc()).limit(limit).union(
        select(Job.id).where(Job.id.in_(recent or [0])))
