"""Handing a handset back (取机): the final bill, verifying the customer, taking the
payment and collecting the job; the list of handsets waiting to be collected.

The bill
    Parts come from the parts store's issues to the job
    (``workshop.parts.catalogue.job_parts_lines``).  Labour is what the counter or the
    bench set for the job (:func:`set_charge`); until someone sets it, a repaired
    handset's labour is the part of the estimate the customer agreed to that the parts
    do not account for (estimate minus parts, never below zero), and an unrepaired one
    (cancelled, unrepairable, declined) costs nothing.  Warranty work and re-repairs
    within the repair warranty are free: the lines keep their list price, the charged
    price is zero.  A discount needs a reason.  Deposits taken earlier are subtracted;
    what is left is the balance the customer pays at pickup.

Verification
    Either the customer's receipt stub is scanned (its barcode is the job number and
    the job's secret stub token, see services.receipt_stub: the person holding the stub
    is the owner; the bag's tag never verifies), or the customer gives the last 4 digits of
    their phone number *and* the counter checks an ID document.  A failed verification
    changes nothing; views and the API log it with :func:`log_failed_verification` in
    a transaction of its own.

Services flush and never commit; views, API handlers and CLI commands commit.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import joinedload, load_only

import labels
from models import (
    AuditEvent,
    BillAdjustment,
    ChargeKind,
    Conflict,
    Job,
    JobEvent,
    JobStatus,
    LoanerLoan,
    OutboxMessage,
    Payment,
    PaymentKind,
    PaymentMethod,
    PermissionDenied,
    PickupRecord,
    ValidationError,
    VerificationMethod,
    WorkflowError,
    db,
    utcnow,
)
from models.jobs import open_jobs
from models.words import status_words
from workshop.core import audit, throttle
from workshop.core.clock import as_utc, local_now, local_today
from workshop.core.locale import phone_language
from workshop.core.money import CENT, ZERO, cents, parse_money
from workshop.core.settings import setting
from workshop.jobs import workflow
from workshop.parts import catalogue as parts_service
from workshop.pickup import loaners
from workshop.printing import documents as printing

#: Statuses from which a handset is handed back to its owner.
COLLECTABLE = (JobStatus.READY, JobStatus.CANCELLED)
#: The public status page asks the customer to come with their receipt in these statuses...
COME_FOR_HANDSET = frozenset({JobStatus.READY.value, JobStatus.CANCELLED.value, JobStatus.UNREPAIRABLE.value})
#: ...and to call us in these (we need their answer).
CALL_US = frozenset({JobStatus.AWAITING_APPROVAL.value})
#: A handset on the pickup shelf this many days is late (the uncollected list flags it).
LATE_AFTER_DAYS = 30
_LAST4_RE = re.compile(r"^\d{4}$")


# -- the bill ---------------------------------------------------------------


@dataclass(frozen=True)
class BillLine:
    """One line of the bill.  ``unit_price`` is what is charged (zero when the work is
    free); ``list_price`` the normal price, shown so the customer sees what was covered."""

    kind: str  # "part" or "labour"
    description: str
    quantity: int
    unit_price: Decimal
    list_price: Decimal
    sku: str = ""

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)

    @property
    def list_amount(self) -> Decimal:
        return (self.list_price * self.quantity).quantize(CENT)


@dataclass(frozen=True)
class Bill:
    lines: tuple[BillLine, ...]
    chargeable: bool
    free_reason: str = ""  # "warranty" or "rerepair" when not chargeable
    discount: Decimal = ZERO
    discount_reason: str = ""
    deposit: Decimal = ZERO  # deposits taken, less refunds
    labour_source: str = "none"  # "set", "estimate" or "none"

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return max(self.subtotal - self.discount, ZERO)

    @property
    def balance(self) -> Decimal:
        """What the customer pays at pickup (negative: money to give back)."""
        return self.total - self.deposit

    def as_dict(self) -> dict:
        """JSON-ready (amounts as strings): the API answer and the pickup record's copy."""
        return {
            "chargeable": self.chargeable,
            "free_reason": self.free_reason or None,
            "lines": [
                {"kind": line.kind, "sku": line.sku or None, "description": line.description,
                 "quantity": line.quantity, "unit_price": str(line.unit_price),
                 "list_price": str(line.list_price), "amount": str(line.amount)}
                for line in self.lines
            ],
            "subtotal": str(self.subtotal),
            "discount": str(self.discount),
            "discount_reason": self.discount_reason or None,
            "total": str(self.total),
            "deposit": str(self.deposit),
            "balance": str(self.balance),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Bill:
        """The bill as kept on a pickup record (inverse of :meth:`as_dict`)."""
        lines = tuple(
            BillLine(kind=line["kind"], description=line["description"], quantity=int(line["quantity"]),
                     unit_price=Decimal(line["unit_price"]), list_price=Decimal(line["list_price"]),
                     sku=line.get("sku") or "")
            for line in data.get("lines", [])
        )
        return cls(lines=lines, chargeable=bool(data.get("chargeable")),
                   free_reason=data.get("free_reason") or "", discount=Decimal(data.get("discount", "0")),
                   discount_reason=data.get("discount_reason") or "", deposit=Decimal(data.get("deposit", "0")))


def _as_bill_lines(parts_lines: list[dict]) -> list[tuple[str, str, int, Decimal, Decimal]]:
    lines = []
    for line in parts_lines:
        quantity = int(line["quantity"])
        if quantity <= 0:
            continue
        charged = cents(line["unit_price"])
        listed = cents(line["list_price"]) if line.get("list_price") is not None else charged
        lines.append((line["sku"], line["description"], quantity, charged, listed))
    return lines


def current_charge(job: Job, kind: ChargeKind) -> BillAdjustment | None:
    """The labour or discount row in force for the job (the latest), or None."""
    return db.session.scalar(
        select(BillAdjustment).where(BillAdjustment.job_id == job.id, BillAdjustment.kind == kind.value)
        .order_by(BillAdjustment.id.desc()).limit(1)
    )


# The bills' statements of many jobs, built once (their ids a parameter): a list page
# asks for a page of bills per request, and building a statement costs more than running it.
_BILL_IDS = bindparam("ids", expanding=True)
_PICKUP_RECORDS = select(PickupRecord).where(PickupRecord.job_id.in_(_BILL_IDS))
_REPAIRED = select(JobEvent.job_id).where(JobEvent.job_id.in_(_BILL_IDS), JobEvent.kind == "status",
                                          JobEvent.from_status == JobStatus.QC.value,
                                          JobEvent.to_status == JobStatus.READY.value)
_CHARGES = select(BillAdjustment).where(BillAdjustment.job_id.in_(_BILL_IDS)).order_by(BillAdjustment.id)
_DEPOSITS = (select(Payment.job_id, Payment.kind, func.coalesce(func.sum(Payment.amount), 0))
             .where(Payment.job_id.in_(_BILL_IDS),
                    Payment.kind.in_([PaymentKind.DEPOSIT.value, PaymentKind.REFUND.value]))
             .group_by(Payment.job_id, Payment.kind))


def _current_charges(job_ids: list[int]) -> dict[tuple[int, str], BillAdjustment]:
    """:func:`current_charge` of many jobs in one query, by (job id, kind)."""
    latest: dict[tuple[int, str], BillAdjustment] = {}
    for row in db.session.scalars(_CHARGES, {"ids": job_ids}):
        latest[(row.job_id, row.kind)] = row
    return latest


def was_repaired(job: Job) -> bool:
    """True when the job passed QC (a qc -> ready move): the handset was repaired."""
    return any(e.kind == "status" and e.from_status == JobStatus.QC.value
               and e.to_status == JobStatus.READY.value for e in job.events)


def _deposit_totals(job_ids: list[int]) -> dict[int, Decimal]:
    """Deposits less refunds of many jobs in one query, by job id (missing: none)."""
    rows = db.session.execute(_DEPOSITS, {"ids": job_ids}).all()
    sums: dict[int, Decimal] = {}
    for job_id, kind, total in rows:
        sign = 1 if kind == PaymentKind.DEPOSIT.value else -1
        sums[job_id] = sums.get(job_id, ZERO) + sign * Decimal(total)
    return {job_id: cents(total) for job_id, total in sums.items()}


_LOOK_IT_UP = object()


def bill(job: Job, *, record=_LOOK_IT_UP) -> Bill:
    """The job's bill as it stands now (the pickup record keeps the one charged).

    A collected job answers with the bill it was collected with.  Never raises.
    ``record``: the job's pickup record (or None) when the caller has already loaded it.
    """
    if job.id is None:
        return _bill(job, {}, [], ZERO)
    known = None if record is _LOOK_IT_UP else ({job.id: record} if record is not None else {})
    return bills([job], records=known)[job.id]


def bills(jobs: Sequence[Job], *, records: dict[int, PickupRecord] | None = None) -> dict[int, Bill]:
    """:func:`bill` of each of ``jobs``, by job id, in a fixed number of queries (a list
    page shows a balance per job without a query per row).  ``records``: the jobs'
    pickup records by job id, when the caller has already loaded them."""
    ids = [job.id for job in jobs]
    if not ids:
        return {}
    if records is None:
        records = {r.job_id: r for r in db.session.scalars(_PICKUP_RECORDS, {"ids": ids})}
    parts = parts_service.jobs_parts_lines(ids)
    charges = _current_charges(ids)
    deposits = _deposit_totals(ids)
    repaired = _repaired(ids)
    out = {}
    for job in jobs:
        record = records.get(job.id)
        if record is not None and record.bill:
            out[job.id] = Bill.from_dict(record.bill)
            continue
        out[job.id] = _bill(job, charges, _as_bill_lines(parts.get(job.id, [])), deposits.get(job.id, ZERO),
                            repaired=job.id in repaired)
    return out


def _repaired(job_ids: list[int]) -> set[int]:
    """:func:`was_repaired` of many jobs in one query (on the events' job_id index)."""
    return set(db.session.scalars(_REPAIRED, {"ids": job_ids}))


def _bill(job: Job, charges: dict, parts_lines: list, deposit: Decimal, *, repaired: bool | None = None) -> Bill:
    why_free = job.free_reason
    chargeable = not why_free
    lines: list[BillLine] = []
    for sku, description, quantity, charged, listed in parts_lines:
        lines.append(BillLine("part", description, quantity, charged if chargeable else ZERO, listed, sku))
    parts_list_total = sum((line.list_amount for line in lines), ZERO)

    labour_row = charges.get((job.id, ChargeKind.LABOUR.value))
    if labour_row is not None:
        labour, source = cents(labour_row.amount), "set"
    elif was_repaired(job) if repaired is None else repaired:
        labour, source = max(cents(job.estimate_amount or 0) - parts_list_total, ZERO), "estimate"
    else:
        labour, source = ZERO, "none"
    if labour or source == "set":
        lines.append(BillLine("labour", "Labour", 1, labour if chargeable else ZERO, labour))

    discount_row = charges.get((job.id, ChargeKind.DISCOUNT.value)) if chargeable else None
    discount = cents(discount_row.amount) if discount_row is not None else ZERO
    return Bill(
        lines=tuple(lines), chargeable=chargeable, free_reason=why_free,
        discount=discount, discount_reason=discount_row.reason if discount_row is not None and discount else "",
        deposit=deposit, labour_source=source,
    )


def set_charge(job: Job, actor, kind: ChargeKind | str, amount, reason: str = "") -> BillAdjustment:
    """Set the job's labour charge or discount (``amount`` zero removes it).

    Raises ValidationError for a negative amount, a discount without a reason or
    larger than the bill, and Conflict once the job is collected.  Flushes only.
    """
    kind = ChargeKind(kind)
    if job.job_status == JobStatus.COLLECTED:
        raise Conflict(gettext("The job is collected; its bill is closed."))
    value = parse_money(amount, "amount", negative=True)
    reason = (reason or "").strip()
    if value < 0:
        raise ValidationError(gettext("The amount cannot be negative."), field="amount")
    if kind == ChargeKind.DISCOUNT and value:
        if not reason:
            raise ValidationError(gettext("Say why the discount is given."), field="reason")
        current = bill(job)
        if current.subtotal < value:
            raise ValidationError(gettext("The discount cannot exceed the bill (%(subtotal)s).", subtotal=current.subtotal), field="amount")
    row = BillAdjustment(job_id=job.id, kind=kind.value, amount=value, reason=reason, by_id=actor.id)
    db.session.add(row)
    job.add_event("bill", actor, note=reason, data={"charge": kind.value, "amount": str(value)})
    db.session.flush()
    return row


@dataclass(frozen=True)
class PaymentInput:
    method: str
    amount: Decimal | str
    reference: str = ""


def _check_method(method: str, field_name: str = "payment.method") -> PaymentMethod:
    try:
        return PaymentMethod((method or "").strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in PaymentMethod)
        raise ValidationError(gettext("Unknown payment method “%(method)s”; use one of %(allowed)s.",
                                      method=method, allowed=allowed),
                              field=field_name) from None


def record_deposit(job: Job, actor, payment: PaymentInput) -> Payment:
    """Take a deposit against the job's final bill.

    Raises ValidationError (method, amount not positive) and Conflict for a collected
    job.  Flushes only.
    """
    if job.job_status == JobStatus.COLLECTED:
        raise Conflict(gettext("The job is collected; take no deposit for it."))
    method = _check_method(payment.method, "method")
    amount = parse_money(payment.amount, "amount", negative=True)
    if amount <= 0:
        raise ValidationError(gettext("A deposit must be more than zero."), field="amount")
    row = Payment(job_id=job.id, kind=PaymentKind.DEPOSIT.value, method=method.value, amount=amount,
                  reference=(payment.reference or "").strip()[:80], received_by_id=actor.id)
    db.session.add(row)
    job.add_event("payment", actor, data={"kind": row.kind, "method": row.method, "amount": str(amount),
                                          "reference": row.reference})
    db.session.flush()
    return row


def payments(job: Job) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.job_id == job.id).order_by(Payment.id)))


