"""Front-desk intake (受理): checking a handset in and deciding its warranty.

One service for the intake screen, the JSON API and scripts:

* :func:`lookup_imei` -- what a scanned IMEI is: validity, brand and model from
  the TAC table, the blocked register, the handset's earlier jobs and whether it
  is back within our repair warranty (返修);
* :func:`preview` -- the warranty decision and service dates for what has been
  typed so far, writing nothing;
* :func:`take_in` -- validate everything (every field error at once), find or
  create the customer, number the job, record the intake event.  Flushes, never
  commits; callers wrap it in ``workshop.web.run_once`` so submitting twice
  creates one job.

Field names in errors are the API's dotted names (``device.imei``,
``customer.phone``...); the HTML form names its fields the same with ``_``.
History and re-repair detection look at the jobs of the service points the
actor may see, like every other view of jobs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import func, select, union_all
from sqlalchemy.exc import IntegrityError

from models import (
    BlockedImei,
    Customer,
    Job,
    JobStatus,
    ServicePoint,
    TacEntry,
    ValidationError,
    db,
    utcnow,
)
from models.errors import plain
from models.words import status_words
from workshop import sqlite_tx
from workshop.core import audit, clock
from workshop.core.money import parse_optional_money
from workshop.intake import customers
from workshop.intake.devices import blocked, tac
from workshop.intake.devices import imei as imei_service
from workshop.jobs import notes
from workshop.jobs.numbering import next_job_number
from workshop.permissions.rules import can
from workshop.warranty import policies
from workshop.warranty.engine import COMPONENTS, PROOF_KINDS, WarrantyCase, WarrantyDecision, assess, service_dates

__all__ = [
    "ACCESSORIES",
    "FAULT_CATEGORIES",
    "Evaluation",
    "IntakeRequest",
    "local_today",
    "lookup_imei",
    "preview",
    "take_in",
]

#: Fault categories offered at the counter (``fault.category``).
FAULT_CATEGORIES = (
    "no_power", "not_charging", "battery", "screen", "touch", "camera", "audio", "signal",
    "wifi_bluetooth", "buttons_ports", "software", "overheating", "other",
)
#: What may be left with the handset (``accessories``).
ACCESSORIES = ("sim_tray", "case", "charger", "cable", "memory_card", "stylus", "box", "other")
#: Warranty statuses under which earlier work was free manufacturer-warranty work.
_WARRANTY_WORK = ("return_window", "exchange_window", "in_warranty")
EARLIEST_PURCHASE = dt.date(1990, 1, 1)
MAX_PROMISE_DAYS = 365

#: IntakeRequest attribute -> the field name used in errors (the API's dotted name).
FIELD_NAMES = {
    "customer_name": "customer.name", "customer_phone": "customer.phone", "customer_email": "customer.email",
    "customer_update": "customer.update", "customer_previous_phone": "customer.previous_phone",
    "imei": "device.imei", "imei2": "device.imei2", "serial_number": "device.serial_number",
    "brand": "device.brand", "model": "device.model", "colour": "device.colour",
    "proof_kind": "proof.kind", "proof_number": "proof.number", "purchase_date": "proof.purchase_date",
    "proof_seller": "proof.seller", "proof_imei": "proof.imei",
    "fault_category": "fault.category", "fault_description": "fault.description", "component": "fault.component",
    "liquid_damage": "condition.liquid_damage", "physical_damage": "condition.physical_damage",
    "seals_intact": "condition.seals_intact", "unauthorised_repair": "condition.unauthorised_repair",
    "documents_altered": "condition.documents_altered", "condition_notes": "condition.notes",
    "accessories": "accessories",
    "data_disclaimer": "consent.data_disclaimer", "lock_removed": "consent.lock_removed",
    "estimate_amount": "estimate.amount", "estimate_ceiling": "estimate.ceiling",
    "promised_by": "promised_by", "policy": "policy", "service_point": "service_point",
    "blocked_override_reason": "blocked_override_reason",
    "open_job_override_reason": "open_job_override_reason",
}


@dataclass
class IntakeRequest:
    """What the receptionist entered, as plain values (strings as typed are fine:
    the service normalises and checks them).  Build it from the API's nested body
    with :meth:`from_api`."""

    customer_name: str = ""
    customer_phone: str = ""
    customer_email: str | None = None
    # A returning customer's name is changed only on purpose (ticked at the counter).
    customer_update: bool = False
    # A returning customer with a new phone: the phone their record has now (it becomes
    # ``customer_phone``, audited); without it a new phone is a new customer.
    customer_previous_phone: str | None = None
    imei: str | None = None
    imei2: str | None = None
    serial_number: str | None = None
    brand: str | None = None
    model: str | None = None
    colour: str | None = None
    proof_kind: str | None = None
    proof_number: str | None = None
    purchase_date: dt.date | None = None
    proof_seller: str | None = None
    proof_imei: str | None = None
    fault_category: str = ""
    fault_description: str = ""
    component: str = "handset"
    liquid_damage: bool = False
    physical_damage: bool = False
    seals_intact: bool = True
    unauthorised_repair: bool = False
    documents_altered: bool = False
    condition_notes: str = ""
    accessories: list[str] = field(default_factory=list)
    data_disclaimer: bool = False
    lock_removed: bool = False
    estimate_amount: Decimal | str | None = None
    estimate_ceiling: Decimal | str | None = None
    promised_by: dt.date | None = None
    policy: str | None = None
    service_point: str | None = None
    blocked_override_reason: str | None = None
    # A handset with an open job is taken in again only on a manager's reason.
    open_job_override_reason: str | None = None

    @classmethod
    def from_api(cls, body: Mapping) -> IntakeRequest:
        """Build a request from the API's nested body (CONTRACT.md intake body)."""
        values: dict[str, object] = {}
        for attr, dotted in FIELD_NAMES.items():
            node: object = body
            for part in dotted.split("."):
                node = node.get(part) if isinstance(node, Mapping) else None
            if node is not None:
                values[attr] = node
        return cls(**values)


