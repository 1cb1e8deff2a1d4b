"""What a scanned code means: a job number, or an IMEI/serial whose latest open job opens."""

from __future__ import annotations

import re

from sqlalchemy import or_, select

from models import OPEN_STATUSES, Job, NotFound, db

from . import imei as imei_service
from . import receipt_stub

_JOB_NUMBER_RE = re.compile(r"^[A-Z0-9]{2,6}-\d{4,}$")


def visible_jobs(user):
    """A select() of the jobs ``user`` may see (their service points)."""
    return select(Job).where(Job.service_point_id.in_(user.service_point_ids))


def resolve(user, code: str) -> Job:
    """The job a scanned ``code`` belongs to.

    A job number opens that job; an IMEI (as typed or scanned) or a serial number
    opens the handset's latest open job, else its latest job.  Raises NotFound with a
    message naming what was scanned.
    """
    raw = (code or "").strip()
    if not raw:
        raise NotFound("Nothing was scanned.")
    upper = raw.upper()
    stub = receipt_stub.split(upper)
    if stub is not None:  # the customer's receipt stub: its job number opens the job
        upper = stub[0]
    if _JOB_NUMBER_RE.match(upper):
        job = db.session.scalar(visible_jobs(user).where(Job.number == upper))
        if job is not None:
            return job
    digits = imei_service.normalise(raw)
    candidates = visible_jobs(user).where(
        or_(Job.imei == digits, Job.imei2 == digits, Job.serial_number == upper)
    )
    job = db.session.scalar(
        candidates.where(Job.status.in_([s.value for s in OPEN_STATUSES])).order_by(Job.id.desc()).limit(1)
    ) or db.session.scalar(candidates.order_by(Job.id.desc()).limit(1))
    if job is None:
        raise NotFound(f"No job or handset here matches “{raw}”.")
    return job
