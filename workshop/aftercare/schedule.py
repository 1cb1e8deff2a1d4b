"""Queueing follow-up calls: the one place a FollowUp row is created.

Imports no other aftercare module, so complaints (a resolved complaint's call) and
followups (a collected job's call) both use it.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import FollowUp, db


def new_token() -> str:
    """The unguessable key of a follow-up's public answer page."""
    return secrets.token_urlsafe(18)


def queue(*, kind: str, service_point_id: int, customer_id: int, due_on: dt.date, dedupe_key: str,
          job_id: int | None = None, complaint_id: int | None = None) -> FollowUp | None:
    """Queue a follow-up call unless one with ``dedupe_key`` exists (then None).

    The unique ``dedupe_key`` is the last line of defence when two requests queue the
    same call at once.  Flushes only.
    """
    if db.session.scalar(select(FollowUp.id).where(FollowUp.dedupe_key == dedupe_key)) is not None:
        return None
    followup = FollowUp(kind=kind, service_point_id=service_point_id, customer_id=customer_id, due_on=due_on,
                        job_id=job_id, complaint_id=complaint_id, status="open", attempts=0,
                        token=new_token(), dedupe_key=dedupe_key)
    db.session.add(followup)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        return None
    return followup