@dataclass
class Evaluation:
    """Everything :func:`preview` and :func:`take_in` work out from a request."""

    service_point: ServicePoint
    today: dt.date
    applied: policies.AppliedPolicy
    errors: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    tac_entry: TacEntry | None = None
    blocked_entries: list[BlockedImei] = field(default_factory=list)
    history: list[Job] = field(default_factory=list)
    rerepair_of: Job | None = None
    extension_days: int = 0
    prior_repairs: int = 0
    decision: WarrantyDecision | None = None
    promised_by: dt.date | None = None
    open_jobs: list[Job] = field(default_factory=list)

    def error(self, attr: str, message: str) -> None:
        self.errors.setdefault(FIELD_NAMES.get(attr, attr), []).append(message)


# ---------------------------------------------------------------------------
# dates


def local_date(moment: dt.datetime, service_point: ServicePoint) -> dt.date:
    """The calendar date of ``moment`` at the service point."""
    return clock.local_today(service_point, moment)


def local_today(service_point: ServicePoint) -> dt.date:
    """Today at the service point (its timezone): warranty periods and promises count in it."""
    return clock.local_today(service_point, utcnow())


# ---------------------------------------------------------------------------
# the handset's history


#: Earlier jobs of a handset shown at the IMEI check; past it the job list pages.
HISTORY_CAP = 50


def handset_history(actor, *, imeis=(), serial: str | None = None, limit: int = HISTORY_CAP) -> list[Job]:
    """Earlier jobs for this handset (either IMEI, or the serial number), newest first,
    across the whole chain: a handset repaired at one service point and back at
    another is the same handset (re-repair, open job, warranty days).  Callers show
    other points' jobs only as :func:`history_item` does: no customer data."""
    imeis = [i for i in imeis if i]
    conditions = []
    if imeis:
        conditions += [Job.imei.in_(imeis), Job.imei2.in_(imeis)]
    if serial:
        conditions.append(Job.serial_number == serial)
    if not conditions:
        return []
    # One indexed lookup per identifier column (not an OR the planner may answer by
    # walking the whole table), capped at ``limit`` jobs.
    ids = union_all(*(select(Job.id).where(c) for c in conditions)).subquery()
    return list(db.session.scalars(
        select(Job).where(Job.id.in_(select(ids.c.id)))
        .order_by(Job.received_at.desc(), Job.id.desc()).limit(limit)))


def _status_date(job: Job, status: str) -> dt.date | None:
    for event in job.events:
        if event.to_status == status:
            return local_date(event.at, job.service_point)
    return None


def _rerepair_candidate(history: list[Job], today: dt.date) -> Job | None:
    # Our own repair warranty is set on the job when a repaired handset is collected
    # (workshop.pickup.collection: the service point's repair_warranty_days from that local date).
    for job in history:  # newest first
        if job.repair_warranty_ends_on is not None and today <= job.repair_warranty_ends_on:
            return job
    return None


