"""Remedies (补救措施) with graded authority (分级授权).

A receptionist may grant an apology, a free re-repair, and a discount or gift up to
the service point's ``staff_remedy_limit`` (default 50.00); a manager may grant
anything.  Within the actor's authority a remedy is ``approved`` at once, else
``pending_approval`` until a manager approves it; it is ``done`` (carried out, with
date and note) only once approved (409 otherwise).

A free re-repair creates the repair job at zero charge (linked to the complaint's
job as a re-repair) or links an existing job and makes it free.  A refund or an
exchange carries what the 三包 policy entitles the customer to for the job (the
warranty engine, re-run on today's local date).  Functions flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select

from models import (
    Complaint,
    Conflict,
    Job,
    JobStatus,
    NotFound,
    PermissionDenied,
    Remedy,
    Role,
    User,
    ValidationError,
    db,
    utcnow,
)
from models.aftercare import REMEDY_KINDS
from workshop.core import audit
from workshop.core.clock import as_utc, local_today
from workshop.core.money import ZERO, parse_money
from workshop.jobs import loading as job_service
from workshop.jobs import notes
from workshop.jobs.numbering import next_job_number
from workshop.warranty import policies
from workshop.warranty.engine import WarrantyCase, assess, service_dates

from . import complaints

#: What front-line staff may grant without a manager; amounts for the limited ones.
STAFF_ALWAYS = frozenset({"apology", "free_rerepair"})
STAFF_UP_TO_LIMIT = frozenset({"discount", "gift"})
DEFAULT_LIMIT = Decimal("50.00")


def amount_of(value, field: str = "amount") -> Decimal:
    """A money amount (:func:`workshop.core.money.parse_money`); None or blank is 0.00.
    Raises ValidationError for anything else (negative, not a number, 1.005)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    if isinstance(value, bool):
        raise ValidationError(gettext("Enter an amount such as 128.00."), field=field)
    return parse_money(value, field)


def staff_limit(complaint: Complaint) -> Decimal:
    limit = complaint.service_point.staff_remedy_limit
    return Decimal(limit) if limit is not None else DEFAULT_LIMIT


def within_authority(actor: User, complaint: Complaint, kind: str, amount: Decimal) -> bool:
    """True when ``actor`` may grant this remedy without a manager's approval."""
    if actor is not None and actor.role == Role.MANAGER.value:
        return True
    if kind in STAFF_ALWAYS:
        return True
    return kind in STAFF_UP_TO_LIMIT and amount <= staff_limit(complaint)


def _prior_repairs_same_fault(job: Job) -> int:
    """Repairs of this handset's same fault that were handed back repaired (this job
    included): what 三包's "exchange after two failed repairs" counts."""
    imeis = [i for i in (job.imei, job.imei2) if i]
    if not imeis:
        return 1 if job.repair_warranty_ends_on is not None else 0
    rows = db.session.scalars(select(Job).where(Job.imei.in_(imeis), Job.fault_category == job.fault_category,
                                                Job.repair_warranty_ends_on.is_not(None)))
    return len(list(rows))


def entitlement(job: Job | None, *, today: dt.date | None = None) -> dict:
    """What the warranty policy the job was decided under entitles the customer to
    today (the warranty engine's decision, plus ``refund``/``exchange`` flags).
    Without a job: ``{"status": None}`` and a note.  Never raises."""
    if job is None:
        return {"status": None, "refund": False, "exchange": False,
                "note": gettext("No job is linked: the warranty cannot be assessed.")}
    sp = job.service_point
    today = today or local_today(sp)
    record = policies.get(job.warranty_policy) if job.warranty_policy else None
    terms = policies.terms_of(record) if record is not None else policies.applicable(sp).terms
    try:
        decision = assess(terms, WarrantyCase(
            today=today, component=job.component or "handset", purchase_date=job.purchase_date,
            proof_kind=job.proof_kind, proof_imei=job.proof_imei, device_imei=job.imei, device_imei2=job.imei2,
            liquid_damage=job.liquid_damage, physical_damage=job.physical_damage, seals_intact=job.seals_intact,
            unauthorised_repair=job.unauthorised_repair, documents_altered=job.documents_altered,
            prior_repairs_same_fault=_prior_repairs_same_fault(job)))
    except ValueError as exc:
        return {"status": None, "refund": False, "exchange": False, "note": policies.terms_message(exc)}
    data = decision.to_dict()
    data.update(refund="refund" in decision.remedies, exchange="exchange" in decision.remedies,
                job=job.number, as_of=today.isoformat())
    return data


