"""The reports' maintained summaries, kept right by the same transactions that
change what they sum up:

- :class:`models.CollectedJobFact`, one row per collected job (its days to ready and
  to collection, on time, first-time fix, bill, parts cost);
- :class:`models.ReportDay`, one row per service point and local day (jobs received,
  re-repairs, warranty jobs; and the collected-job rows of the day counted and summed).

A session listener runs after every flush: a new or changed pickup, a job taken in
as a re-repair (which may turn an earlier job's first-time fix into a come-back), a
move to ``ready``, and a changed requisition of a collected job each recompute that
job's row from the live rows, with the very code the KPIs' recount uses
(:func:`kpis.live_collected`); then every (service point, day) whose counts the flush
may have changed -- a job changed, a collected-job row written or removed, before
and after -- is recounted by :func:`day_rows` from the raw rows; a job taken in is
added to its day's row (:func:`add_received`), unless that day was recounted.  All
inside the flush's own transaction: the summaries commit or roll back with the change.
:func:`rebuild` recomputes everything (migrations, bench data, repairs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from types import SimpleNamespace

from sqlalchemy import and_, case, delete, event, func, insert, inspect, literal, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import CollectedJobFact, Job, JobEvent, PickupRecord, ReportDay, Requisition, ServicePoint
from models.parts import RequisitionLine
from workshop.core.clock import zone

from . import kpis

BATCH = 2000
#: (service point id, local day) pairs recounted per statement.
DAY_BATCH = 200

Day = tuple[int, dt.date]


def _zones(connection) -> dict:
    return {sp_id: zone(SimpleNamespace(timezone=tz))
            for sp_id, tz in connection.execute(select(ServicePoint.id, ServicePoint.timezone))}


def _refresh_facts(connection, job_ids: Iterable[int]) -> tuple[int, set[Day]]:
    """Recompute the collected-job rows of ``job_ids``; returns how many were written
    and the (service point, collection day) of every row removed or written."""
    ids = sorted({i for i in job_ids if i is not None})
    days: set[Day] = set()
    if not ids:
        return 0, days
    zones = _zones(connection)
    written = 0
    f = CollectedJobFact
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        facts = kpis.live_collected(Job.id.in_(chunk), zones, connection=connection)
        days.update((sp, _as_date(day)) for sp, day in connection.execute(
            select(f.service_point_id, f.collected_on).where(f.job_id.in_(chunk))))
        days.update((c.service_point_id, c.collected_on) for c in facts)
        connection.execute(delete(CollectedJobFact).where(CollectedJobFact.job_id.in_(chunk)))
        if facts:
            connection.execute(insert(CollectedJobFact), [
                {"job_id": c.job_id, "service_point_id": c.service_point_id, "collected_on": c.collected_on,
                 "ready_on": c.ready_on, "days_to_ready": c.days_to_ready, "days_to_collected": c.days_to_collected,
                 "on_time": c.on_time, "first_time_fix": c.first_time_fix, "total": c.total,
                 "parts_cost": c.parts_cost} for c in facts])
        written += len(facts)
    return written, days


def refresh(connection, job_ids: Iterable[int], days: Iterable[Day] = ()) -> int:
    """Recompute the collected-job rows of ``job_ids`` (a job without a pickup has
    none), then the daily rows of their collection days and of ``days``.  Returns the
    number of collected-job rows written.  Nothing is committed."""
    written, touched = _refresh_facts(connection, job_ids)
    refresh_days(connection, touched | set(days))
    return written


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def day_rows(days: Iterable[Day] | None = None):
    """The daily rows recounted from the raw rows, as a SELECT of ``service_point_id,
    day`` and :data:`ReportDay.COUNTS`: jobs by ``received_on``, collected-job rows by
    ``collected_on``, per service point.  ``days`` limits it to those (service point,
    day) pairs (``None``: every day)."""
    f = CollectedJobFact
    zero = literal(0)

    def only(sp_col, day_col):
        if days is None:
            return literal(True)
        return or_(*(and_(sp_col == sp, day_col == day) for sp, day in days))

    received = (select(Job.service_point_id.label("sp"), Job.received_on.label("day"),
                       func.count().label("received"),
                       func.sum(case((Job.rerepair_of_id.is_not(None), 1), else_=0)).label("rerepairs"),
                       func.sum(case((Job.warranty_chargeable.is_(False), 1), else_=0)).label("warranty"),
                       zero.label("collected"), zero.label("made_ready"), zero.label("on_time_base"),
                       zero.label("on_time"), zero.label("ftf_base"), zero.label("first_time_fix"),
                       zero.label("charged"), zero.label("revenue"), zero.label("parts_cost"))
                .where(only(Job.service_point_id, Job.received_on))
                .group_by(Job.service_point_id, Job.received_on))
    collected = (select(f.service_point_id, f.collected_on, zero, zero, zero, func.count(),
                        func.count(f.days_to_ready), func.count(f.on_time),
                        func.sum(case((f.on_time.is_(True), 1), else_=0)), func.count(f.first_time_fix),
                        func.sum(case((f.first_time_fix.is_(True), 1), else_=0)),
                        func.sum(case((f.total > 0, 1), else_=0)), func.sum(f.total), func.sum(f.parts_cost))
                 .where(only(f.service_point_id, f.collected_on))
                 .group_by(f.service_point_id, f.collected_on))
    both = union_all(received, collected).subquery("both_sides")
    return (select(both.c.sp, both.c.day, *(func.sum(both.c[name]) for name in ReportDay.COUNTS))
            .group_by(both.c.sp, both.c.day))


_DAY_COLUMNS = ["service_point_id", "day", *ReportDay.COUNTS]


def refresh_days(connection, days: Iterable[Day]) -> set[Day]:
    """Recount the daily rows of ``days`` ((service point id, local day) pairs) from the
    raw rows; a day with nothing left loses its row.  Returns the days recounted (as
    dates).  Nothing is committed."""
    days = sorted({(sp, _as_date(day)) for sp, day in days if sp is not None and day is not None})
    r = ReportDay
    for start in range(0, len(days), DAY_BATCH):
        chunk = days[start:start + DAY_BATCH]
        connection.execute(delete(r).where(or_(*(and_(r.service_point_id == sp, r.day == day)
                                                 for sp, day in chunk))))
        connection.execute(insert(r).from_select(_DAY_COLUMNS, day_rows(chunk)))
    return set(days)


def rebuild_days(connection) -> int:
    """Recount every daily row from the raw rows (the collected-job rows must be
    right).  Nothing is committed; returns the number of rows."""
    connection.execute(delete(ReportDay))
    connection.execute(insert(ReportDay).from_select(_DAY_COLUMNS, day_rows()))
    return connection.execute(select(func.count()).select_from(ReportDay)).scalar_one()


def rebuild_facts(connection) -> int:
    """Recompute every collected-job row (not the daily rows).  Nothing is committed;
    returns the number of rows."""
    connection.execute(delete(CollectedJobFact))
    ids = [i for (i,) in connection.execute(select(PickupRecord.job_id).order_by(PickupRecord.job_id))]
    return _refresh_facts(connection, ids)[0]


def rebuild(connection) -> int:
    """Recompute both summaries from the live rows.  Nothing is committed; returns the
    number of collected-job rows."""
    written = rebuild_facts(connection)
    rebuild_days(connection)
    return written


def _changed(obj, attribute: str) -> bool:
    return inspect(obj).attrs[attribute].history.has_changes()


def _old(obj, attribute: str):
    """The value ``attribute`` had before this flush (its current one if unchanged)."""
    history = inspect(obj).attrs[attribute].history
    return history.deleted[0] if history.deleted else getattr(obj, attribute)


def _received_days(session: Session) -> set[Day]:
    """(service point, received day) pairs whose received counts the flush may have
    changed, by changing or removing a job (new jobs: :func:`_new_jobs`)."""
    days: set[Day] = set()
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, Job):
            continue
        if obj in session.dirty and not any(_changed(obj, a) for a in _RECEIVED_COUNTED):
            continue  # a status move: the received counts stay
        days.add((obj.service_point_id, obj.received_on))
        days.add((_old(obj, "service_point_id"), _old(obj, "received_on")))
    return days


def _new_jobs(session: Session) -> dict[Day, tuple[int, int, int]]:
    """The jobs the flush inserts, counted as a daily row counts them: (service point,
    received day) -> (received, re-repairs, warranty jobs)."""
    counts: dict[Day, tuple[int, int, int]] = {}
    for obj in session.new:
        if isinstance(obj, Job) and obj.service_point_id is not None and obj.received_on is not None:
            day = (obj.service_point_id, _as_date(obj.received_on))
            n, rerepairs, warranty = counts.get(day, (0, 0, 0))
            counts[day] = (n + 1, rerepairs + (obj.rerepair_of_id is not None),
                           warranty + (obj.warranty_chargeable is False))
    return counts


def add_received(connection, counts: dict[Day, tuple[int, int, int]]) -> None:
    """Add new jobs' counts (as :func:`_new_jobs` gives them) to their daily rows, one
    insert-or-add per day (the row is made when the day has none): a job taken in
    costs one statement, not a recount of its day.  Nothing is committed."""
    r = ReportDay
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    for (sp, day), (n, rerepairs, warranty) in sorted(counts.items()):
        values = {name: 0 for name in r.COUNTS}
        values.update(received=n, rerepairs=rerepairs, warranty=warranty)
        stmt = dialect_insert(r).values(service_point_id=sp, day=day, **values)
        connection.execute(stmt.on_conflict_do_update(
            index_elements=[r.service_point_id, r.day],
            set_={"received": r.received + n, "rerepairs": r.rerepairs + rerepairs, "warranty": r.warranty + warranty}))


#: What the received side of a daily row counts by.
_RECEIVED_COUNTED = ("service_point_id", "received_on", "rerepair_of_id", "warranty_chargeable")


def _touched_jobs(session: Session) -> set[int]:
    """Jobs whose summary row the flush may have changed."""
    ids: set[int] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, PickupRecord):
            ids.add(obj.job_id)
        elif isinstance(obj, JobEvent):
            if obj.to_status == "ready":  # when a job first became ready
                ids.add(obj.job_id)
        elif isinstance(obj, Job):
            if obj in session.new or _changed(obj, "rerepair_of_id"):
                ids.add(obj.rerepair_of_id)
                history = inspect(obj).attrs["rerepair_of_id"].history
                ids.update(i for i in history.deleted if i is not None)
            if obj not in session.new and (_changed(obj, "received_at") or _changed(obj, "promised_by")):
                ids.add(obj.id)
        elif isinstance(obj, Requisition):
            ids.add(obj.job_id)
        elif isinstance(obj, RequisitionLine) and obj.requisition is not None:
            ids.add(obj.requisition.job_id)
    ids.discard(None)
    return ids


def _after_flush(session: Session, _context) -> None:
    ids = _touched_jobs(session)
    days = _received_days(session)
    new = _new_jobs(session)
    recounted: set[Day] = set()
    if ids or days:
        _written, touched = _refresh_facts(session.connection(), ids)
        recounted = refresh_days(session.connection(), touched | days)
    # A day recounted above already counts the new jobs (the flush wrote them).
    added = {day: counts for day, counts in new.items() if day not in recounted}
    if added:
        add_received(session.connection(), added)


def install() -> None:
    """Keep the summary right on every flush of every session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