def _earlier_warranty_work(history: list[Job], *, purchase_date: dt.date | None, component: str,
                           fault_category: str) -> tuple[int, int]:
    """(days spent in our workshop under this warranty, prior free repairs of the same fault).

    Only earlier free warranty jobs on the same purchase (same purchase date) and
    component count: the 三包 extension is for the warranty they were done under.
    """
    if purchase_date is None:
        return 0, 0
    days = repeats = 0
    for job in history:
        if (job.purchase_date != purchase_date or job.component != component
                or job.warranty_status not in _WARRANTY_WORK or job.warranty_chargeable):
            continue
        back_on = _status_date(job, "ready") or (local_date(job.closed_at, job.service_point)
                                                 if job.closed_at else None)
        if back_on is not None:
            days += max((back_on - job.received_on).days, 0)
        if job.fault_category == fault_category and job.repair_warranty_ends_on is not None:
            repeats += 1
    return days, repeats


def history_item(job: Job) -> dict:
    """One earlier job as the intake screen lists it (no customer data)."""
    return {
        "number": job.number,
        "status": job.status,
        "service_point": job.service_point.code,
        "received_on": job.received_on.isoformat(),
        "closed_on": local_date(job.closed_at, job.service_point).isoformat() if job.closed_at else None,
        "fault_category": job.fault_category,
        "component": job.component,
        "warranty_status": job.warranty_status,
        "chargeable": job.warranty_chargeable,
        "repair_warranty_until": _iso(job.repair_warranty_ends_on),
        "open": job.is_open,
    }


def _blocked_item(entry: BlockedImei) -> dict:
    return {"imei": entry.imei, "reason": entry.reason, "reference": entry.reference,
            "since": entry.created_at.date().isoformat() if entry.created_at else None}


def blocked_message(entries: list[BlockedImei]) -> str:
    """What the register says about the first blocked IMEI, in plain words."""
    entry = entries[0]
    if entry.reference:
        return gettext("IMEI %(imei)s is on the blocked register (reported %(reason)s, ref. %(reference)s).",
                       imei=entry.imei, reason=entry.reason, reference=entry.reference)
    return gettext("IMEI %(imei)s is on the blocked register (reported %(reason)s).",
                   imei=entry.imei, reason=entry.reason)


# ---------------------------------------------------------------------------
# IMEI lookup


def lookup_imei(actor, value: str) -> dict:
    """Everything the counter wants to know about a scanned or typed IMEI.

    Returns ``{input, imei, valid, kind, code, reason, suggestion, tac, tac_known,
    brand, model, blocked, blocked_entries, jobs, history, open_job, rerepair_of}``;
    ``jobs`` are the numbers of earlier jobs (newest first) at the service points
    ``actor`` may see.  For an IMEISV or a 14-digit IMEI the lookups use the full
    IMEI offered as ``suggestion``.  Never raises for any input; reads only.
    """
    check = imei_service.check(value)
    target = check.value if check.valid else check.suggestion
    entry = tac.lookup(check.tac) if check.tac else None
    entries = blocked.active_entries([target]) if target else []
    history = handset_history(actor, imeis=[target], limit=HISTORY_CAP) if target else []
    today = local_today(actor.service_point)
    rerepair = _rerepair_candidate(history, today)
    open_job = next((j for j in history if j.is_open), None)
    return {
        "input": check.input,
        "imei": check.value,
        "valid": check.valid,
        "kind": check.kind,
        "code": check.code,
        "reason": check.reason,
        "suggestion": check.suggestion,
        "tac": check.tac,
        "tac_known": entry is not None,
        "brand": entry.brand if entry else None,
        "model": entry.model if entry else None,
        "blocked": bool(entries),
        "blocked_entries": [_blocked_item(e) for e in entries],
        "blocked_message": blocked_message(entries) if entries else None,
        "jobs": [j.number for j in history],
        "history": [history_item(j) for j in history],
        "open_job": open_job.number if open_job else None,
        "rerepair_of": _rerepair_item(rerepair) if rerepair else None,
        # ``history`` holds at most HISTORY_CAP jobs; the rest is paged by the job list.
        "history_capped": len(history) >= HISTORY_CAP,
        "history_last_id": min((j.id for j in history), default=None),
    }


def _rerepair_item(job: Job) -> dict:
    return {"number": job.number, "fault_category": job.fault_category,
            "closed_on": local_date(job.closed_at, job.service_point).isoformat() if job.closed_at else None,
            "repair_warranty_until": _iso(job.repair_warranty_ends_on)}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# ---------------------------------------------------------------------------
# evaluating a request


