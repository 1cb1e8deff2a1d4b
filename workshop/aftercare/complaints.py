"""The complaint register (投诉登记表): registering, level and deadlines, the first
response, the written report, escalation, findings, resolution, reopening, closing.

Rules (CONTRACT.md "After-sales care (v2)"):

- the level comes from the channel (:data:`models.aftercare.CHANNEL_LEVELS`); a level
  may be given or raised higher, never lower (422);
- ``respond_by`` = registration + 24 h; ``report_by`` = registration + 48 h for
  serious and critical complaints, None for general ones;
- a critical complaint is owned by a manager from the start (``escalated``);
- :func:`settle` resolves an open complaint once it was responded to, every remedy is
  ``done`` and the customer accepted the agreement, and queues the complaint's
  follow-up call for the next local day;
- :func:`close` needs that follow-up reached with satisfaction 3 or more and a root
  cause; it answers 409 naming every missing step.

Every step appends a :class:`models.ComplaintEvent`.  Functions flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select, union, update
from sqlalchemy.dialects import postgresql, sqlite

from models import (
    Complaint,
    ComplaintSequence,
    Conflict,
    Customer,
    FollowUp,
    Job,
    NotFound,
    PermissionDenied,
    Role,
    ServicePoint,
    User,
    ValidationError,
    db,
    utcnow,
)
from models.aftercare import CATEGORIES, CHANNEL_LEVELS, LEVELS, ROOT_CAUSES
from workshop.core import audit
from workshop.core.clock import as_utc, local_now, local_today
from workshop.intake import customers
from workshop.jobs import loading as job_service
from workshop.jobs import notes
from workshop.permissions.rules import check_service_point

from . import notices, schedule
from .words import MISSING_WORDS, STATUS_WORDS

RESPOND_WITHIN = dt.timedelta(hours=24)
REPORT_WITHIN = dt.timedelta(hours=48)
#: Satisfaction from which a complaint's follow-up lets it close.
SATISFIED_FROM = 3
OPEN_STATES = ("open", "resolved")


def level_rank(level: str) -> int:
    return LEVELS.index(level)


def channel_level(channel: str) -> str:
    """The level a complaint surfacing through ``channel`` starts at.  Raises
    ValidationError for an unknown channel."""
    try:
        return CHANNEL_LEVELS[channel]
    except KeyError:
        raise ValidationError(gettext("Unknown channel %(channel)s; choose one of: %(choices)s.",
                                      channel=repr(channel), choices=', '.join(CHANNEL_LEVELS)),
                              field="channel") from None


def report_deadline(level: str, registered_at: dt.datetime) -> dt.datetime | None:
    return as_utc(registered_at) + REPORT_WITHIN if level in ("serious", "critical") else None


# -- numbers ---------------------------------------------------------------------


def next_number(service_point: ServicePoint, moment: dt.datetime | None = None) -> str:
    """Reserve the next complaint number, ``TS-<code>-<yyyymm>-<seq>`` (local month).

    Unique across the chain (the service point code is); the counter row is bumped
    with one ``UPDATE … RETURNING`` like job numbers.  Flushes only.
    """
    period = local_now(service_point, moment).strftime("%Y%m")
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(ComplaintSequence).values(service_point_id=service_point.id, period=period,
                                                        last_value=0)
                       .on_conflict_do_nothing(index_elements=["service_point_id", "period"]))
    value = db.session.execute(
        update(ComplaintSequence)
        .where(ComplaintSequence.service_point_id == service_point.id, ComplaintSequence.period == period)
        .values(last_value=ComplaintSequence.last_value + 1)
        .returning(ComplaintSequence.last_value)
    ).scalar_one()
    return f"TS-{service_point.code}-{period}-{value:04d}"


# -- loading ---------------------------------------------------------------------


def get(actor: User, number: str) -> Complaint:
    """The complaint ``number`` if ``actor`` may see it.  Raises NotFound, or
    PermissionDenied for another service point's complaint."""
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == (number or "").strip().upper()))
    if complaint is None:
        raise NotFound(gettext("There is no complaint %(number)s.", number=number))
    check_service_point(actor, complaint.service_point_id)
    return complaint


