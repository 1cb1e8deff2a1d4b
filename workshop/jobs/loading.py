"""Loading jobs with the service-point check applied."""

from __future__ import annotations

from sqlalchemy import select

from models import Job, NotFound, db
from workshop.permissions.rules import check_service_point


def get_job(user, number: str, *, for_update: bool = False) -> Job:
    """The job with ``number`` if ``user`` may see it.

    Raises NotFound when no such job exists, PermissionDenied when it belongs to a
    service point the user is not granted.  ``for_update`` locks the row (PostgreSQL).
    """
    stmt = select(Job).where(Job.number == (number or "").strip().upper())
    if for_update:
        stmt = stmt.with_for_update()
    job = db.session.scalar(stmt)
    if job is None:
        raise NotFound(f"There is no job {number}.")
    check_service_point(user, job.service_point_id)
    return job