def _text(value, limit: int, attr: str, ev: Evaluation, *, required: str | None = None,
          multiline: bool = False) -> str:
    # One-line fields lose stray whitespace (scanners and paste add it); notes keep their lines.
    text = str(value or "").strip() if multiline else " ".join(str(value or "").split())
    if required and not text:
        ev.error(attr, required)
    elif len(text) > limit:
        ev.error(attr, gettext("Use at most %(limit)s characters (this has %(length)s).", limit=limit, length=len(text)))
    return text


def _imei_message(check: imei_service.ImeiCheck) -> str:
    message = check.reason or gettext("Not a valid IMEI.")
    if check.suggestion and check.suggestion not in message:
        message += " " + gettext("Did you mean %(suggestion)s?", suggestion=check.suggestion)
    return message


def _money(value, attr: str, ev: Evaluation) -> Decimal | None:
    try:
        return parse_optional_money(value, attr)
    except ValidationError as exc:
        ev.error(attr, exc.message)
        return None


def _date(value, attr: str, ev: Evaluation) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        ev.error(attr, gettext("'%(value)s' is not a date (YYYY-MM-DD).", value=value))
        return None


def _service_point(actor, code: str | None, errors: dict) -> ServicePoint:
    code = (code or "").strip().upper()
    if code and code != actor.service_point.code:
        sp = db.session.scalar(select(ServicePoint).where(ServicePoint.code == code))
        if sp is not None and sp.id in actor.service_point_ids:
            return sp
        errors["service_point"] = [gettext("You cannot take in handsets for service point %(code)s.", code=code)]
    return actor.service_point


