"""Follow-up calls (回访): queued after every pickup and after every resolved
complaint, worked through from a call list, answered by phone or on the public page.

- Every collected job queues one ``pickup`` follow-up, due the service point's
  ``followup_after_days`` (default 3) after the local date of collection; it hears
  of collections through :data:`workshop.core.signals.job_moved`, and a job never
  gets two (the unique ``dedupe_key``), however often pickup is retried.
- ``reached`` needs a satisfaction of 1-5.  On a pickup follow-up an answer of 1-2
  opens a complaint (channel ``phone``) linked to the job, unless one is open for it;
  on a complaint's follow-up it reopens the complaint.
- ``no_answer`` keeps the call open and counts the attempt; the third miss marks it
  ``unreachable``.  ``refused`` ends it.

Every call is a :class:`models.FollowUpAttempt`.  Functions flush, never commit.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select

from models import (
    Conflict,
    FollowUp,
    FollowUpAttempt,
    Job,
    JobStatus,
    NotFound,
    User,
    ValidationError,
    db,
    utcnow,
)
from models.aftercare import CATEGORIES, FOLLOWUP_CHANNELS, FOLLOWUP_KINDS, FOLLOWUP_OUTCOMES, open_followups
from workshop.core import audit
from workshop.core.clock import as_utc, local_today
from workshop.core.signals import job_moved
from workshop.permissions.rules import check_service_point

from . import complaints, schedule
from .words import FOLLOWUP_STATUS_WORDS

DEFAULT_DELAY_DAYS = 3
MAX_MISSES = 3
UNHAPPY_UP_TO = 2


def delay_days(job: Job) -> int:
    days = job.service_point.followup_after_days
    return DEFAULT_DELAY_DAYS if days is None else max(int(days), 0)


def queue_for_pickup(job: Job, collected_at: dt.datetime | None = None) -> FollowUp | None:
    """Queue the job's pickup follow-up (once per job): due ``followup_after_days``
    after the local date of collection.  Returns None when it was already queued."""
    moment = as_utc(collected_at or utcnow())
    due = local_today(job.service_point, moment) + dt.timedelta(days=delay_days(job))
    return schedule.queue(kind="pickup", service_point_id=job.service_point_id, customer_id=job.customer_id,
                          due_on=due, job_id=job.id, dedupe_key=f"pickup:{job.id}")


@job_moved.connect
def _on_job_moved(job, event=None, actor=None, from_status=None, to_status=None, **_extra):
    # A handset back with its owner: the call a few days later is due.
    if to_status == JobStatus.COLLECTED.value:
        queue_for_pickup(job, event.at if event is not None and event.at is not None else None)


def get(actor: User, followup_id: int) -> FollowUp:
    """The follow-up if ``actor`` may see it.  Raises NotFound or PermissionDenied."""
    followup = db.session.get(FollowUp, followup_id)
    if followup is None:
        raise NotFound(gettext("There is no follow-up %(followup_id)s.", followup_id=followup_id))
    check_service_point(actor, followup.service_point_id)
    return followup


def due_count(service_point_ids, today: dt.date) -> int:
    """Open calls due by ``today`` at these service points (the home page's card)."""
    return db.session.scalar(select(func.count(FollowUp.id)).where(
        FollowUp.service_point_id.in_(list(service_point_ids)), open_followups(),
        FollowUp.due_on <= today)) or 0


def for_job(job: Job) -> list[FollowUp]:
    """The job's follow-up calls, oldest first (the job page's after-sales panel)."""
    return list(db.session.scalars(select(FollowUp).where(FollowUp.job_id == job.id).order_by(FollowUp.id)))


def by_token(token: str) -> FollowUp | None:
    return db.session.scalar(select(FollowUp).where(FollowUp.token == (token or "").strip()))


def call_list(actor: User, *, status: str | None = "open", due_by: dt.date | None = None, kind: str | None = None,
              after: int | None = None, limit: int = 100) -> tuple[list[FollowUp], int | None]:
    """The calls to make at the actor's service points, due first (oldest due date
    first, then by id); ``(items, next cursor)``.  Raises ValidationError for an
    unknown status or kind."""
    if status and status not in ("open", "done", "unreachable", "refused"):
        raise ValidationError(gettext("Status is one of: open, done, unreachable, refused."), field="status")
    if kind and kind not in FOLLOWUP_KINDS:
        raise ValidationError(gettext("Kind is one of: %(choices)s.", choices=', '.join(FOLLOWUP_KINDS)), field="kind")
    stmt = select(FollowUp).where(FollowUp.service_point_id.in_(actor.service_point_ids))
    if status == "open":
        stmt = stmt.where(open_followups())  # the partial index of open calls
    elif status:
        stmt = stmt.where(FollowUp.status == status)
    if kind:
        stmt = stmt.where(FollowUp.kind == kind)
    if due_by is not None:
        stmt = stmt.where(FollowUp.due_on <= due_by)
    if after and 0 < after < 2 ** 31:
        # Keyset: the rows after the cursor's (due_on, id); an unknown cursor starts over.
        due = db.session.scalar(select(FollowUp.due_on).where(FollowUp.id == after))
        if due is not None:
            stmt = stmt.where(or_(FollowUp.due_on > due, and_(FollowUp.due_on == due, FollowUp.id > after)))
    rows = list(db.session.scalars(stmt.order_by(FollowUp.due_on, FollowUp.id).limit(limit + 1)))
    cursor = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], cursor


