"""The newest jobs that match, at a cost bounded by the page rather than the history.

A match that a tenth of the history meets ("screen" in the fault text, a name that
thousands of customers share) is cheapest found by walking the newest jobs and
stopping at a page; a rare one by its own index, sorting the few rows it finds.
:func:`newest_first` does the first over a window of the newest job ids and falls
back to the second below it, so neither kind reads the whole history.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select, union

from models import Job, db


def newest_first(walk: Select, older: Select, limit: int, *, window: int, before: int | None = None):
    """A select of the ids of the newest ``limit`` jobs that ``walk`` and ``older``
    select (two ``select(Job.id)`` statements for the same jobs, read differently),
    below id ``before`` when given.

    ``walk`` is asked for the newest ``window`` job ids only, newest first (on an index
    in id order: a common match fills the page within the first few hundred).  Only
    when those hold less than a page is ``older`` asked for the rest, below the
    window: the match is then rare there, and ``older`` finds it by its own index and
    sorts the few rows (``id + 0`` keeps the planner from walking every job instead)."""
    top = before if before is not None else (db.session.scalar(select(func.max(Job.id))) or 0) + 1
    recent = list(db.session.scalars(walk.where(Job.id >= top - window, Job.id < top)
                                     .order_by(Job.id.desc()).limit(limit)))
    newest = select(Job.id).where(Job.id.in_(recent or [0]))
    if len(recent) >= limit or top <= window:
        return newest
    below = older.where(Job.id < top - window).order_by((Job.id + 0).desc()).limit(limit).subquery()
    return union(select(below.c.id), newest)