def evaluate(actor, request: IntakeRequest, *, strict: bool) -> Evaluation:
    """Check and work out everything about ``request`` without writing anything.

    ``strict`` (intake) also requires the customer, fault category and an
    override for a blocked IMEI; the preview leaves those out.  Every problem is
    collected in ``Evaluation.errors``; never raises for bad input.
    """
    errors: dict[str, list[str]] = {}
    sp = _service_point(actor, request.service_point, errors)
    today = local_today(sp)
    try:
        applied = policies.applicable(sp, request.policy)
    except ValidationError as exc:
        errors.update(exc.errors)
        applied = policies.applicable(sp)
    ev = Evaluation(service_point=sp, today=today, applied=applied, errors=errors)
    v = ev.values

    # -- handset ----------------------------------------------------------------
    raw_imei = imei_service.normalise(request.imei or "")
    first, second = imei_service.check_pair(request.imei or "", request.imei2)
    imei = imei2 = serial = None
    if raw_imei:
        if first.valid:
            imei = first.value
        else:
            ev.error("imei", _imei_message(first))
    if second is not None:
        if not raw_imei:
            ev.error("imei2", gettext("Enter the first IMEI before the second."))
        elif second.valid:
            imei2 = second.value
        else:
            ev.error("imei2", _imei_message(second))
    if (request.serial_number or "").strip():
        try:
            serial = imei_service.normalise_serial(request.serial_number)
        except ValueError as exc:
            ev.error("serial_number", str(exc))
    if not raw_imei and not (request.serial_number or "").strip() and strict:
        ev.error("imei", gettext("Scan or type the IMEI (*#06#), or the serial number of a device "
                                 "without one."))
    ev.tac_entry = tac.lookup(imei) if imei else None
    brand = _text(request.brand, 80, "brand", ev)
    model = _text(request.model, 120, "model", ev)
    colour = _text(request.colour, 40, "colour", ev)
    v.update(imei=imei, imei2=imei2, serial_number=serial,
             brand=brand or (ev.tac_entry.brand if ev.tac_entry else ""),
             model=model or (ev.tac_entry.model if ev.tac_entry else ""),
             colour=colour, tac_known=ev.tac_entry is not None)

    # -- blocked register ---------------------------------------------------------
    ev.blocked_entries = blocked.active_entries([imei, imei2])
    override = (request.blocked_override_reason or "").strip()
    if override and not can(actor, "blocked.override"):
        ev.error("blocked_override_reason", gettext("Only a manager can override the blocked register."))
    elif override and len(override) > 2000:
        ev.error("blocked_override_reason", gettext("Use at most 2000 characters."))
    if ev.blocked_entries and strict and not (override and can(actor, "blocked.override")):
        ev.error("imei", blocked_message(ev.blocked_entries) + " " + gettext(
            "Intake is stopped: do not hand the phone back; call a manager, who may override with a reason."))
    v["blocked_override_reason"] = override if ev.blocked_entries and override else None

    # -- customer -------------------------------------------------------------------
    if strict:
        v["customer_name"] = _text(request.customer_name, 120, "customer_name", ev,
                                   required=gettext("The customer's name is required."))
        try:
            v["customer_phone"] = customers.normalise_phone(request.customer_phone)
        except ValueError as exc:
            ev.error("customer_phone", str(exc))
        try:
            v["customer_email"] = customers.normalise_email(request.customer_email)
        except ValueError as exc:
            ev.error("customer_email", str(exc))
        v["customer_update"] = bool(request.customer_update)
        v["customer_previous"] = None
        known = (customers.find_by_phone(actor, v["customer_phone"], sp.id)
                 if v.get("customer_phone") and v.get("customer_name") else None)
        previous = (request.customer_previous_phone or "").strip()
        if previous and v.get("customer_phone"):
            known = _previous_customer(actor, sp, previous, v["customer_phone"], known, ev)
            v["customer_previous"] = known
        if known is not None and known.name != v["customer_name"] and not v["customer_update"]:
            ev.error("customer_name", gettext("This phone number is %(name)s's. Use that name, or tick “Correct the "
                                              "customer's name” to change it on their record.",
                                              name=known.name))

    # -- proof of purchase ------------------------------------------------------------
    kind = (request.proof_kind or "").strip() or None
    purchase_date = proof_imei = None
    if kind is not None and kind not in PROOF_KINDS:
        ev.error("proof_kind", gettext("Choose one of: %(choices)s (or no proof).", choices=', '.join(PROOF_KINDS)))
        kind = None
    if kind is not None:
        purchase_date = _date(request.purchase_date, "purchase_date", ev)
        if purchase_date is not None and purchase_date > today:
            ev.error("purchase_date", gettext("The purchase date is after today (%(today)s).", today=today.isoformat()))
            purchase_date = None
        elif purchase_date is not None and purchase_date < EARLIEST_PURCHASE:
            ev.error("purchase_date", gettext("A purchase before %(earliest_purchase)s is not plausible.",
                                              earliest_purchase=EARLIEST_PURCHASE.isoformat()))
            purchase_date = None
        if imei_service.normalise(request.proof_imei or ""):
            check = imei_service.check(request.proof_imei)
            if check.valid or check.suggestion:
                proof_imei = check.value if check.valid else check.suggestion
            else:
                ev.error("proof_imei", gettext("The IMEI on the proof: %(problem)s", problem=_imei_message(check)))
    v.update(proof_kind=kind, purchase_date=purchase_date, proof_imei=proof_imei,
             proof_number=_text(request.proof_number, 60, "proof_number", ev) if kind else None,
             proof_seller=_text(request.proof_seller, 120, "proof_seller", ev) if kind else None)

    # -- fault, condition, accessories, consent ------------------------------------------
    category = (request.fault_category or "").strip()
    if category and category not in FAULT_CATEGORIES:
        ev.error("fault_category", gettext("Choose one of: %(choices)s.", choices=', '.join(FAULT_CATEGORIES)))
    elif not category and strict:
        ev.error("fault_category", gettext("Choose the fault category."))
    description = _text(request.fault_description, 2000, "fault_description", ev, multiline=True)
    if category == "other" and not description and strict:
        ev.error("fault_description", gettext("Describe the fault in the customer's words."))
    component = (request.component or "handset").strip()
    if component not in COMPONENTS:
        ev.error("component", gettext("Choose one of: %(choices)s.", choices=', '.join(COMPONENTS)))
        component = "handset"
    elif component not in applied.terms.component_months:
        ev.error("component", gettext("The policy %(name)s has no warranty period for %(component)s.",
                                      name=applied.name, component=component))
        component = "handset"
    accessories = []
    for item in request.accessories or []:
        item = str(item).strip()
        if item not in ACCESSORIES:
            ev.error("accessories", gettext("'%(item)s' is not one of: %(choices)s.", item=item, choices=', '.join(ACCESSORIES)))
        elif item not in accessories:
            accessories.append(item)
    v.update(fault_category=category, fault_description=description, component=component,
             liquid_damage=bool(request.liquid_damage), physical_damage=bool(request.physical_damage),
             seals_intact=bool(request.seals_intact), unauthorised_repair=bool(request.unauthorised_repair),
             documents_altered=bool(request.documents_altered),
             condition_notes=_text(request.condition_notes, 2000, "condition_notes", ev, multiline=True),
             accessories=[a for a in ACCESSORIES if a in accessories],
             data_disclaimer=bool(request.data_disclaimer), lock_removed=bool(request.lock_removed))

    # -- estimate and promise -----------------------------------------------------------------
    amount = _money(request.estimate_amount, "estimate_amount", ev)
    ceiling = _money(request.estimate_ceiling, "estimate_ceiling", ev)
    if amount is not None and ceiling is not None and ceiling < amount:
        ev.error("estimate_ceiling", gettext("The ceiling must be at least the estimate (%(amount)s).", amount=amount))
    v.update(estimate_amount=amount if amount is not None else Decimal("0.00"), estimate_ceiling=ceiling)

    dates = service_dates(applied.terms, today)
    promised = _date(request.promised_by, "promised_by", ev)
    if promised is not None and promised < today:
        ev.error("promised_by", gettext("The promised date cannot be before today (%(today)s).", today=today.isoformat()))
    elif promised is not None and (promised - today).days > MAX_PROMISE_DAYS:
        ev.error("promised_by", gettext("Promise a date within %(max_promise_days)s days.", max_promise_days=MAX_PROMISE_DAYS))
    ev.promised_by = promised or dates.promised_by

    # -- history, re-repair, warranty ---------------------------------------------------------
    identities = [i for i in (imei, imei2) if i]
    if identities or serial:
        ev.history = handset_history(actor, imeis=identities, serial=serial)
    ev.rerepair_of = _rerepair_candidate(ev.history, today)
    _open_job_check(actor, request, ev, strict, "imei" if imei else "serial_number")
    ev.extension_days, ev.prior_repairs = _earlier_warranty_work(
        ev.history, purchase_date=purchase_date, component=component, fault_category=category)
    ev.decision = assess(applied.terms, WarrantyCase(
        today=today, component=component, purchase_date=purchase_date, proof_kind=kind,
        proof_imei=proof_imei, device_imei=imei, device_imei2=imei2,
        liquid_damage=v["liquid_damage"], physical_damage=v["physical_damage"],
        seals_intact=v["seals_intact"], unauthorised_repair=v["unauthorised_repair"],
        documents_altered=v["documents_altered"], extension_days=ev.extension_days,
        prior_repairs_same_fault=ev.prior_repairs, rerepair=ev.rerepair_of is not None,
    ))
    return ev


