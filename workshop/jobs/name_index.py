"""Jobs found by their customer's name, newest first, at a cost bounded by the page
(issue 16).

Every job has one row per beginning of each word of its customer's name in
``job_name_prefixes`` (service point, prefix, job; :data:`models.JOB_NAME_PREFIXES`):
``王芳`` gives 王 and 王芳, ``Amy Wong`` gives am, amy, wo, won and wong (a Latin
beginning has two letters at least, as :func:`workshop.jobs.fulltext.words` asks of
what is typed).  Its B-tree, in (service point, prefix, job) order, lists the jobs of
every customer whose name has a word beginning so, newest first, and a search reads
it backwards and stops at its page: the same few index pages whether ten customers
share the name or ten thousand, and whether the history holds ten thousand jobs or
ten million.  (The customers' full-text index it replaces had to read every
customer of the name, then walk the jobs until a page of theirs turned up.)

Written by a listener on every flush (:func:`install`): new jobs, jobs moved to
another customer, renamed customers, removed jobs; in the transaction that writes
them.  A job's name is read from the database under a share lock (PostgreSQL), so a
name another counter corrects at the same moment is never missed; what is typed is
cut into words the way names are (:func:`typed_words`).
:func:`rebuild` fills it for an existing database (migration c7d1e5a9f324,
bench/data.py).  Plain Python: nothing here commits.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import Select, delete, event, exists, false, insert, inspect, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import JOB_NAME_PREFIXES, Customer, Job
from workshop.jobs.fulltext import WORD, words

#: A word's beginnings are kept up to this many characters (the column's length); a
#: word typed longer is matched by its first MAX_PREFIX (names whose words agree that
#: far are found too).
MAX_PREFIX = JOB_NAME_PREFIXES.c.prefix.type.length
#: Rows written per statement by :func:`rebuild`.
_BATCH = 20_000

_P = JOB_NAME_PREFIXES


def fold(text: str) -> str:
    """``text`` as names are compared: NFKC, lower case, without diacritics (José ->
    jose), so what is typed and what is stored meet however either was entered."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text or "").lower())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def prefixes(name: str | None) -> set[str]:
    """The beginnings of the words of ``name`` that find it (see the module's docstring)."""
    found: set[str] = set()
    for word in WORD.findall(fold(name or "")):
        for length in range(2 if word.isascii() else 1, min(len(word), MAX_PREFIX) + 1):
            found.add(word[:length])
    return found


def typed_words(typed: str) -> list[str]:
    """The words of ``typed`` a name is looked up by: cut as :func:`prefixes` cuts a
    name (folded first, so "İlhan" or "कृष्ण" typed meets the name as stored), a
    the words :func:`workshop.jobs.fulltext.words` keeps (no one-letter Latin word:
    no such beginning is kept), each at most :data:`MAX_PREFIX` long."""
    return list(dict.fromkeys(w[:MAX_PREFIX] for w in words(fold(typed))))


def jobs_named(typed: str, service_point_ids: Iterable[int], conditions: list, limit: int,
               before: int | None = None) -> Select | None:
    """A select of the ids of the newest ``limit`` jobs at ``service_point_ids``
    (meeting ``conditions`` on jobs; below id ``before`` when given) whose customer's
    name has a word beginning with each word of ``typed`` (:func:`typed_words`); None
    when ``typed`` has no such word.

    The longest word typed (the likeliest to be rare) is read newest first from the
    index, each other word checked on the same index for that job; one such walk per
    service point, each stopping at ``limit``."""
    looked_up = sorted(typed_words(typed), key=lambda w: (-len(w), w))
    if not looked_up:
        return None
    driver, others = looked_up[0], looked_up[1:]
    pages = []
    for sp in sorted(set(service_point_ids)):
        walked = _P.alias("named")
        stmt = (select(walked.c.job_id).join(Job, Job.id == walked.c.job_id)
                .where(walked.c.service_point_id == sp, walked.c.prefix == driver, *conditions))
        if before is not None:  # on the index itself: a later page starts where the last one ended
            stmt = stmt.where(walked.c.job_id < before)
        for word in others:
            other = _P.alias()
            stmt = stmt.where(exists().where(other.c.service_point_id == sp, other.c.prefix == word,
                                             other.c.job_id == walked.c.job_id))
        pages.append(stmt.order_by(walked.c.job_id.desc()).limit(limit).subquery())
    if not pages:  # no service point: nothing to find
        return select(Job.id).where(false())
    if len(pages) == 1:
        return select(pages[0].c.job_id.label("id"))
    return union(*[select(page.c.job_id.label("id")) for page in pages])