# -- verification -------------------------------------------------------------


class VerificationFailed(PermissionDenied):
    """The person at the counter could not be verified as the handset's owner."""

    title = _l("Verification failed")

    def __init__(self, message: str, *, reason: str, field: str | None = None):
        super().__init__(message, field=field)
        self.reason = reason


class StubScansExhausted(VerificationFailed):
    """Too many receipt stubs that were not this job's were scanned for it lately: the
    stub no longer verifies until the window passes (the phone digits and an ID still do)."""

    status = 429
    title = _l("Too many attempts")

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, reason="stub_attempts_exhausted", field="stub_code")
        self.retry_after = retry_after


def stub_failure_limit() -> str:
    """How many stubs that do not match a job may be scanned for it, e.g. "5 per 15 minutes"."""
    return setting("PICKUP_STUB_FAILURE_LIMIT", "5 per 15 minutes")


@dataclass(frozen=True)
class Verification:
    """How the customer proved who they are.  ``method`` is "stub" (``stub_code`` is
    what the scanner read from their receipt) or "phone_id" (``phone_last4`` and the
    counter's ``id_checked`` tick)."""

    method: VerificationMethod | str
    stub_code: str = ""
    phone_last4: str = ""
    id_checked: bool = False

    def summary(self) -> dict:
        return {"method": VerificationMethod(self.method).value, "id_checked": bool(self.id_checked)}