# ---------------------------------------------------------------------------
# preview and intake


def preview(actor, request: IntakeRequest) -> dict:
    """The warranty decision, service dates and handset facts for the request as
    typed so far.  Writes nothing.  Field problems that matter for the decision
    come back in ``errors`` (the decision is made without the faulty value);
    customer fields are not checked here.  Never raises for bad input.
    """
    ev = evaluate(actor, request, strict=False)
    dates = service_dates(ev.applied.terms, ev.today)
    return {
        "service_point": ev.service_point.code,
        "today": ev.today.isoformat(),
        "policy": {"code": ev.applied.code, "name": ev.applied.name, "note": str(ev.applied.note) if ev.applied.note else None},
        "warranty": ev.decision.to_dict(),
        "dates": {**dates.to_dict(), "promised_by": ev.promised_by.isoformat()},
        "default_promised_by": dates.promised_by.isoformat(),
        "device": {"imei": ev.values["imei"], "imei2": ev.values["imei2"],
                   "serial_number": ev.values["serial_number"], "brand": ev.values["brand"],
                   "model": ev.values["model"], "tac_known": ev.values["tac_known"]},
        "blocked": bool(ev.blocked_entries),
        "blocked_entries": [_blocked_item(e) for e in ev.blocked_entries],
        "blocked_message": blocked_message(ev.blocked_entries) if ev.blocked_entries else None,
        "history": [history_item(j) for j in ev.history],
        "rerepair_of": _rerepair_item(ev.rerepair_of) if ev.rerepair_of else None,
        "extension_days": ev.extension_days,
        "prior_repairs_same_fault": ev.prior_repairs,
        "errors": ev.errors,
    }


def _previous_customer(actor, sp: ServicePoint, previous: str, phone: str, known: Customer | None,
                       ev: Evaluation) -> Customer | None:
    """The returning customer whose phone changes from ``previous`` to ``phone`` (errors
    on ``customer_previous_phone``/``customer_phone`` when that cannot be)."""
    try:
        previous = customers.normalise_phone(previous)
    except ValueError as exc:
        ev.error("customer_previous_phone", str(exc))
        return known
    if previous == phone:
        ev.error("customer_previous_phone", gettext("That is the phone they give now; leave this empty."))
        return known
    customer = customers.find_by_phone(actor, previous, sp.id)
    if customer is None:
        ev.error("customer_previous_phone", gettext("No customer here has the phone %(phone)s.", phone=previous))
        return known
    if known is not None:
        ev.error("customer_phone", gettext("The phone %(phone)s is already %(name)s's record: it cannot move to "
                                           "another customer.", phone=phone, name=known.name))
    return customer


