"""Hand-built report data: jobs with chosen local timestamps at service point SZ01
(Asia/Shanghai, UTC+8), their status events, pickups and requisitions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from models import Job, JobEvent, PickupRecord, Requisition, db
from models.parts import RequisitionLine
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hh=12, mm=0, tz=SHANGHAI) -> dt.datetime:
    """A local wall-clock time at the service point, as an aware UTC datetime."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=tz).astimezone(dt.UTC)


def event(j: Job, actor, frm, to, at):
    ev = JobEvent(job=j, kind="status", actor=actor, from_status=frm, to_status=to, at=at, data={})
    db.session.add(ev)
    return ev


def job(sp, staff, *, received_at, promised_by=None, **kwargs) -> Job:
    tz = ZoneInfo(sp.timezone)
    received_on = received_at.astimezone(tz).date()
    kwargs.setdefault("warranty_chargeable", True)
    j = factories.job(sp, created_by=staff["receptionist"], received_at=received_at, received_on=received_on,
                      promised_by=promised_by or received_on + dt.timedelta(days=7), **kwargs)
    j.events[0].at = received_at
    return j


def repaired(sp, staff, *, received_at, ready_at, collected_at=None, promised_by=None, total="0.00",
             warranty_days=90, engineer=None, qc_failures=0, **kwargs) -> Job:
    """A job repaired (repairing -> qc -> ready, QC by another engineer), optionally collected."""
    engineer = engineer or staff["engineer"]
    j = job(sp, staff, received_at=received_at, promised_by=promised_by, engineer=engineer,
            status="collected" if collected_at else "ready", **kwargs)
    step = (ready_at - received_at) / (4 + 2 * qc_failures)
    t = received_at + step
    event(j, engineer, "received", "diagnosing", t)
    event(j, engineer, "diagnosing", "repairing", t + step)
    t = t + step
    for _ in range(qc_failures):
        event(j, engineer, "repairing", "qc", t + step)
        event(j, staff["qc"], "qc", "repairing", t + 2 * step)
        t = t + 2 * step
    event(j, engineer, "repairing", "qc", t + step)
    event(j, staff["qc"], "qc", "ready", ready_at)
    if collected_at:
        collect(sp, staff, j, collected_at, total=total, warranty_days=warranty_days)
    db.session.flush()
    return j


def collect(sp, staff, j: Job, collected_at, *, total="0.00", warranty_days: int | None = 90):
    tz = ZoneInfo(sp.timezone)
    collected_on = collected_at.astimezone(tz).date()
    ends = collected_on + dt.timedelta(days=warranty_days) if warranty_days is not None else None
    db.session.add(PickupRecord(job_id=j.id, collected_at=collected_at, collected_on=collected_on,
                                collected_by_id=staff["receptionist"].id, verified_by="phone_id",
                                total=Decimal(total), paid=Decimal(total), bill={},
                                repair_warranty_days=warranty_days, repair_warranty_ends_on=ends))
    j.repair_warranty_ends_on = ends
    j.closed_at = collected_at
    j.status = "collected"
    event(j, staff["receptionist"], j.events[-1].to_status if j.events else "ready", "collected", collected_at)
    db.session.flush()


def issue(sp, staff, j: Job, part, *, qty, returned=0, at, unit_cost="60.00"):
    req = Requisition(service_point_id=sp.id, job_id=j.id, status="issued", requested_by_id=staff["engineer"].id,
                      requested_at=at, issued_by_id=staff["clerk"].id, issued_at=at)
    req.lines.append(RequisitionLine(part_id=part.id, qty=qty, issued_qty=qty, returned_qty=returned,
                                     unit_cost=Decimal(unit_cost), unit_price=Decimal("0.00")))
    db.session.add(req)
    db.session.flush()
    return req