def is_overdue(complaint: Complaint, now: dt.datetime | None = None) -> bool:
    """Not responded to by ``respond_by``, or (serious/critical) no written report by
    ``report_by``, while the complaint is not closed."""
    now = as_utc(now or utcnow())
    if complaint.status == "closed":
        return False
    if complaint.responded_at is None and now > as_utc(complaint.respond_by):
        return True
    return bool(complaint.report_by is not None and complaint.reported_at is None
                and now > as_utc(complaint.report_by))


def overdue_clause(now: dt.datetime):
    """The SQL form of :func:`is_overdue`."""
    return and_(Complaint.status != "closed", or_(
        and_(Complaint.responded_at.is_(None), Complaint.respond_by < now),
        and_(Complaint.report_by.is_not(None), Complaint.reported_at.is_(None), Complaint.report_by < now)))


def search(actor: User, *, status: str | None = None, level: str | None = None, overdue: bool = False,
           job: Job | None = None, customer: Customer | None = None, after: int | None = None,
           limit: int = 50, now: dt.datetime | None = None) -> tuple[list[Complaint], int | None]:
    """Complaints at the actor's service points, newest first; ``(items, next cursor)``.
    Raises ValidationError for an unknown status or level."""
    if status and status not in ("open", "resolved", "closed"):
        raise ValidationError(gettext("Status is one of: open, resolved, closed."), field="status")
    if level and level not in LEVELS:
        raise ValidationError(gettext("Level is one of: %(choices)s.", choices=', '.join(LEVELS)), field="level")
    stmt = select(Complaint).where(Complaint.service_point_id.in_(actor.service_point_ids))
    if status:
        stmt = stmt.where(Complaint.status == status)
    if level:
        stmt = stmt.where(Complaint.level == level)
    if overdue:
        stmt = stmt.where(overdue_clause(as_utc(now or utcnow())))
    if job is not None:
        stmt = stmt.where(Complaint.job_id == job.id)
    if customer is not None:
        stmt = stmt.where(Complaint.customer_id == customer.id)
    if after:
        stmt = stmt.where(Complaint.id < after)
    rows = list(db.session.scalars(stmt.order_by(Complaint.id.desc()).limit(limit + 1)))
    cursor = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], cursor


def overdue_count(service_point_ids, now: dt.datetime | None = None) -> int:
    return db.session.scalar(select(func.count(Complaint.id)).where(
        Complaint.service_point_id.in_(list(service_point_ids)), overdue_clause(as_utc(now or utcnow())))) or 0


def open_count(service_point_ids) -> int:
    """Complaints still open (not yet resolved) at these service points."""
    return db.session.scalar(select(func.count(Complaint.id)).where(
        Complaint.service_point_id.in_(list(service_point_ids)), Complaint.status == "open")) or 0


def open_for_job(job: Job) -> Complaint | None:
    """The job's complaint still being handled (open or resolved, not closed), if any."""
    return db.session.scalar(select(Complaint).where(Complaint.job_id == job.id,
                                                     Complaint.status.in_(OPEN_STATES))
                             .order_by(Complaint.id.desc()).limit(1))


def _a_manager(service_point_id: int) -> User | None:
    own = db.session.scalar(select(User).where(User.service_point_id == service_point_id, User.active.is_(True),
                                               User.role == Role.MANAGER.value).order_by(User.id).limit(1))
    if own is not None:
        return own
    for user in db.session.scalars(select(User).where(User.role == Role.MANAGER.value, User.active.is_(True))
                                   .order_by(User.id)):
        if service_point_id in user.service_point_ids:
            return user
    return None


def _manager_for(complaint_sp_id: int, actor: User | None) -> User | None:
    if actor is not None and actor.role == Role.MANAGER.value:
        return actor
    return _a_manager(complaint_sp_id)