def _rerepair_job(complaint: Complaint, actor: User, link: str | None, note: str) -> Job:
    """The zero-charge job of a free re-repair: ``link`` (a job number) made free, or
    a new job taking the complaint's handset back in as a re-repair of its job."""
    if link:
        job = job_service.get_job(actor, link)
        if job.customer_id != complaint.customer_id:
            raise ValidationError(gettext("Job %(number)s belongs to another customer.", number=job.number), field="job")
        if not job.is_open:
            raise ValidationError(gettext("Job %(number)s is already collected; take the handset in again.", number=job.number), field="job")
        job.warranty_chargeable = False
        job.estimate_amount = Decimal("0.00")
        job.add_event("complaint", actor, note=notes.note("free_rerepair_granted", complaint=complaint.number),
                      data={"complaint": complaint.number, "free": True})
        return job
    original = complaint.job
    if original is None:
        raise ValidationError(gettext("A free re-repair needs the complaint's job, or the number of the job "
                                      "to link."),
                              field="job")
    sp = original.service_point
    today = local_today(sp)
    record = policies.get(original.warranty_policy) if original.warranty_policy else None
    terms = policies.terms_of(record) if record is not None else policies.applicable(sp).terms
    reason = f"Free re-repair granted on complaint {complaint.number}."
    job = Job(
        number=next_job_number(sp), service_point=sp, customer=original.customer, created_by=actor,
        status=JobStatus.RECEIVED.value, location="front_desk", received_at=utcnow(), received_on=today,
        promised_by=service_dates(terms, today).promised_by, imei=original.imei, imei2=original.imei2,
        serial_number=original.serial_number, brand=original.brand, model=original.model, colour=original.colour,
        tac_known=original.tac_known, proof_kind=original.proof_kind, proof_number=original.proof_number,
        purchase_date=original.purchase_date, proof_seller=original.proof_seller, proof_imei=original.proof_imei,
        fault_category=original.fault_category,
        fault_description=(note or complaint.description or original.fault_description)[:4000],
        component=original.component, seals_intact=original.seals_intact, estimate_amount=Decimal("0.00"),
        warranty_policy=original.warranty_policy, warranty_status=original.warranty_status,
        warranty_chargeable=False, warranty_remedies=["repair"], warranty_reasons=[reason],
        warranty_ends_on=original.warranty_ends_on, rerepair_of=original,
        data_disclaimer_accepted=original.data_disclaimer_accepted, lock_removed=original.lock_removed,
    )
    job.add_event("status", actor, to_status=JobStatus.RECEIVED.value,
                  note=notes.note("free_rerepair", number=original.number, complaint=complaint.number),
                  data={"intake": True, "complaint": complaint.number, "rerepair_of": original.number})
    db.session.add(job)
    db.session.flush()
    return job


