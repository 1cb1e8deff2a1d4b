"""What a scanned code means: a job number, or an IMEI/serial whose latest open job opens."""

from __future__ import annotations

import re

from flask_babel import gettext
from sqlalchemy import bindparam, case, select, union_all

from models import OPEN_STATUSES, Job, NotFound, db
from workshop.intake.devices import imei as imei_service
from workshop.jobs import receipt_stub
from workshop.jobs.loading import SHOWN_WITH

_JOB_NUMBER_RE = re.compile(r"^[A-Z0-9]{2,6}-\d{4,}$")


#: Built once (see workshop/jobs/loading.py): a job by number among the user's service points.
_VISIBLE_BY_NUMBER = (select(Job).where(Job.number == bindparam("number"),
                                        Job.service_point_id.in_(bindparam("sp_ids", expanding=True)))
                      .options(*SHOWN_WITH))
_SHOWN_BY_ID = select(Job).where(Job.id == bindparam("job_id")).options(*SHOWN_WITH)


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
        raise NotFound(gettext("Nothing was scanned."))
    upper = raw.upper()
    stub = receipt_stub.split(upper)
    if stub is not None:  # the customer's receipt stub: its job number opens the job
        upper = stub[0]
    if _JOB_NUMBER_RE.match(upper):
        job = db.session.scalars(_VISIBLE_BY_NUMBER, {"number": upper, "sp_ids": list(user.service_point_ids)}
                                 ).unique().one_or_none()
        if job is not None:
            return job
    digits = imei_service.normalise(raw)
    # One exact lookup per identifier column, each on its own index (an OR over the
    # three would let the planner walk every job newest first); then the handset's
    # latest open job, else its latest job.
    sp_ids = user.service_point_ids
    ids = union_all(*(select(Job.id).where(column == value, Job.service_point_id.in_(sp_ids))
                      for column, value in ((Job.imei, digits), (Job.imei2, digits),
                                            (Job.serial_number, upper)))).subquery()
    is_open = case((Job.status.in_([s.value for s in OPEN_STATUSES]), 1), else_=0)
    # The latest job by id first, then (joined) its events: one row per event.
    job_id = db.session.scalar(
        select(Job.id).where(Job.id.in_(select(ids.c.id))).order_by(is_open.desc(), Job.id.desc()).limit(1))
    job = (db.session.scalars(_SHOWN_BY_ID, {"job_id": job_id}).unique().one_or_none()
           if job_id is not None else None)
    if job is None:
        raise NotFound(gettext("No job or handset here matches “%(raw)s”.", raw=raw))
    return job