# -- registering -----------------------------------------------------------------


@dataclass
class NewComplaint:
    """What the counter (or an API client) says about a new complaint."""

    channel: str = ""
    category: str = ""
    description: str = ""
    demand: str = ""
    customer_name: str = ""
    customer_phone: str = ""
    job: str | None = None
    level: str | None = None
    imei: str | None = None
    staff_involved: str = ""
    promised_on: dt.date | None = None


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def register(actor: User | None, new: NewComplaint, *, service_point: ServicePoint | None = None,
             now: dt.datetime | None = None, source: str = "counter") -> Complaint:
    """Register a complaint and return it (number, deadlines, owner set; outbox
    message with the number and the response deadline queued).

    ``new.job`` (a job number) fills the customer and handset; without it the
    customer is found by phone at the actor's service point, or created.  ``actor``
    None is the customer answering the public follow-up page (``service_point``
    then given).  Raises ValidationError with every field error (unknown channel or
    category, a level below the channel's, no description, a bad phone), NotFound /
    PermissionDenied for a job one may not see.  Writes nothing when it raises.
    Flushes only.
    """
    errors: dict[str, list[str]] = {}
    level = CHANNEL_LEVELS.get(new.channel)
    if level is None:
        errors["channel"] = [gettext("Unknown channel %(channel)s; choose one of: %(choices)s.",
                                     channel=repr(new.channel), choices=', '.join(CHANNEL_LEVELS))]
    if new.category not in CATEGORIES:
        errors["category"] = [gettext("Unknown category %(category)s; choose one of: %(choices)s.",
                                      category=repr(new.category), choices=', '.join(CATEGORIES))]
    if new.level:
        if new.level not in LEVELS:
            errors["level"] = [gettext("Level is one of: %(choices)s.", choices=', '.join(LEVELS))]
        elif level is not None and level_rank(new.level) < level_rank(level):
            errors["level"] = [(gettext("A complaint through %(channel)s is at least %(level)s; a level may be "
                                        "raised, never lowered.",
                                        channel=new.channel, level=level))]
        elif level is not None:
            level = new.level
    description = _text(new.description, 4000)
    if not description:
        errors["description"] = [gettext("Say what the customer complains about.")]
    job = None
    if new.job:
        job = job_service.get_job(actor, new.job) if actor is not None else \
            db.session.scalar(select(Job).where(Job.number == new.job))
        if job is None:
            raise NotFound(gettext("There is no job %(job)s.", job=new.job))
    sp = job.service_point if job is not None else (service_point or actor.service_point)
    customer = job.customer if job is not None else None
    phone = None
    if customer is None:
        try:
            phone = customers.normalise_phone(new.customer_phone)
        except ValueError as exc:
            errors["customer.phone"] = [str(exc)]
        else:
            customer = db.session.scalar(select(Customer).where(Customer.service_point_id == sp.id,
                                                                Customer.phone == phone))
        if customer is None and not _text(new.customer_name, 120):
            errors["customer.name"] = [gettext("A new customer needs a name.")]
    if errors:
        raise ValidationError(gettext("The complaint was not registered; correct the fields shown."), errors=errors)
    if customer is None:
        customer = Customer(service_point=sp, name=_text(new.customer_name, 120), phone=phone)
        db.session.add(customer)
        db.session.flush()
        audit.record(actor, "customer.create", customer, phone=phone)

    now = as_utc(now or utcnow())
    owner = actor
    escalated = False
    if level == "critical":
        owner = _manager_for(sp.id, actor) or actor
        escalated = True
    complaint = Complaint(
        number=next_number(sp, now), service_point=sp, customer=customer, job=job,
        imei=(job.imei if job is not None else None) or (_text(new.imei, 15) or None),
        channel=new.channel, category=new.category, level=level, description=description,
        demand=_text(new.demand, 4000), staff_involved=_text(new.staff_involved, 120), status="open",
        recorded_by=actor, owner=owner, escalated=escalated, registered_at=now,
        respond_by=now + RESPOND_WITHIN, report_by=report_deadline(level, now), promised_on=new.promised_on,
    )
    db.session.add(complaint)
    complaint.add_event("registered", actor, note=description, data={
        "channel": new.channel, "category": new.category, "level": level, "source": source,
        "job": job.number if job is not None else None, "demand": complaint.demand})
    if escalated:
        complaint.add_event("escalated", actor, note="A critical complaint is handled by a manager from the start.",
                            data={"owner": owner.username if owner is not None else None, "automatic": True})
    db.session.flush()
    if job is not None:
        job.add_event("complaint", actor, note=notes.note("complaint_registered", number=complaint.number, level=level),
                      data={"complaint": complaint.number})
    audit.record(actor, "complaint.register", complaint, number=complaint.number, level=level)
    notices.queue(complaint, "complaint_registered", dedupe_key=f"complaint_registered:{complaint.id}")
    db.session.flush()
    return complaint