def _latest_handset_job_id(ev: Evaluation) -> int | None:
    """The newest job id for the evaluated handset (either IMEI or the serial), read now."""
    conditions = []
    identities = [i for i in (ev.values.get("imei"), ev.values.get("imei2")) if i]
    if identities:
        conditions += [Job.imei.in_(identities), Job.imei2.in_(identities)]
    if ev.values.get("serial_number"):
        conditions.append(Job.serial_number == ev.values["serial_number"])
    if not conditions:
        return max((j.id for j in ev.history), default=None)
    return db.session.scalar(select(func.max(union_all(*(select(Job.id).where(c) for c in conditions))
                                             .subquery().c.id)))


def _customer(actor, sp: ServicePoint, name: str, phone: str, email: str | None, *,
              update_name: bool = False, previous: Customer | None = None) -> tuple[Customer, dict]:
    """The job's customer: found by phone (``previous``: the returning customer whose
    phone changes), created, or corrected on purpose; returns it with what changed
    (``{"name": [old, new], "phone": [old, new]...}``), which is audited."""
    if previous is not None:
        changes = {"phone": [previous.phone, phone]}
        previous.phone = phone
        if name and name != previous.name and update_name:
            changes["name"] = [previous.name, name]
            previous.name = name
        if email and email != previous.email:
            changes["email"] = [previous.email, email]
            previous.email = email
        audit.record(actor, "customer.update", previous, **changes)
        return previous, changes

    def existing() -> Customer | None:
        return db.session.scalar(select(Customer).where(Customer.service_point_id == sp.id,
                                                        Customer.phone == phone))

    customer = existing()
    if customer is None:
        try:
            # Two counters may register the same new customer at once (PostgreSQL):
            # the unique (service point, phone) decides, and the loser uses the winner's row.
            with db.session.begin_nested():
                customer = Customer(service_point=sp, name=name, phone=phone, email=email)
                db.session.add(customer)
        except IntegrityError:
            customer = existing()
        else:
            audit.record(actor, "customer.create", customer, phone=phone)
            return customer, {}
    changes = {}
    if name and name != customer.name and update_name:  # never by accident: see evaluate()
        changes["name"] = [customer.name, name]
        customer.name = name
    if email and email != customer.email:
        changes["email"] = [customer.email, email]
        customer.email = email
    if changes:
        audit.record(actor, "customer.update", customer, **changes)
    return customer, changes


def _open_job_check(actor, request: IntakeRequest, ev: Evaluation, strict: bool, field_name: str) -> None:
    """A handset is in one place at a time: one with an open job (at any service point)
    is refused on its IMEI, naming the job, unless a manager gives a reason."""
    open_jobs = [j for j in ev.history if j.is_open]
    override = (request.open_job_override_reason or "").strip()
    manager = can(actor, "intake.open_job_override")
    if override and not manager:
        ev.error("open_job_override_reason", gettext("Only a manager can take in a handset that has an open job."))
    elif len(override) > 2000:
        ev.error("open_job_override_reason", gettext("Use at most 2000 characters."))
    if open_jobs and strict and not (override and manager):
        job = open_jobs[0]
        ev.error(field_name, gettext("This handset already has an open job: %(number)s (%(code)s, received "
                                     "%(received_on)s, %(status)s). Open that job instead; a manager may "
                                     "take it in again with a reason.",
                                     number=job.number, code=job.service_point.code, received_on=job.received_on.isoformat(), status=status_words(job.status)))
    ev.values["open_job_override_reason"] = override if open_jobs and override and manager else None
    ev.open_jobs = open_jobs


