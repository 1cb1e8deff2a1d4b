"""Loaner phones (备机): each service point's pool, lending one to a customer whose
handset is in for repair, and taking it back with its condition.

A warranty repair not done within the policy's ``loaner_after_days`` (7 under 三包)
entitles the customer to a loaner; :func:`entitled` says so and the job page offers
one.  A job with a loaner out cannot be collected until the loaner is back
(``workshop.pickup.collection.collect`` checks :func:`open_loan`).

Services flush and never commit.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import (
    Conflict,
    Job,
    JobStatus,
    Loaner,
    LoanerCondition,
    LoanerLoan,
    LoanerStatus,
    ServicePoint,
    ValidationError,
    WarrantyPolicy,
    db,
    utcnow,
)
from models.words import status_words
from workshop.core import audit
from workshop.core.clock import local_today
from workshop.core.scoping import get_scoped
from workshop.intake.devices import imei as imei_service
from workshop.permissions.rules import check_service_point
from workshop.warranty import engine as warranty


def pool(user, *, include_retired: bool = False) -> list[Loaner]:
    """The loaners of the service points ``user`` may see."""
    stmt = select(Loaner).where(Loaner.service_point_id.in_(user.service_point_ids))
    if not include_retired:
        stmt = stmt.where(Loaner.status != LoanerStatus.RETIRED.value)
    return list(db.session.scalars(stmt.order_by(Loaner.status, Loaner.brand, Loaner.model, Loaner.imei)))


def available(service_point_id: int) -> list[Loaner]:
    return list(db.session.scalars(
        select(Loaner).where(Loaner.service_point_id == service_point_id,
                             Loaner.status == LoanerStatus.AVAILABLE.value)
        .order_by(Loaner.brand, Loaner.model, Loaner.imei)))


def get_loaner(user, loaner_id: int, *, for_update: bool = False) -> Loaner:
    """The loaner if ``user`` may see it.  Raises NotFound, PermissionDenied."""
    return get_scoped(user, Loaner, Loaner.id == loaner_id, missing=gettext("There is no loaner %(id)s.", id=loaner_id),
                      for_update=for_update)


def _condition(value: str | None, field: str) -> LoanerCondition:
    try:
        return LoanerCondition((value or "").strip().lower())
    except ValueError:
        allowed = ", ".join(c.value for c in LoanerCondition)
        raise ValidationError(gettext("Condition must be one of %(allowed)s.", allowed=allowed), field=field) from None


def add_loaner(actor, service_point: ServicePoint, *, imei: str, brand: str = "", model: str = "",
               condition: str = "good", condition_notes: str = "") -> Loaner:
    """Add a phone to the service point's loaner pool.

    Raises ValidationError for an IMEI that is not a valid 15-digit IMEI or is
    already in a pool, or an unknown condition.  Flushes only.
    """
    check_service_point(actor, service_point.id)
    verdict = imei_service.check(imei)
    if not verdict.valid:
        raise ValidationError(verdict.reason or gettext("“%(imei)s” is not a valid IMEI.", imei=imei), field="imei")
    number = verdict.value
    state = _condition(condition, "condition")
    if state == LoanerCondition.DAMAGED:
        raise ValidationError(gettext("A damaged phone cannot go into the loaner pool."), field="condition")
    if db.session.scalar(select(Loaner.id).where(Loaner.imei == number)) is not None:
        raise ValidationError(gettext("IMEI %(number)s is already in a loaner pool.", number=number), field="imei")
    loaner = Loaner(service_point_id=service_point.id, imei=number, brand=(brand or "").strip(),
                    model=(model or "").strip(), condition=state.value,
                    condition_notes=(condition_notes or "").strip())
    db.session.add(loaner)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationError(gettext("IMEI %(number)s is already in a loaner pool.", number=number), field="imei") from None
    audit.record(actor, "loaner.added", loaner, imei=number, condition=state.value)
    return loaner


def retire(actor, loaner: Loaner, reason: str) -> Loaner:
    """Take a loaner out of the pool for good.  Raises Conflict while it is lent,
    ValidationError without a reason.  Flushes only."""
    if not (reason or "").strip():
        raise ValidationError(gettext("Say why the loaner is retired."), field="reason")
    if loaner.status == LoanerStatus.LENT.value:
        raise Conflict(gettext("The loaner is out with a customer; record its return first."))
    if loaner.status == LoanerStatus.RETIRED.value:
        raise Conflict(gettext("The loaner is already retired."))
    loaner.status = LoanerStatus.RETIRED.value
    audit.record(actor, "loaner.retired", loaner, reason=reason.strip())
    db.session.flush()
    return loaner


def open_loan(job: Job) -> LoanerLoan | None:
    """The loan still open for this job, if any."""
    if job.id is None:
        return None
    return db.session.scalar(
        select(LoanerLoan).where(LoanerLoan.job_id == job.id, LoanerLoan.returned_at.is_(None)))


def loans_for(job: Job) -> list[LoanerLoan]:
    return list(db.session.scalars(select(LoanerLoan).where(LoanerLoan.job_id == job.id).order_by(LoanerLoan.id)))


def history(loaner: Loaner) -> list[LoanerLoan]:
    return list(db.session.scalars(
        select(LoanerLoan).where(LoanerLoan.loaner_id == loaner.id).order_by(LoanerLoan.id.desc())))


def lend(actor, loaner: Loaner, job: Job, *, notes: str = "") -> LoanerLoan:
    """Lend ``loaner`` to the customer of ``job`` (at intake or while it is in repair).

    Raises Conflict when the loaner is not available, belongs to another service
    point than the job, or the job already has a loaner out or is not open.
    Flushes only; the job's history gets a ``loaner`` event.
    """
    check_service_point(actor, loaner.service_point_id)
    check_service_point(actor, job.service_point_id)
    if loaner.service_point_id != job.service_point_id:
        raise Conflict(gettext("This loaner belongs to another service point's pool."), field="loaner")
    if job.job_status in (JobStatus.COLLECTED, JobStatus.CANCELLED):
        raise Conflict(gettext("Job %(number)s is %(status)s: no loaner can be lent on it.",
                               number=job.number, status=status_words(job.status)))
    if loaner.status != LoanerStatus.AVAILABLE.value:
        raise Conflict(gettext("Loaner %(label)s (%(imei)s) is %(status)s, not available.",
                               label=loaner.label, imei=loaner.imei, status=status_words(loaner.status)),
                       field="loaner")
    if open_loan(job) is not None:
        raise Conflict(gettext("Job %(number)s already has a loaner out.", number=job.number), field="loaner")
    loan = LoanerLoan(loaner_id=loaner.id, job_id=job.id, lent_by_id=actor.id, condition_out=loaner.condition,
                      notes_out=(notes or "").strip())
    loaner.status = LoanerStatus.LENT.value
    db.session.add(loan)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Someone lent it (or gave this job one) at the same moment.
        raise Conflict(gettext("That loaner or this job was just given a loan at another counter.")) from None
    job.add_event("loaner", actor, note=loan.notes_out, data={
        "action": "lent", "loaner_id": loaner.id, "imei": loaner.imei, "model": loaner.label,
        "condition": loan.condition_out})
    db.session.flush()
    return loan


def return_loaner(actor, loan: LoanerLoan, *, condition: str, notes: str = "") -> LoanerLoan:
    """Take a loaner back, recording the condition it came back in.

    A damaged loaner is kept out of the pool (retired) until a manager adds it
    back; a worn one stays in the pool with the new condition.  Raises Conflict if
    the loan was already returned, ValidationError for an unknown condition or a
    damaged return without notes.  Flushes only.
    """
    check_service_point(actor, loan.loaner.service_point_id)
    if loan.returned_at is not None:
        raise Conflict(gettext("This loaner was already returned."))
    state = _condition(condition, "condition")
    notes = (notes or "").strip()
    if state == LoanerCondition.DAMAGED and not notes:
        raise ValidationError(gettext("Describe the damage."), field="notes")
    loan.returned_at = utcnow()
    loan.returned_by_id = actor.id
    loan.condition_in = state.value
    loan.notes_in = notes
    loaner = loan.loaner
    loaner.condition = state.value
    if notes:
        loaner.condition_notes = notes
    loaner.status = (LoanerStatus.RETIRED if state == LoanerCondition.DAMAGED else LoanerStatus.AVAILABLE).value
    loan.job.add_event("loaner", actor, note=notes, data={
        "action": "returned", "loaner_id": loaner.id, "imei": loaner.imei, "model": loaner.label,
        "condition": state.value})
    db.session.flush()
    return loan


def policy_loaner_days(job: Job) -> int | None:
    """Days after intake after which the job's warranty policy owes a loaner."""
    terms = None
    try:
        row = db.session.scalar(select(WarrantyPolicy).where(WarrantyPolicy.code == job.warranty_policy))
        if row is not None:
            terms = warranty.PolicyTerms.from_mapping({**row.terms, "code": row.code, "name": row.name})
    except (ImportError, ValueError):
        terms = None
    if terms is None:
        terms = warranty.PRESETS.get(job.warranty_policy or "", warranty.SANBAO)
    return terms.loaner_after_days


def entitled(job: Job, today: dt.date | None = None) -> bool:
    """True when the customer is owed a loaner: a free (warranty) repair still open
    past the policy's loaner days, with no loaner out."""
    if job.warranty_chargeable or not job.is_open or job.job_status in (JobStatus.READY, JobStatus.CANCELLED):
        return False
    days = policy_loaner_days(job)
    if days is None:
        return False
    today = today or local_today(job.service_point)
    return (today - job.received_on).days > days and open_loan(job) is None