# -- handling --------------------------------------------------------------------


def _require_open(complaint: Complaint, doing: str) -> None:
    if complaint.status != "open":
        raise Conflict(gettext("Complaint %(number)s is %(status)s: %(doing)s only while it is open.",
                               number=complaint.number, status=complaint.status, doing=doing))


def raise_level(complaint: Complaint, actor: User, level: str, note: str = "") -> Complaint:
    """Raise the level (never lower: 422).  Raising to serious or critical sets the
    report deadline; critical hands the case to a manager.  Flushes only."""
    if level not in LEVELS:
        raise ValidationError(gettext("Level is one of: %(choices)s.", choices=', '.join(LEVELS)), field="level")
    if level_rank(level) < level_rank(complaint.level):
        raise ValidationError(gettext("The complaint is %(level)s; a level may be raised, never lowered.", level=complaint.level),
                              field="level")
    if complaint.status == "closed":
        raise Conflict(gettext("Complaint %(number)s is closed.", number=complaint.number))
    if level == complaint.level:
        return complaint
    was = complaint.level
    complaint.level = level
    if complaint.report_by is None:
        complaint.report_by = report_deadline(level, complaint.registered_at)
    complaint.add_event("level_raised", actor, note=_text(note, 2000), data={"from": was, "to": level})
    if level == "critical" and not complaint.escalated:
        escalate(complaint, actor, "A critical complaint is handled by a manager.")
    db.session.flush()
    return complaint


def respond(complaint: Complaint, actor: User, note: str, *, now: dt.datetime | None = None) -> Complaint:
    """Record the first response to the customer (with its note and whether it was
    within ``respond_by``).  Raises ValidationError without a note, Conflict when
    already responded or not open.  Flushes only."""
    note = _text(note, 4000)
    if not note:
        raise ValidationError(gettext("Write what the customer was told."), field="note")
    _require_open(complaint, gettext("a response is recorded"))
    if complaint.responded_at is not None:
        raise Conflict(gettext("Complaint %(number)s was already responded to.", number=complaint.number))
    now = as_utc(now or utcnow())
    complaint.responded_at = now
    complaint.responded_on_time = now <= as_utc(complaint.respond_by)
    complaint.response_note = note
    complaint.add_event("responded", actor, note=note, data={"on_time": complaint.responded_on_time})
    settle(complaint, actor, now=now)
    return complaint


def write_report(complaint: Complaint, actor: User, text: str, *, founded: bool | None = None,
                 responsible: str = "", now: dt.datetime | None = None) -> Complaint:
    """Record the written complaint report (投诉报告) of a serious or critical case.
    Raises ValidationError without text, Conflict for a general or closed case."""
    text = _text(text, 8000)
    if not text:
        raise ValidationError(gettext("Write the report."), field="report")
    if complaint.level == "general":
        raise Conflict(gettext("A written report is for serious and critical complaints."))
    if complaint.status == "closed":
        raise Conflict(gettext("Complaint %(number)s is closed.", number=complaint.number))
    now = as_utc(now or utcnow())
    complaint.reported_at = now
    complaint.report_text = text
    if founded is not None:
        complaint.founded = founded
    if responsible:
        complaint.responsible = _text(responsible, 120)
    on_time = complaint.report_by is None or now <= as_utc(complaint.report_by)
    complaint.add_event("report", actor, note=text, data={"on_time": on_time, "founded": founded})
    db.session.flush()
    return complaint


