"""Loading jobs with the service-point check applied."""

from __future__ import annotations

from models import Job
from workshop.core.scoping import get_scoped


def get_job(user, number: str, *, for_update: bool = False) -> Job:
    """The job with ``number`` if ``user`` may see it.

    Raises NotFound when no such job exists, PermissionDenied when it belongs to a
    service point the user is not granted.  ``for_update`` locks the row (PostgreSQL).
    """
    return get_scoped(user, Job, Job.number == (number or "").strip().upper(),
                      missing=f"There is no job {number}.", for_update=for_update)
