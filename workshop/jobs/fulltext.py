"""Full-text search of jobs' fault text, on the indexes of :mod:`models.fulltext`:
FTS5 on SQLite, GIN over ``to_tsvector('simple', ...)`` on PostgreSQL.  Every word
typed must begin a word of the text, on both databases.  The words of what is typed
(:func:`words`) are also those a customer's name is looked up by
(:mod:`workshop.jobs.name_index`)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import Integer, and_, column, func, literal, literal_column, select, table, text

from models import Job, db
from models.fulltext import PG_EXPRESSION
from workshop.jobs import paging

#: A word as both indexes cut text: letters and digits (a run of Chinese characters is one).
WORD = re.compile(r"[^\W_]+")
#: At most this many words are matched (the rest of a long query is ignored).
MAX_WORDS = 6

_JOBS_FTS = table("jobs_fts", column("rowid", Integer), column("jobs_fts"))
#: Above every character: ``value + _TOP`` bounds the strings that begin with value.
_TOP = "\U0010ffff"


def starts_with(column, value: str):
    """``column`` begins with ``value``, as a range a B-tree answers (not LIKE)."""
    return and_(column >= value, column < value + _TOP)


def words(typed: str) -> list[str]:
    """The words of ``typed`` worth a full-text lookup: lower case, NFKC; a one-letter
    Latin word or a lone digit is left out (it would begin too many words)."""
    found = WORD.findall(unicodedata.normalize("NFKC", typed or "").lower())
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


#: PostgreSQL: the newest this many job ids are read first (see :func:`fault_page`).
RECENT_WINDOW = 5_000


def fault_page(found: list[str], conditions: list, limit: int, *, before: int | None = None):
    """A select of the ids of the newest ``limit`` jobs (meeting ``conditions``; below
    id ``before`` when given) whose fault description has every word of ``found``.

    SQLite walks the FTS5 index newest first and stops at ``limit``.  PostgreSQL's GIN
    index answers in no order: a common word ("screen", a tenth of the history) would
    make it fetch a hundred thousand jobs to sort them.  So the newest
    :data:`RECENT_WINDOW` job ids are read first, newest first by primary key, and the
    GIN index is asked only when they hold less than a page
    (:func:`workshop.jobs.paging.newest_first`)."""
    if _dialect() == "sqlite":
        fts = _JOBS_FTS
        return (select(Job.id).select_from(fts).join(Job, Job.id == fts.c.rowid)
                .where(fts.c.jobs_fts.op("MATCH")(_fts5_query(found)), *conditions)
                .order_by(fts.c.rowid.desc()).limit(limit))
    # Each word is in the lower-cased text wherever a word begins with it: that test
    # costs a tenth of making the row's tsvector, so the walk over the newest jobs
    # makes it only for rows that can match (most rows, when a name is what was typed).
    # (Both sides lower-cased by PostgreSQL, as to_tsvector and to_tsquery do; a word
    # holds letters and digits only, nothing LIKE reads as a pattern.)
    anywhere = [func.lower(Job.fault_description).contains(func.lower(literal(word))) for word in found]
    matching = select(Job.id).where(*anywhere, _tsvector("jobs.fault_description").op("@@")(_tsquery_of(found)),
                                    *conditions)
    return paging.newest_first(matching, matching, limit, window=RECENT_WINDOW, before=before)