def record_findings(complaint: Complaint, actor: User, *, founded: bool | None, responsible: str = "",
                    note: str = "") -> Complaint:
    """Whether the complaint is founded (投诉成立) and who is responsible."""
    if complaint.status == "closed":
        raise Conflict(gettext("Complaint %(number)s is closed.", number=complaint.number))
    complaint.founded = founded
    complaint.responsible = _text(responsible, 120)
    complaint.add_event("findings", actor, note=_text(note, 2000),
                        data={"founded": founded, "responsible": complaint.responsible})
    db.session.flush()
    return complaint


def escalate(complaint: Complaint, actor: User, note: str, *, manager: User | None = None) -> Complaint:
    """Hand the complaint to a manager with the reason (升级处理).  The manager is
    ``manager``, else the actor when they are one, else the service point's manager.
    Raises ValidationError without a reason or for a non-manager ``manager``,
    Conflict when closed or no manager can take it.  Flushes only."""
    note = _text(note, 2000)
    if not note:
        raise ValidationError(gettext("Say why the complaint is escalated."), field="note")
    if complaint.status == "closed":
        raise Conflict(gettext("Complaint %(number)s is closed.", number=complaint.number))
    if manager is not None and manager.role != Role.MANAGER.value:
        raise ValidationError(gettext("%(username)s is not a manager.", username=manager.username), field="manager")
    owner = manager or _manager_for(complaint.service_point_id, actor)
    if owner is None:
        raise Conflict(gettext("No manager can take this complaint at this service point."))
    was = complaint.owner.username if complaint.owner is not None else None
    complaint.owner = owner
    complaint.escalated = True
    complaint.add_event("escalated", actor, note=note, data={"from": was, "owner": owner.username})
    db.session.flush()
    return complaint


def missing_for_resolution(complaint: Complaint) -> list[str]:
    """What still stands between the complaint and ``resolved``."""
    missing = []
    if complaint.responded_at is None:
        missing.append("response")
    if any(r.status != "done" for r in complaint.remedies):
        missing.append("remedies carried out")
    if complaint.agreement_accepted is not True:
        missing.append("agreement accepted by the customer")
    return missing


def latest_followup(complaint: Complaint) -> FollowUp | None:
    return db.session.scalar(select(FollowUp).where(FollowUp.complaint_id == complaint.id, FollowUp.kind == "complaint")
                             .order_by(FollowUp.id.desc()).limit(1))


def settle(complaint: Complaint, actor: User | None, *, now: dt.datetime | None = None) -> bool:
    """Resolve an open complaint when nothing is missing (see module doc): queue its
    follow-up call for the next local day and tell the customer.  Returns True when it
    was resolved now.  Flushes only."""
    db.session.flush()
    if complaint.status != "open" or missing_for_resolution(complaint):
        return False
    now = as_utc(now or utcnow())
    complaint.status = "resolved"
    complaint.resolved_at = now
    rounds = sum(1 for e in complaint.events if e.kind == "resolved")
    due = local_today(complaint.service_point, now) + dt.timedelta(days=1)
    complaint.add_event("resolved", actor, note="Responded, remedies carried out and the agreement accepted.",
                        data={"followup_due_on": due.isoformat()})
    db.session.flush()
    schedule.queue(kind="complaint", service_point_id=complaint.service_point_id,
                   customer_id=complaint.customer_id, due_on=due, job_id=complaint.job_id,
                   complaint_id=complaint.id, dedupe_key=f"complaint:{complaint.id}:{rounds + 1}")
    notices.queue(complaint, "complaint_resolved", dedupe_key=f"complaint_resolved:{complaint.id}:{rounds + 1}")
    audit.record(actor, "complaint.resolved", complaint, number=complaint.number)
    db.session.flush()
    return True


