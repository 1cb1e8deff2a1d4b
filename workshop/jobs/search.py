"""Finding jobs: the list behind ``GET /api/v1/jobs`` (status, engineer, free text),
always limited to the service points the caller may see."""

from __future__ import annotations

import re

from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from models import Customer, Job, JobStatus, User, ValidationError, db
from workshop.intake.devices import imei as imei_service
from workshop.jobs.scan import visible_jobs

MAX_LIMIT = 200
_PHONEISH = re.compile(r"[+\d\s()-]+")


def _statuses(values) -> list[str]:
    wanted: list[str] = []
    for value in values or []:
        wanted += [v.strip() for v in str(value).split(",") if v.strip()]
    known = {s.value for s in JobStatus}
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise ValidationError("Unknown status.", errors={
            "status": [f"Unknown status {', '.join(unknown)}; use {', '.join(s.value for s in JobStatus)}."]})
    return wanted


def search(actor, *, statuses=None, engineer: str | None = None, q: str | None = None,
           after: int | None = None, limit: int = 50) -> tuple[list[Job], int | None]:
    """Jobs ``actor`` may see, newest first, and the cursor of the next page (or None).

    ``statuses``: status names (a comma-separated string counts as several).
    ``engineer``: the assigned engineer's username.  ``q`` matches the job number,
    an IMEI or serial number, the customer's phone (any 4 or more digits of it)
    and the customer's name.  ``after`` is the cursor from the previous page.
    Raises ValidationError for an unknown status.
    """
    limit = max(1, min(int(limit or 50), MAX_LIMIT))
    stmt = (visible_jobs(actor).join(Customer, Job.customer_id == Customer.id)
            .options(selectinload(Job.customer), selectinload(Job.service_point),
                     selectinload(Job.engineer), selectinload(Job.rerepair_of)))
    wanted = _statuses(statuses)
    if wanted:
        stmt = stmt.where(Job.status.in_(wanted))
    if engineer:
        stmt = stmt.join(User, Job.engineer_id == User.id).where(
            func.lower(User.username) == engineer.strip().lower())
    text = (q or "").strip()
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        compact = imei_service.normalise(text)
        digits = "".join(c for c in text if c.isdigit())
        conditions = [func.lower(Job.number).like(pattern, escape="\\"),
                      func.lower(Customer.name).like(pattern, escape="\\")]
        if compact:
            conditions += [Job.imei == compact, Job.imei2 == compact, Job.serial_number == compact]
            if compact.isdigit() and len(compact) >= 8:
                conditions += [Job.imei.startswith(compact), Job.imei2.startswith(compact)]
        if len(digits) >= 4 and _PHONEISH.fullmatch(text):
            conditions.append(Customer.phone.contains(digits))
        stmt = stmt.where(or_(*conditions))
    if after:
        stmt = stmt.where(Job.id < after)
    rows = list(db.session.scalars(stmt.order_by(Job.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)
