"""The collected-job summary (:class:`models.CollectedJobFact`), kept right by the
same transactions that change what it sums up.

A session listener runs after every flush: a new or changed pickup, a job taken in
as a re-repair (which may turn an earlier job's first-time fix into a come-back),
and a changed requisition of a collected job each recompute that job's row from the
live rows, with the very code the KPIs' recount uses (:func:`kpis.live_collected`),
inside the flush's own transaction: the summary commits or rolls back with the
change.  :func:`rebuild` recomputes every row (migration, bench data, repairs).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session

from models import CollectedJobFact, Job, PickupRecord, Requisition, ServicePoint
from models.parts import RequisitionLine
from workshop.core.clock import zone

from . import kpis

BATCH = 2000


def _zones(connection) -> dict:
    return {sp_id: zone(SimpleNamespace(timezone=tz))
            for sp_id, tz in connection.execute(select(ServicePoint.id, ServicePoint.timezone))}


def refresh(connection, job_ids: Iterable[int]) -> int:
    """Recompute the summary rows of ``job_ids`` (a job without a pickup has none).
    Returns the number of rows written.  Nothing is committed."""
    ids = sorted({i for i in job_ids if i is not None})
    if not ids:
        return 0
    zones = _zones(connection)
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        facts = kpis.live_collected(Job.id.in_(chunk), zones, connection=connection)
        connection.execute(delete(CollectedJobFact).where(CollectedJobFact.job_id.in_(chunk)))
        if facts:
            connection.execute(insert(CollectedJobFact), [
                {"job_id": c.job_id, "service_point_id": c.service_point_id, "collected_on": c.collected_on,
                 "ready_on": c.ready_on, "days_to_ready": c.days_to_ready, "days_to_collected": c.days_to_collected,
                 "on_time": c.on_time, "first_time_fix": c.first_time_fix, "total": c.total,
                 "parts_cost": c.parts_cost} for c in facts])
        written += len(facts)
    return written


def rebuild(connection) -> int:
    """Recompute the whole summary from the live rows.  Nothing is committed."""
    connection.execute(delete(CollectedJobFact))
    ids = [i for (i,) in connection.execute(select(PickupRecord.job_id).order_by(PickupRecord.job_id))]
    return refresh(connection, ids)


def _changed(obj, attribute: str) -> bool:
    return inspect(obj).attrs[attribute].history.has_changes()


def _touched_jobs(session: Session) -> set[int]:
    """Jobs whose summary row the flush may have changed."""
    ids: set[int] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, PickupRecord):
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
    if ids:
        refresh(session.connection(), ids)


def install() -> None:
    """Keep the summary right on every flush of every session (idempotent)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