def reopen(complaint: Complaint, actor: User | None, note: str, *, data: dict | None = None) -> Complaint:
    """Reopen a resolved complaint (an unhappy follow-up answer): it needs a new
    agreement, and on resolution a new follow-up.  Raises Conflict unless resolved."""
    if complaint.status != "resolved":
        raise Conflict(gettext("Complaint %(number)s is %(status)s; only a resolved complaint reopens.",
                               number=complaint.number, status=STATUS_WORDS.get(complaint.status, complaint.status)))
    complaint.status = "open"
    complaint.resolved_at = None
    complaint.agreement_accepted = None
    complaint.add_event("reopened", actor, note=_text(note, 2000), data=data or {})
    audit.record(actor, "complaint.reopened", complaint, number=complaint.number)
    db.session.flush()
    return complaint


def missing_for_close(complaint: Complaint) -> list[str]:
    """Every step still missing before the complaint may close."""
    missing = missing_for_resolution(complaint)
    followup = latest_followup(complaint) if complaint.status == "resolved" else None
    if followup is None or followup.status != "done" or followup.outcome != "reached" \
            or (followup.satisfaction or 0) < SATISFIED_FROM:
        missing.append(f"follow-up reached with satisfaction {SATISFIED_FROM} or more")
    return missing


def close(complaint: Complaint, actor: User, *, root_cause: str, note: str = "", preventive_action: str = "",
          now: dt.datetime | None = None) -> Complaint:
    """Close the case with its root cause and preventive action (archived, never edited).

    Raises ValidationError for a missing or unknown root cause, Conflict (409) naming
    every missing step (response, remedies carried out, agreement, follow-up) or when
    already closed.  Flushes only.
    """
    if actor.role != Role.MANAGER.value:
        raise PermissionDenied(gettext("Only a manager closes a complaint."))
    if root_cause not in ROOT_CAUSES:
        raise ValidationError(gettext("Choose the root cause: %(choices)s.", choices=', '.join(ROOT_CAUSES)), field="root_cause")
    if complaint.status == "closed":
        raise Conflict(gettext("Complaint %(number)s is already closed.", number=complaint.number))
    missing = missing_for_close(complaint)
    if missing:
        raise Conflict(gettext("Complaint %(number)s cannot close yet; missing: %(choices)s.",
                               number=complaint.number, choices="; ".join(str(MISSING_WORDS.get(m, m)) for m in missing)),
                       errors={"missing": missing})
    complaint.status = "closed"
    complaint.closed_at = as_utc(now or utcnow())
    complaint.root_cause = root_cause
    complaint.root_cause_note = _text(note, 4000)
    complaint.preventive_action = _text(preventive_action, 4000)
    complaint.add_event("closed", actor, note=complaint.root_cause_note,
                        data={"root_cause": root_cause, "preventive_action": complaint.preventive_action})
    audit.record(actor, "complaint.closed", complaint, number=complaint.number, root_cause=root_cause)
    db.session.flush()
    return complaint


def handset_history(actor: User, complaint: Complaint) -> list[Job]:
    """Every job of the complaint's handset (IMEI) and its job, newest first."""
    imeis = [i for i in {complaint.imei, complaint.job.imei if complaint.job else None} if i]
    conditions = [Job.imei.in_(imeis), Job.imei2.in_(imeis)] if imeis else []
    if complaint.job_id:
        conditions.append(Job.id == complaint.job_id)
    if not conditions:
        return []
    # One indexed lookup per identifier (an OR may be answered by walking every job
    # newest first), capped at 50.
    ids = union(*(select(Job.id).where(c, Job.service_point_id.in_(actor.service_point_ids))
                  for c in conditions)).subquery()
    return list(db.session.scalars(select(Job).where(Job.id.in_(select(ids.c.id)))
                                   .order_by(Job.id.desc()).limit(50)))