def propose(complaint: Complaint, actor: User, *, kind: str, amount=None, note: str = "",
            job: str | None = None) -> Remedy:
    """Add a remedy: ``approved`` within the actor's authority, else
    ``pending_approval``.  Raises ValidationError for an unknown kind or an amount
    that is negative or not money, Conflict unless the complaint is open, NotFound /
    PermissionDenied for a job to link one may not see.  Flushes only."""
    errors: dict[str, list[str]] = {}
    if kind not in REMEDY_KINDS:
        errors["kind"] = [gettext("Unknown remedy %(kind)s; choose one of: %(choices)s.",
                                  kind=repr(kind), choices=', '.join(REMEDY_KINDS))]
    try:
        value = amount_of(amount)
    except ValidationError as exc:
        errors.update(exc.errors)
        value = None
    if errors:
        raise ValidationError(gettext("The remedy was not added."), errors=errors)
    if kind in ("discount", "gift", "refund", "compensation") and value == 0:
        raise ValidationError(gettext("Give the amount of the %(kind)s.", kind=kind.replace('_', ' ')), field="amount")
    complaints._require_open(complaint, gettext("remedies are added"))
    approved = within_authority(actor, complaint, kind, value)
    note = (note or "").strip()[:4000]
    # Work out the job and the entitlement first: the remedy joins the session complete.
    entitled = entitlement(complaint.job) if kind in ("refund", "exchange") else {}
    rerepair = _rerepair_job(complaint, actor, job, note) if kind == "free_rerepair" else None
    now = utcnow()
    remedy = Remedy(complaint=complaint, kind=kind, amount=value, note=note, status="approved" if approved else "pending_approval",
                    proposed_by=actor, proposed_at=now, approved_by=actor if approved else None,
                    approved_at=now if approved else None, entitlement=entitled, job=rerepair)
    db.session.add(remedy)
    db.session.flush()
    complaint.add_event("remedy_added", actor, note=remedy.note, data={
        "remedy": remedy.id, "kind": kind, "amount": str(value), "status": remedy.status,
        "limit": str(staff_limit(complaint)), "job": remedy.job.number if remedy.job is not None else None})
    audit.record(actor, "remedy.propose", remedy, service_point_id=complaint.service_point_id,
                 complaint=complaint.number, kind=kind, amount=str(value), status=remedy.status)
    db.session.flush()
    return remedy


def get(complaint: Complaint, remedy_id: int) -> Remedy:
    remedy = db.session.get(Remedy, remedy_id)
    if remedy is None or remedy.complaint_id != complaint.id:
        raise NotFound(gettext("Complaint %(number)s has no remedy %(remedy_id)s.",
                               number=complaint.number, remedy_id=remedy_id))
    return remedy


def approve(remedy: Remedy, actor: User, note: str = "") -> Remedy:
    """A manager approves a remedy beyond staff authority.  Raises PermissionDenied for
    anyone else, Conflict unless it is pending approval.  Flushes only."""
    if actor.role != Role.MANAGER.value:
        raise PermissionDenied(gettext("Only a manager approves a remedy beyond staff authority."))
    if remedy.status != "pending_approval":
        raise Conflict(gettext("This remedy is %(status)s, not waiting for approval.",
                               status=remedy.status.replace('_', ' ')))
    complaints._require_open(remedy.complaint, gettext("remedies are approved"))
    remedy.status = "approved"
    remedy.approved_by = actor
    remedy.approved_at = utcnow()
    remedy.complaint.add_event("remedy_approved", actor, note=(note or "").strip()[:2000],
                               data={"remedy": remedy.id, "kind": remedy.kind, "amount": str(remedy.amount)})
    audit.record(actor, "remedy.approve", remedy, service_point_id=remedy.complaint.service_point_id)
    db.session.flush()
    return remedy


def carry_out(remedy: Remedy, actor: User, note: str = "", *, now: dt.datetime | None = None) -> Remedy:
    """Record that the remedy was carried out (date and note); the complaint may then
    be resolved (:func:`complaints.settle`).  Raises Conflict (409) unless approved.
    Flushes only."""
    if remedy.status != "approved":
        state = gettext("already carried out") if remedy.status == "done" else gettext("waiting for a manager's approval")
        raise Conflict(gettext("This remedy is %(state)s; only an approved remedy is carried out.", state=state))
    complaint = remedy.complaint
    complaints._require_open(complaint, gettext("remedies are carried out"))
    now = as_utc(now or utcnow())
    remedy.status = "done"
    remedy.done_by = actor
    remedy.done_at = now
    remedy.done_on = local_today(complaint.service_point, now)
    remedy.done_note = (note or "").strip()[:4000]
    complaint.add_event("remedy_done", actor, note=remedy.done_note,
                        data={"remedy": remedy.id, "kind": remedy.kind, "amount": str(remedy.amount),
                              "done_on": remedy.done_on.isoformat()})
    audit.record(actor, "remedy.done", remedy, service_point_id=complaint.service_point_id)
    complaints.settle(complaint, actor, now=now)
    return remedy
