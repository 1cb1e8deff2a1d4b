"""Pickup (取机): money taken for a job, bill adjustments, the pickup record, loaner
phones (备机) and the outbox of customer notifications.

Rows here are append-only except where a row carries its own lifecycle (a loaner's
status, a loan's return, an outbox message's delivery state).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db, utcnow
from .jobs import Customer, Job
from .people import ServicePoint, User


def _in(column: str, values) -> str:
    return "{} IN ({})".format(column, ", ".join(repr(v.value) for v in values))


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    TRANSFER = "transfer"


class PaymentKind(StrEnum):
    DEPOSIT = "deposit"  # taken at intake, counted against the final bill
    PICKUP = "pickup"  # the balance taken when the handset is collected
    REFUND = "refund"  # money given back (a deposit larger than the bill)


class Payment(db.Model):
    """Money taken (or refunded) for a job.  Only ever inserted."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    reference: Mapped[str] = mapped_column(String(80), default="")
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    job: Mapped[Job] = relationship()
    received_by: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(_in("kind", PaymentKind), name="kind"),
        CheckConstraint(_in("method", PaymentMethod), name="method"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )


class ChargeKind(StrEnum):
    LABOUR = "labour"
    DISCOUNT = "discount"


class BillAdjustment(db.Model):
    """A labour charge or a discount set for a job's bill.

    Append-only: the latest row of each kind is the one in force, so the history of
    who changed the bill, when and why is kept.  An amount of zero removes it.
    """

    __tablename__ = "bill_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    reason: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    by: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(_in("kind", ChargeKind), name="kind"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )


class VerificationMethod(StrEnum):
    STUB = "stub"  # the customer's receipt stub was scanned
    PHONE_ID = "phone_id"  # last 4 phone digits given and an ID document checked


class PickupRecord(db.Model):
    """What happened when the handset went back to its owner: one per job.

    ``bill`` is the bill as charged (lines, discount, deposit, totals as strings),
    kept so a reprinted receipt shows what was paid even if prices change later.
    """

    __tablename__ = "pickups"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), unique=True)
    collected_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    collected_on: Mapped[dt.date] = mapped_column(Date)  # the service point's local date
    collected_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verified_by: Mapped[str] = mapped_column(String(10))
    id_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    accessories_returned: Mapped[list] = mapped_column(JSON, default=list)
    accessories_note: Mapped[str] = mapped_column(Text, default="")
    chargeable: Mapped[bool] = mapped_column(Boolean, default=True)
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    paid: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    bill: Mapped[dict] = mapped_column(JSON, default=dict)
    repair_warranty_days: Mapped[int | None] = mapped_column(Integer)
    repair_warranty_ends_on: Mapped[dt.date | None] = mapped_column(Date)

    job: Mapped[Job] = relationship()
    collected_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint(_in("verified_by", VerificationMethod), name="verified_by"),)


class LoanerStatus(StrEnum):
    AVAILABLE = "available"
    LENT = "lent"
    RETIRED = "retired"


class LoanerCondition(StrEnum):
    GOOD = "good"
    WORN = "worn"  # scratches, scuffs: still fit to lend
    DAMAGED = "damaged"  # came back broken; not lent again until checked


class Loaner(db.Model):
    """A loaner phone (备机) in a service point's pool."""

    __tablename__ = "loaners"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    imei: Mapped[str] = mapped_column(String(15), unique=True)
    brand: Mapped[str] = mapped_column(String(80), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    condition: Mapped[str] = mapped_column(String(10), default=LoanerCondition.GOOD.value)
    condition_notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=LoanerStatus.AVAILABLE.value)
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    service_point: Mapped[ServicePoint] = relationship()

    __table_args__ = (
        CheckConstraint(_in("status", LoanerStatus), name="status"),
        CheckConstraint(_in("condition", LoanerCondition), name="condition"),
    )

    @property
    def label(self) -> str:
        return " ".join(p for p in (self.brand, self.model) if p) or self.imei


class LoanerLoan(db.Model):
    """One lending of a loaner to a customer whose handset is in for repair."""

    __tablename__ = "loaner_loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    loaner_id: Mapped[int] = mapped_column(ForeignKey("loaners.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    lent_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    lent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    condition_out: Mapped[str] = mapped_column(String(10))
    notes_out: Mapped[str] = mapped_column(Text, default="")
    returned_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    condition_in: Mapped[str | None] = mapped_column(String(10))
    notes_in: Mapped[str] = mapped_column(Text, default="")

    loaner: Mapped[Loaner] = relationship()
    job: Mapped[Job] = relationship()
    lent_by: Mapped[User] = relationship(foreign_keys=[lent_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])

    __table_args__ = (
        # A loaner is out to one job at a time, and a job has one loaner out at a time;
        # the database enforces it even when two counters press "lend" together.
        Index("uq_loaner_loans_open_loaner", "loaner_id", unique=True,
              sqlite_where=text("returned_at IS NULL"), postgresql_where=text("returned_at IS NULL")),
        Index("uq_loaner_loans_open_job", "job_id", unique=True,
              sqlite_where=text("returned_at IS NULL"), postgresql_where=text("returned_at IS NULL")),
    )

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutboxStatus(StrEnum):
    QUEUED = "queued"  # waiting for a sender (or for one to be configured)
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"
    FAILED = "failed"  # gave up after repeated errors
    NO_CHANNEL = "no_channel"  # the customer gave no address this channel can reach


class OutboxMessage(db.Model):
    """A customer notification, rendered when queued and sent later by a sender."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.QUEUED.value, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Makes queueing idempotent: one "ready" message per ready move, one reminder per interval.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))

    job: Mapped[Job | None] = relationship()
    customer: Mapped[Customer | None] = relationship()

    @property
    def may_retry(self) -> bool:
        """Worth trying again now: it failed, or is waiting after a failed attempt."""
        return self.status in (OutboxStatus.FAILED.value, OutboxStatus.QUEUED.value) and bool(self.attempts)

    __table_args__ = (
        CheckConstraint(_in("channel", Channel), name="channel"),
        CheckConstraint(_in("status", OutboxStatus), name="status"),
    )
