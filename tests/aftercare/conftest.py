"""Helpers for the after-sales care tests: people at SZ01 (Asia/Shanghai, UTC+8, no
DST) and OT01, a collected job, and a quick way to register a complaint."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Job, User, db
from tests import factories
from workshop.aftercare import complaints
from workshop.services import workflow

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at_local(year, month, day, hour=0, minute=0, second=0) -> dt.datetime:
    """A moment given on the Shanghai clock, as aware UTC."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI).astimezone(dt.UTC)


def person(username: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == username))


def job(**kwargs) -> Job:
    sp = factories.service_point("SZ01")
    return factories.job(sp, created_by=person("receptionist"), **kwargs)


def collected_job(when: dt.datetime | None = None, **kwargs) -> Job:
    """A job handed back through the workflow (so the job_moved signal fires)."""
    j = job(status="ready", **kwargs)
    event = workflow.move(j, "collected", person("receptionist"), handover=True)
    if when is not None:
        # The signal already queued the follow-up from the event's own time; tests that
        # need a given moment call followups.queue_for_pickup themselves.
        event.at = when
    db.session.flush()
    return j


def register(actor="receptionist", *, channel="walk_in", category="repair_quality", job_number=None,
             level=None, now=None, phone="13800138000", name="王芳", description="Screen flickers again"):
    return complaints.register(person(actor), complaints.NewComplaint(
        channel=channel, category=category, description=description, demand="Free fix",
        customer_name=name, customer_phone=phone, job=job_number, level=level), now=now)


@pytest.fixture
def ctx(app, staff):
    """An app context with the staff committed; yields nothing special."""
    with app.app_context():
        yield
        db.session.rollback()