def _rows(service_point_id: int, name: str | None, job_id: int) -> list[dict]:
    return [{"service_point_id": service_point_id, "prefix": p, "job_id": job_id} for p in prefixes(name)]


def _remove(connection, service_point_id: int, name: str | None, job_ids: list[int]) -> None:
    """Remove the rows ``name`` gave ``job_ids`` (on the primary key: no other index)."""
    gone = prefixes(name)
    if gone and job_ids:
        connection.execute(delete(_P).where(_P.c.service_point_id == service_point_id, _P.c.prefix.in_(gone),
                                            _P.c.job_id.in_(job_ids)))


def _history(obj, attribute: str):
    """(value before this flush, whether it changed)."""
    history = inspect(obj).attrs[attribute].history
    return (history.deleted[0] if history.deleted else getattr(obj, attribute)), history.has_changes()


def _after_flush(session: Session, _context) -> None:
    connection = None
    rows: list[dict] = []
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, Job | Customer):
            continue
        connection = connection or session.connection()
        if isinstance(obj, Job):
            if obj not in session.new:
                old_customer, moved = _history(obj, "customer_id")
                old_sp, moved_sp = _history(obj, "service_point_id")
                if not (moved or moved_sp or obj in session.deleted):
                    continue
                _remove(connection, old_sp, _name_before(session, connection, old_customer), [obj.id])
            if obj not in session.deleted:
                rows += _rows(obj.service_point_id, _name_now(connection, obj.customer_id), obj.id)
        elif obj in session.dirty:
            old_name, renamed = _history(obj, "name")
            if not renamed:
                continue
            jobs = connection.execute(select(Job.id, Job.service_point_id).where(Job.customer_id == obj.id)).all()
            for sp in {sp for _, sp in jobs}:
                _remove(connection, sp, old_name, [job_id for job_id, job_sp in jobs if job_sp == sp])
            rows += [row for job_id, sp in jobs for row in _rows(sp, obj.name, job_id)]
    if rows:
        # A job both new (or moved) and of a renamed customer in this flush is written once.
        unique = {(r["service_point_id"], r["prefix"], r["job_id"]): r for r in rows}
        dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        connection.execute(dialect_insert(_P).on_conflict_do_nothing(), list(unique.values()))


def _name_before(session: Session, connection, customer_id: int | None) -> str | None:
    """The name customer ``customer_id`` had before this flush (what its jobs' rows
    were written from), also when the flush renamed it."""
    key = inspect(Customer).identity_key_from_primary_key((customer_id,))
    customer = session.identity_map.get(key) if customer_id is not None else None
    if customer is not None:
        return _history(customer, "name")[0]
    return _name_now(connection, customer_id)


def _name_now(connection, customer_id: int | None) -> str | None:
    """The customer's name as it is now, read under a share lock on PostgreSQL: a
    rename by another counter either waits for this transaction (and then rewrites
    this job's rows with its own) or has committed, and this reads its name."""
    if customer_id is None:
        return None
    return connection.execute(select(Customer.name).where(Customer.id == customer_id)
                              .with_for_update(read=True)).scalar()


def rebuild(connection, log=None) -> int:
    """Write every job's rows anew (an existing database: a migration, bench/data.py);
    returns how many.  Jobs are read in id order, a batch at a time.  Nothing is
    committed."""
    connection.execute(delete(_P))
    written, last = 0, 0
    while True:
        jobs = connection.execute(
            select(Job.id, Job.service_point_id, Customer.name).join(Customer, Customer.id == Job.customer_id)
            .where(Job.id > last).order_by(Job.id).limit(_BATCH)).all()
        if not jobs:
            return written
        rows = [row for job_id, sp, name in jobs for row in _rows(sp, name, job_id)]
        if rows:
            connection.execute(insert(_P), rows)
        written, last = written + len(rows), jobs[-1][0]
        if log:
            log(f"job_name_prefixes: {written:,} rows, jobs up to {last:,}")


def install() -> None:
    """Keep the index right on every flush of every session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