def recently_answered(actor: User, limit: int = 20) -> list[FollowUp]:
    """The calls answered last at the actor's service points, newest first (on the
    (service point, answered_at) index)."""
    return list(db.session.scalars(
        select(FollowUp).where(FollowUp.service_point_id.in_(actor.service_point_ids),
                               FollowUp.answered_at.is_not(None))
        .order_by(FollowUp.answered_at.desc(), FollowUp.id.desc()).limit(limit)))


def _satisfaction(value) -> int:
    if isinstance(value, bool) or value is None:
        raise ValidationError(gettext("A reached customer gives a satisfaction from 1 to 5."), field="satisfaction")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(gettext("Satisfaction is a whole number from 1 to 5."), field="satisfaction") from None
    if str(number) != str(value).strip() or not 1 <= number <= 5:
        raise ValidationError(gettext("Satisfaction is a whole number from 1 to 5."), field="satisfaction")
    return number


def record(followup: FollowUp, actor: User | None, *, outcome: str, satisfaction=None, comment: str = "",
           fixed: bool | None = None, anything_else: str = "", channel: str = "phone",
           category: str | None = None, now: dt.datetime | None = None) -> FollowUp:
    """Record one call on ``followup`` (see the module doc for what each answer does).

    ``actor`` None is the customer answering online.  Returns the follow-up; an
    unhappy answer leaves the complaint it opened or reopened in
    ``followup.opened_complaint``.  Raises ValidationError for an unknown outcome or
    channel, a missing or out-of-range satisfaction, a satisfaction without a
    reached customer; Conflict when the call is no longer open.  Flushes only.
    """
    errors: dict[str, list[str]] = {}
    if outcome not in FOLLOWUP_OUTCOMES:
        errors["outcome"] = [gettext("Outcome is one of: %(choices)s.", choices=', '.join(FOLLOWUP_OUTCOMES))]
    if channel not in FOLLOWUP_CHANNELS:
        errors["channel"] = [gettext("Channel is one of: %(choices)s.", choices=', '.join(FOLLOWUP_CHANNELS))]
    if category is not None and category not in CATEGORIES:
        errors["category"] = [gettext("Unknown category %(category)s; choose one of: %(choices)s.",
                                      category=repr(category), choices=', '.join(CATEGORIES))]
    score = None
    if outcome == "reached":
        try:
            score = _satisfaction(satisfaction)
        except ValidationError as exc:
            errors.update(exc.errors)
    elif satisfaction not in (None, ""):
        errors["satisfaction"] = [gettext("A satisfaction is recorded only when the customer was reached.")]
    if errors:
        raise ValidationError(gettext("The call was not recorded."), errors=errors)
    if followup.status != "open":
        raise Conflict(gettext("This follow-up is already %(status)s.",
                               status=FOLLOWUP_STATUS_WORDS.get(followup.status, followup.status)))
    now = as_utc(now or utcnow())
    comment = (comment or "").strip()[:4000]
    followup.attempts += 1
    followup.channel = channel
    followup.attempt_log.append(FollowUpAttempt(actor=actor, outcome=outcome, channel=channel, satisfaction=score,
                                                note=comment, at=now))
    if outcome == "no_answer":
        if followup.attempts >= MAX_MISSES:
            followup.status = "unreachable"
            followup.outcome = "no_answer"
    else:
        followup.status = "done" if outcome == "reached" else "refused"
        followup.outcome = outcome
        followup.satisfaction = score
        followup.fixed = fixed
        followup.comment = comment
        followup.anything_else = (anything_else or "").strip()[:4000]
        followup.answered_at = now
        followup.answered_by = actor
    db.session.flush()
    audit.record(actor, "followup.call", followup, outcome=outcome, satisfaction=score, attempts=followup.attempts)
    if followup.complaint is not None:
        followup.complaint.add_event("followup", actor, note=comment, data={
            "followup": followup.id, "outcome": outcome, "satisfaction": score, "attempts": followup.attempts,
            "status": followup.status})
    if score is not None and score <= UNHAPPY_UP_TO:
        _unhappy(followup, actor, score, comment, category, now)
    db.session.flush()
    return followup


def _unhappy(followup: FollowUp, actor: User | None, score: int, comment: str, category: str | None,
             now: dt.datetime) -> None:
    said = f"Unhappy follow-up answer ({score}/5)" + (f": {comment}" if comment else ".")
    if followup.kind == "complaint" and followup.complaint is not None:
        complaint = followup.complaint
        if complaint.status == "resolved":
            complaints.reopen(complaint, actor, said, data={"followup": followup.id, "satisfaction": score})
        followup.opened_complaint = complaint
        return
    job = followup.job
    existing = complaints.open_for_job(job) if job is not None else None
    if existing is not None:
        existing.add_event("followup_unhappy", actor, note=said,
                           data={"followup": followup.id, "satisfaction": score})
        followup.opened_complaint = existing
        return
    new = complaints.NewComplaint(
        channel="phone", category=category or ("repair_quality" if followup.fixed is not True else "other"),
        description=said, demand="", job=job.number if job is not None else None,
        customer_name=followup.customer.name, customer_phone=followup.customer.phone)
    followup.opened_complaint = complaints.register(
        actor, new, service_point=followup.service_point, now=now,
        source="followup" if actor is not None else "followup_online")