def take_in(actor, request: IntakeRequest) -> Job:
    """Take a handset in: validate, find or create the customer, create the job.

    Raises ValidationError with every field error at once (dotted API names)
    and writes nothing in that case.  A blocked IMEI needs
    ``request.blocked_override_reason`` from a manager (``blocked.override``);
    the override is kept on the job, in its first event and in an audit row.  A
    handset back within our repair warranty of an earlier job is linked to it
    (``rerepair_of``) and free by default.  The job's first event is the status
    event to ``received``.  Flushes; the caller commits.
    """
    ev = evaluate(actor, request, strict=True)
    if ev.errors:
        raise ValidationError(gettext("The handset was not taken in; correct the fields shown."), errors=ev.errors)
    # Everything above only read (on SQLite without holding the write lock, see
    # workshop/sqlite_tx.py); from here on the writes are serialised.  What they depend
    # on is read again under the lock: the customer by phone, the job number, and the
    # handset's jobs (another counter may have taken the same handset in meanwhile:
    # then the whole evaluation runs again, under the lock).
    sqlite_tx.take_write_lock(db.session)
    if _latest_handset_job_id(ev) != max((j.id for j in ev.history), default=None):
        ev = evaluate(actor, request, strict=True)
        if ev.errors:
            raise ValidationError(gettext("The handset was not taken in; correct the fields shown."),
                                  errors=ev.errors)
    v, sp, decision = ev.values, ev.service_point, ev.decision
    customer, changed = _customer(actor, sp, v["customer_name"], v["customer_phone"], v["customer_email"],
                                  update_name=v["customer_update"], previous=v["customer_previous"])
    now = utcnow()
    job = Job(
        number=next_job_number(sp), service_point=sp, customer=customer, customer_name=customer.name,
        created_by=actor, status=JobStatus.RECEIVED.value, location="front_desk", received_at=now, received_on=ev.today,
        promised_by=ev.promised_by,
        imei=v["imei"], imei2=v["imei2"], serial_number=v["serial_number"], brand=v["brand"],
        model=v["model"], colour=v["colour"], tac_known=v["tac_known"],
        proof_kind=v["proof_kind"], proof_number=v["proof_number"] or None, purchase_date=v["purchase_date"],
        proof_seller=v["proof_seller"] or None, proof_imei=v["proof_imei"],
        fault_category=v["fault_category"], fault_description=v["fault_description"], component=v["component"],
        liquid_damage=v["liquid_damage"], physical_damage=v["physical_damage"], seals_intact=v["seals_intact"],
        unauthorised_repair=v["unauthorised_repair"], documents_altered=v["documents_altered"],
        condition_notes=v["condition_notes"], accessories=v["accessories"],
        data_disclaimer_accepted=v["data_disclaimer"], lock_removed=v["lock_removed"],
        estimate_amount=v["estimate_amount"], estimate_ceiling=v["estimate_ceiling"],
        warranty_policy=decision.policy, warranty_status=decision.status,
        warranty_chargeable=decision.chargeable, warranty_remedies=list(decision.remedies),
        warranty_reasons=list(decision.reasons), warranty_reason_codes=list(decision.reason_codes),
        warranty_reason_args=[dict(a) for a in decision.reason_args], warranty_ends_on=decision.ends_on,
        rerepair_of=ev.rerepair_of, blocked_override_reason=v["blocked_override_reason"],
        open_job_override_reason=v["open_job_override_reason"],
    )
    said = [notes.note("taken_in")]
    for what in ("name", "phone"):  # a returning customer's record corrected on purpose, in the history
        if what in changed:
            said.append(notes.note(f"customer_{what}_changed", old=changed[what][0], new=changed[what][1]))
    if ev.rerepair_of is not None:
        said.append(notes.note("rerepair_of", number=ev.rerepair_of.number))
    if job.blocked_override_reason:
        said.append(notes.note("blocked_override", reason=job.blocked_override_reason))
    if job.open_job_override_reason:
        said.append(notes.note("open_job_override", numbers=", ".join(j.number for j in ev.open_jobs),
                               reason=job.open_job_override_reason))
    note = notes.join(*said) if len(said) > 1 else said[0]
    event = job.add_event("status", actor, to_status=JobStatus.RECEIVED.value, note=note, data={
        "intake": True,
        "warranty": decision.to_dict(),
        "policy_note": plain(ev.applied.note) if ev.applied.note else None,
        "promised_by": ev.promised_by.isoformat(),
        "rerepair_of": ev.rerepair_of.number if ev.rerepair_of else None,
        "blocked_override": [_blocked_item(e) for e in ev.blocked_entries] if job.blocked_override_reason else None,
    })
    event.at = now
    db.session.add(job)
    db.session.flush()
    if job.open_job_override_reason:
        audit.record(actor, "job.open_job_override", job, number=job.number,
                     open_jobs=[j.number for j in ev.open_jobs], reason=job.open_job_override_reason)
    if job.blocked_override_reason:
        audit.record(actor, "job.blocked_override", job, number=job.number,
                     imeis=[e.imei for e in ev.blocked_entries], reason=job.blocked_override_reason,
                     entries=[e.id for e in ev.blocked_entries])
    return job
