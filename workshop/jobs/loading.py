"""Loading jobs with the service-point check applied."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from models import Job, JobEvent, db
from workshop.core.scoping import check_scoped, get_scoped

#: What a job is shown with (job page, scan API): loaded with the job in one query
#: (one row per event) instead of one lazy load per relation and per event's actor.
#: A result holding it needs ``unique()``.
SHOWN_WITH = (joinedload(Job.customer), joinedload(Job.service_point), joinedload(Job.engineer),
              joinedload(Job.events).joinedload(JobEvent.actor))

#: The job by number as shown, built once (a statement reused skips building and
#: hashing it again on every request).
_SHOWN_BY_NUMBER = select(Job).where(Job.number == bindparam("number")).options(*SHOWN_WITH)


def get_job(user, number: str, *, for_update: bool = False, shown: bool = False) -> Job:
    """The job with ``number`` if ``user`` may see it.

    Raises NotFound when no such job exists, PermissionDenied when it belongs to a
    service point the user is not granted.  ``for_update`` locks the row (PostgreSQL);
    ``shown`` loads what the job page shows with it (:data:`SHOWN_WITH`).
    """
    number = (number or "").strip().upper()
    missing = gettext("There is no job %(number)s.", number=number)
    if shown and not for_update:
        job = db.session.scalars(_SHOWN_BY_NUMBER, {"number": number}).unique().one_or_none()
        return check_scoped(user, job, missing=missing)
    return get_scoped(user, Job, Job.number == number, missing=missing, for_update=for_update,
                      options=SHOWN_WITH if shown else ())