def verify(job: Job, verification: Verification) -> None:
    """Check that the person at the counter owns the handset.

    Raises ValidationError when the input is malformed (no stub scanned, not 4
    digits), VerificationFailed (a PermissionDenied: 403) when it does not match or
    the ID was not checked.  Changes nothing.
    """
    try:
        method = VerificationMethod(verification.method)
    except ValueError:
        raise ValidationError(gettext("Choose how the customer is verified: receipt stub or phone and ID."),
                              field="method") from None
    if method == VerificationMethod.STUB:
        code = (verification.stub_code or "").strip().upper()
        if not code:
            raise ValidationError(gettext("Scan the customer's receipt stub."), field="stub_code")
        from workshop.jobs import receipt_stub as stub

        wait = throttle.exhausted(stub_failure_limit(), "pickup-stub", job.number)
        if wait is not None:
            # Guessing a stub's token scan after scan: stop it here, even a right one.
            raise StubScansExhausted(gettext(
                "Too many receipt stubs that are not this job's were scanned. Verify the customer with the "
                "last 4 digits of their phone and an ID document, or scan again in %(minutes)s minute(s).",
                minutes=max(1, -(-wait // 60))), retry_after=wait)
        if not stub.matches(job, code):
            # The bag's tag (the bare job number) never verifies: only the stub has the token.
            raise VerificationFailed(gettext("The receipt stub scanned is not this job's."), reason="stub_mismatch",
                                     field="stub_code")
        return
    digits = (verification.phone_last4 or "").strip()
    if not _LAST4_RE.match(digits):
        raise ValidationError(gettext("Enter the last 4 digits of the customer's phone number."), field="phone_last4")
    if not hmac.compare_digest(digits.encode(), job.customer.phone_last4.encode()):
        raise VerificationFailed(gettext("The last 4 digits do not match the customer's phone number."),
                                 reason="phone_mismatch", field="phone_last4")
    if not verification.id_checked:
        raise VerificationFailed(gettext("Check the customer's ID document and tick the box before handing over."),
                                 reason="id_not_checked", field="id_checked")


def log_failed_verification(actor, job: Job, failure: VerificationFailed, verification: Verification):
    """Append the audit row for a refused verification, and count a stub that was not
    this job's against it (:func:`stub_failure_limit`).  The caller commits it in its
    own transaction, after rolling back whatever the refused request had started."""
    if failure.reason == "stub_mismatch":
        throttle.count(stub_failure_limit(), "pickup-stub", job.number)
    return audit.record(actor, "pickup.verification_failed", job, job_number=job.number,
                        method=VerificationMethod(verification.method).value, reason=failure.reason)


def failed_verifications(job: Job, since: dt.datetime | None = None) -> int:
    """How many verification attempts for this job were refused (since ``since``)."""
    stmt = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "pickup.verification_failed", AuditEvent.subject_type == "Job",
        AuditEvent.subject_id == str(job.id))
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    return db.session.scalar(stmt) or 0


# -- collecting ---------------------------------------------------------------


def pickup_record(job: Job) -> PickupRecord | None:
    if job.id is None:
        return None
    return db.session.scalar(select(PickupRecord).where(PickupRecord.job_id == job.id))


def check_collectable(job: Job) -> None:
    """Raise WorkflowError unless the job waits to be handed back."""
    if job.job_status == JobStatus.COLLECTED:
        raise WorkflowError(gettext("Job %(number)s was already collected.", number=job.number))
    if job.job_status not in COLLECTABLE:
        raise WorkflowError(
            gettext("Job %(number)s is %(status)s: only a ready (or cancelled) handset can "
                    "be collected.",
                    number=job.number, status=status_words(job.status))
        )


def _check_accessories(job: Job, returned: Iterable[str] | None, note: str) -> list[str]:
    left = list(job.accessories or [])
    returned = left if returned is None else [a for a in returned if a]
    unknown = [a for a in returned if a not in left]
    if unknown:
        raise ValidationError(gettext("Not left with this handset: %(choices)s.", choices=', '.join(unknown)), field="accessories_returned")
    missing = [a for a in left if a not in returned]
    if missing and not note.strip():
        raise ValidationError(
            gettext("Not ticked as handed back: %(choices)s. Hand them back, or say why in "
                    "the note.",
                    choices=', '.join(missing)),
            field="accessories_returned",
        )
    return [a for a in left if a in returned]


def _check_payment(balance: Decimal, payment: PaymentInput | None) -> tuple[PaymentMethod, Decimal, str] | None:
    if payment is None or (payment.amount in (None, "") and not payment.method):
        if balance:
            raise ValidationError(gettext("The balance due is %(balance)s; record the payment.", balance=balance), field="payment.amount")
        return None
    amount = parse_money(payment.amount if payment.amount not in (None, "") else "0", "payment.amount",
                         negative=True)
    if amount != balance:
        if balance < 0:
            message = gettext("The balance to refund is %(amount)s; the payment recorded must be exactly that.",
                              amount=abs(balance))
        else:
            message = gettext("The balance due is %(amount)s; the payment recorded must be exactly that.",
                              amount=abs(balance))
        raise ValidationError(
            message,
            field="payment.amount",
        )
    if not balance:
        if (payment.method or "").strip():
            _check_method(payment.method)  # nothing due, but a method named must still be one we take
        return None
    return _check_method(payment.method), amount, (payment.reference or "").strip()[:80]


def _move(job: Job, to: JobStatus, actor, *, note: str | None, data: dict) -> JobEvent:
    # The workflow service owns every status move (its rules and after-move hooks);
    # it accepts "collected" only from pickup, which says so with handover=True.
    return workflow.move(job, to, actor, note=note, data=data, handover=True)


def collect(job: Job, actor, *, verification: Verification, payment: PaymentInput | None = None,
            accessories_returned: Sequence[str] | None = None, accessories_note: str = "",
            note: str = "") -> PickupRecord:
    """Hand the handset back: verify the customer, take the balance, and move the job to
    collected, recording the pickup (and the repair's own warranty for a repaired
    handset: the service point's ``repair_warranty_days`` from the local date).

    ``accessories_returned`` None means everything left with the handset was handed
    back.  ``payment`` must be exactly the balance (None when nothing is due).

    Raises WorkflowError (409) when the job is not waiting to be collected,
    VerificationFailed (403) / ValidationError (422) from :func:`verify`, Conflict
    (409) while a loaner is out, ValidationError for accessories or payment.  Nothing
    is changed when it raises.  Flushes only.
    """
    check_collectable(job)
    job.check_move(JobStatus.COLLECTED, actor)
    verify(job, verification)
    loan = loaners.open_loan(job)
    if loan is not None:
        raise Conflict(
            gettext("Loaner %(label)s (IMEI %(imei)s) is still with the customer: record "
                    "its return before handing the handset back.",
                    label=loan.loaner.label, imei=loan.loaner.imei),
            field="loaner",
        )
    accessories = _check_accessories(job, accessories_returned, accessories_note or "")
    current = bill(job)
    taken = _check_payment(current.balance, payment)

    sp = job.service_point
    now = utcnow()
    today = local_today(sp, now)
    repaired = was_repaired(job)
    warranty_days = sp.repair_warranty_days if repaired else None
    warranty_ends = today + dt.timedelta(days=warranty_days) if warranty_days else None

    paid = ZERO
    if taken is not None:
        method, amount, reference = taken
        kind = PaymentKind.PICKUP if amount > 0 else PaymentKind.REFUND
        row = Payment(job_id=job.id, kind=kind.value, method=method.value, amount=abs(amount),
                      reference=reference, received_by_id=actor.id, at=now)
        db.session.add(row)
        paid = amount
        job.add_event("payment", actor, data={"kind": kind.value, "method": method.value,
                                              "amount": str(abs(amount)), "reference": reference})

    record = PickupRecord(
        job_id=job.id, collected_at=now, collected_on=today, collected_by_id=actor.id,
        verified_by=VerificationMethod(verification.method).value, id_checked=bool(verification.id_checked),
        accessories_returned=accessories, accessories_note=(accessories_note or "").strip(),
        chargeable=current.chargeable, total=current.total, paid=paid, bill=current.as_dict(),
        repair_warranty_days=warranty_days, repair_warranty_ends_on=warranty_ends,
    )
    db.session.add(record)
    job.repair_warranty_ends_on = warranty_ends
    _move(job, JobStatus.COLLECTED, actor, note=note or None, data={
        "verified_by": record.verified_by, "id_checked": record.id_checked, "paid": str(paid),
        "accessories_returned": accessories,
        "repair_warranty_ends_on": warranty_ends.isoformat() if warranty_ends else None,
    })
    db.session.flush()
    return record


# -- waiting to be collected --------------------------------------------------


@dataclass
class Waiting:
    """A handset on the pickup shelf."""

    job: Job
    since: dt.datetime
    days: int
    reminders: int = 0
    last_reminder_at: dt.datetime | None = None
    loaner_out: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def since_on(self) -> dt.date:
        """The day (at the job's service point) the handset went on the shelf."""
        return local_now(self.job.service_point, self.since).date()

    @property
    def last_reminder_on(self) -> dt.date | None:
        """The day (at the job's service point) the last reminder was queued, if any."""
        return local_now(self.job.service_point, self.last_reminder_at).date() if self.last_reminder_at else None

    @property
    def level(self) -> str:
        """"late" after :data:`LATE_AFTER_DAYS`, "warn" once a reminder is due (the
        service point's ``reminder_after_days``, 7 when unset), else ""."""
        if self.days >= LATE_AFTER_DAYS:
            return "late"
        if self.days >= (self.job.service_point.reminder_after_days or 7):
            return "warn"
        return ""


def waiting_for_pickup(service_point_ids: Iterable[int] | None = None, *, now: dt.datetime | None = None
                       ) -> list[Waiting]:
    """Handsets ready (or cancelled) and not yet collected, longest waiting first.

    ``since`` is when the job last moved to its current status; ``days`` counts
    whole local days since then at the job's service point.
    """
    return _waiting(_shelf(service_point_ids), now)


@dataclass
class ShelfPage:
    """A page of :func:`shelf_page`: its handsets, how many wait in all, and the
    cursor of the next page (None on the last)."""

    waiting: list[Waiting]
    total: int
    next_after: str | None


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)
#: Handsets per page of the uncollected list.
SHELF_PAGE = 50


def shelf_page(service_point_ids: Iterable[int] | None = None, *, after: str | None = None,
               limit: int | None = None, now: dt.datetime | None = None) -> ShelfPage:
    """The handsets of :func:`waiting_for_pickup` that follow the cursor ``after`` (a
    ``next_after`` of the previous page; None: from the start), at most ``limit``
    (default :data:`SHELF_PAGE`).

    The order (longest waiting first) is a key, not an offset: a handset collected
    meanwhile does not shift the next page.  Only the shelf is read for the order
    (the open jobs' index); the page's jobs are loaded with what the list shows.
    Raises ValidationError for a cursor this function did not make.
    """
    keys = _shelf(service_point_ids)
    start = 0
    if after:
        key = _parse_cursor(after)
        start = next((i for i, (since, number, _) in enumerate(keys) if (since, number) > key), len(keys))
    page = keys[start:start + max(1, limit or SHELF_PAGE)]
    more = start + len(page) < len(keys)
    cursor = f"{(page[-1][0] - _EPOCH) // _MICRO}~{page[-1][1]}" if more and page else None
    return ShelfPage(waiting=_waiting(page, now, shown_only=True), total=len(keys), next_after=cursor)


def _parse_cursor(value: str) -> tuple[dt.datetime, str]:
    micros, _, number = value.partition("~")
    try:
        since = _EPOCH + int(micros) * _MICRO
    except (ValueError, OverflowError):
        since = None
    if since is None or not number:
        raise ValidationError(gettext("This page link is not valid; start from the first page."),
                              errors={"after": [gettext("Not a page cursor.")]})
    return since, number


def _status_since():
    """When a job moved to its current status: its latest such event (on the events'
    job_id index), correlated to the job of the outer query."""
    return (
        select(func.max(JobEvent.at))
        .where(JobEvent.job_id == Job.id, JobEvent.kind == "status", JobEvent.to_status == Job.status)
        .correlate(Job)
        .scalar_subquery()
    )


# The shelf's statements are built once, with their lists of ids as parameters: a list
# page sends several, and building one (and its cache key) costs more than running it.
_SHELF = (select(Job.id, Job.number, Job.received_at, _status_since().label("since"))
          .where(Job.status.in_([s.value for s in COLLECTABLE]), open_jobs()))
_SHELF_AT = _SHELF.where(Job.service_point_id.in_(bindparam("service_points", expanding=True)))
_IDS = bindparam("ids", expanding=True)
# Each job with its reminders (how many, the last) and whether a loaner is out, from
# subqueries on the outbox's and the loans' job_id indexes: one round trip, not three.
_REMINDERS_SENT = (select(func.count(OutboxMessage.id))
                   .where(OutboxMessage.job_id == Job.id, OutboxMessage.template == "reminder")
                   .correlate(Job).scalar_subquery())
_LAST_REMINDER = (select(func.max(OutboxMessage.created_at))
                  .where(OutboxMessage.job_id == Job.id, OutboxMessage.template == "reminder")
                  .correlate(Job).scalar_subquery())
_LOANER_OUT = exists().where(LoanerLoan.job_id == Job.id, LoanerLoan.returned_at.is_(None)).correlate(Job)
_SHELF_JOBS = (select(Job, _REMINDERS_SENT.label("reminders"), _LAST_REMINDER.label("last_reminder"),
                      _LOANER_OUT.label("loaner_out"))
               .where(Job.id.in_(_IDS)).options(joinedload(Job.service_point), joinedload(Job.customer)))


def _shelf(service_point_ids: Iterable[int] | None) -> list[tuple[dt.datetime, str, int]]:
    """(since, job number, job id) of every handset on the shelf, longest waiting first.

    Per waiting job (on the open-jobs index), its latest move to its status (on the
    events' job_id index): the cost follows the shelf, not the history."""
    if service_point_ids is None:
        rows = db.session.execute(_SHELF)
    else:
        rows = db.session.execute(_SHELF_AT, {"service_points": sorted(service_point_ids)})
    keys = [(as_utc(ready_since or received_at), number, job_id) for job_id, number, received_at, ready_since in rows]
    keys.sort()
    return keys


#: What a page of the shelf shows of a job (the list, its balances: :func:`bills`);
#: a job has some fifty columns, five of them JSON.
SHELF_COLUMNS = (Job.number, Job.status, Job.service_point_id, Job.customer_id, Job.brand, Job.model,
                 Job.warranty_chargeable, Job.rerepair_of_id, Job.estimate_amount)
_SHELF_PAGE_JOBS = _SHELF_JOBS.options(load_only(*SHELF_COLUMNS))


def _waiting(keys: list[tuple[dt.datetime, str, int]], now: dt.datetime | None, *,
             shown_only: bool = False) -> list[Waiting]:
    """The :class:`Waiting` of these shelf keys (:func:`_shelf`), in their order: a fixed
    number of queries.  ``shown_only``: load only the job columns a list shows
    (:data:`SHELF_COLUMNS`; any other is read when first used)."""
    if not keys:
        return []
    ids = {"ids": [job_id for _, _, job_id in keys]}
    found = {row[0].id: row for row in db.session.execute(_SHELF_PAGE_JOBS if shown_only else _SHELF_JOBS, ids)}
    out = []
    for ready_since, _, job_id in keys:
        if job_id not in found:
            continue
        job, count, last, lent = found[job_id]
        days = (local_today(job.service_point, now) - local_now(job.service_point, ready_since).date()).days
        out.append(Waiting(job=job, since=ready_since, days=max(days, 0), reminders=count or 0,
                           last_reminder_at=as_utc(last) if last else None, loaner_out=bool(lent)))
    return out


# -- the public status page -----------------------------------------------------


@dataclass(frozen=True)
class PublicStatus:
    """What the public status page may show: no personal data beyond the first
    letter of the customer's name, no IMEI, no phone number."""

    number: str
    status: str
    name_initial: str
    handset: str
    promised_by: dt.date
    updated_at: dt.datetime  # local time of the service point
    service_point_name: str
    service_point_address: str
    service_point_phone: str
    locale: str | None  # the customer's recorded language
    locale_hint: str | None  # a guess from the phone number (+86: Chinese)
    collected_on: dt.date | None = None
    balance: Decimal | None = None
    loaner_out: bool = False
    repair_warranty_ends_on: dt.date | None = None

    @property
    def come_for_handset(self) -> bool:
        """The customer should come with their receipt (or ID and phone)."""
        return self.status in COME_FOR_HANDSET

    @property
    def needs_customer(self) -> bool:
        """The customer has something to do: come, call us, or bring back a loaner."""
        return self.come_for_handset or self.status in CALL_US or self.loaner_out


def public_status(number: str, phone_last4: str) -> PublicStatus | None:
    """The public view of job ``number`` when ``phone_last4`` are the last 4 digits of
    its customer's phone; None otherwise (no such job and wrong digits look the same).
    Changes nothing."""
    job = db.session.scalar(select(Job).where(Job.number == (number or "").strip().upper()))
    expected = job.customer.phone_last4 if job is not None else "----"
    given = (phone_last4 or "").strip()
    matches = hmac.compare_digest(given.encode(), expected.encode())
    if job is None or not matches or not _LAST4_RE.match(given):
        return None
    record = pickup_record(job)
    waiting = job.job_status in COLLECTABLE
    last_event = job.events[-1].at if job.events else job.received_at
    return PublicStatus(
        number=job.number, status=job.status, name_initial=(job.customer.name or "?").strip()[:1].upper(),
        handset=" ".join(p for p in (job.brand, job.model) if p), promised_by=job.promised_by,
        updated_at=local_now(job.service_point, last_event), service_point_name=job.service_point.name,
        service_point_address=job.service_point.address, service_point_phone=job.service_point.phone,
        locale=job.customer.locale, locale_hint=phone_language(job.customer.phone),
        collected_on=record.collected_on if record else None,
        balance=bill(job).balance if waiting else None, loaner_out=loaners.open_loan(job) is not None,
        repair_warranty_ends_on=job.repair_warranty_ends_on,
    )


# -- the pickup receipt -----------------------------------------------------------

_METHOD_WORDS = {
    "en": {"cash": "cash", "card": "bank card", "wechat": "WeChat Pay", "alipay": "Alipay",
           "transfer": "bank transfer"},
    "zh": {"cash": "现金", "card": "银行卡", "wechat": "微信支付", "alipay": "支付宝", "transfer": "银行转账"},
}
_RECEIPT_WORDS = {
    "en": {"labour": "Labour", "covered": " (warranty)", "rerepair": " (re-repair)", "refund": "refund",
           "terms": ("The repair warranty covers the parts fitted and the workmanship of this repair for "
                     "{days} days from collection. It does not cover new damage by liquid, drops or "
                     "crushing, or opening by others. Bring this receipt with the handset.")},
    "zh": {"labour": "人工费", "covered": "（保修）", "rerepair": "（返修）", "refund": "退款",
           "terms": "本次维修所更换的配件及维修工艺自取机之日起保修{days}天。进液、摔落、挤压等新的人为损坏"
                    "或经他人拆修的不在保修范围内。保修时请携带本单据及机器。"},
}


def pickup_receipt_pdf(job: Job, actor, fmt: str | None = None, *, status_url: str = "",
                       currency: str = "¥", reader: str | None = None, feedback_url: str = "",
                       record_print: bool = True) -> tuple[bytes, str]:
    """The pickup receipt (取机单) of a collected job as PDF bytes, and the format used
    (``fmt`` "a5" or "80mm"; default the service point's ``receipt_format``), in the
    customer's language (``reader``: the counter's, as for the intake receipt).

    Logs the print (marked as a reprint after the first) as a ``print`` event
    (``workshop.printing.documents.record_print``, like the other documents) unless
    ``record_print`` is False (a plain GET of the PDF, not a person's print).  Raises
    Conflict when the job is not collected, ValidationError for an unknown format.
    Flushes only.
    """
    record = pickup_record(job)
    if record is None:
        raise Conflict(gettext("Job %(number)s has not been collected: there is no pickup receipt yet.", number=job.number))
    sp = job.service_point
    fmt = (fmt or sp.receipt_format or "a5").lower()
    if fmt not in labels.RECEIPT_FORMATS:
        raise ValidationError(gettext("Unknown receipt format “%(fmt)s”; use %(choices)s.",
                                      fmt=fmt, choices=' or '.join(labels.RECEIPT_FORMATS)),
                              field="format")
    lang = printing.receipt_language(job)
    words = _RECEIPT_WORDS[lang]
    charged = Bill.from_dict(record.bill)
    suffix = words.get(charged.free_reason, "") if not charged.chargeable else ""
    if suffix == "" and not charged.chargeable:
        suffix = words["covered"]
    lines = [
        labels.BillLine(description=(words["labour"] if line.kind == "labour" else line.description) + suffix,
                        unit_price=line.unit_price, quantity=line.quantity)
        for line in charged.lines
    ]
    taken = [p for p in payments(job) if p.kind in (PaymentKind.PICKUP.value, PaymentKind.REFUND.value)]
    method_words = _METHOD_WORDS[lang]
    paid = [
        labels.Payment(method=method_words.get(p.method, p.method)
                       + (f" {words['refund']}" if p.kind == PaymentKind.REFUND.value else ""),
                       amount=p.amount if p.kind == PaymentKind.PICKUP.value else -p.amount)
        for p in taken
    ]
    work_done = "\n".join(e.note for e in job.events if e.kind == "repair" and e.note)
    dpi = sp.printer_dpi if sp.printer_dpi in labels.PRINTER_DPIS else 203
    receipt = labels.PickupReceipt(
        service_point=labels.ServicePoint(code=sp.code, name=sp.name, address=sp.address or "", phone=sp.phone or ""),
        job_number=job.number,
        customer=labels.Customer(name=job.customer_name or job.customer.name, phone=job.customer.phone),
        handset=labels.Handset(brand=job.brand or "", model=job.model or "", colour=job.colour or "",
                               imei=job.imei or "", imei2=job.imei2 or "", serial=job.serial_number or ""),
        received_at=local_now(sp, as_utc(job.received_at)).replace(tzinfo=None),
        collected_at=local_now(sp, as_utc(record.collected_at)).replace(tzinfo=None),
        work_done=work_done,
        bill_lines=lines,
        discount=charged.discount,
        deposit=charged.deposit,
        payments=paid,
        accessories_returned=[printing.receipt_words(lang)["accessory"].get(a, a)
                              for a in record.accessories_returned or []],
        repair_warranty_days=record.repair_warranty_days or 0,
        repair_warranty_until=record.repair_warranty_ends_on,
        terms=words["terms"].format(days=record.repair_warranty_days) if record.repair_warranty_days else "",
        status_url=status_url,
        feedback_url=feedback_url,
        captions=lang,
        currency=currency,
    )
    pdf = labels.receipt_pdf(receipt, fmt, dpi=dpi)
    if record_print:
        printing.record_print(job, actor, "pickup_receipt", fmt)
    db.session.flush()
    return pdf, fmt
