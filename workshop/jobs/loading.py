"""Loading jobs with the service-point check applied."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy.orm import joinedload, selectinload

from models import Job, JobEvent
from workshop.core.scoping import get_scoped

#: What a job is shown with (job page, scan API): loaded with the job in two queries
#: instead of one lazy load per relation and per event's actor.
SHOWN_WITH = (joinedload(Job.customer), joinedload(Job.service_point), joinedload(Job.engineer),
              selectinload(Job.events).joinedload(JobEvent.actor))


def get_job(user, number: str, *, for_update: bool = False, shown: bool = False) -> Job:
    """The job with ``number`` if ``user`` may see it.

    Raises NotFound when no such job exists, PermissionDenied when it belongs to a
    service point the user is not granted.  ``for_update`` locks the row (PostgreSQL);
    ``shown`` loads what the job page shows with it (:data:`SHOWN_WITH`).
    """
    return get_scoped(user, Job, Job.number == (number or "").strip().upper(),
                      missing=gettext("There is no job %(number)s.", number=number), for_update=for_update,
                      options=SHOWN_WITH if shown else ())
