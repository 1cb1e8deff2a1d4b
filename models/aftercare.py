"""After-sales care (售后): complaints with their insert-only history, remedies,
follow-up calls and the contact log.

Rules live in ``workshop.aftercare``; these classes only hold the facts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db, utcnow
from .jobs import Customer, Job
from .people import ServicePoint, User

#: Where a complaint surfaced -> its level (CONTRACT.md "After-sales care").
CHANNEL_LEVELS: dict[str, str] = {
    "walk_in": "general",
    "phone": "general",
    "email": "general",
    "online": "general",
    "social_media": "general",
    "manufacturer": "serious",
    "carrier": "serious",
    "regulator": "serious",
    "media": "critical",
    "government": "critical",
}
LEVELS = ("general", "serious", "critical")
CATEGORIES = ("repair_quality", "service_attitude", "delay", "price", "parts", "product_quality", "other")
COMPLAINT_STATUSES = ("open", "resolved", "closed")
REMEDY_KINDS = ("apology", "free_rerepair", "discount", "gift", "refund", "exchange", "compensation")
REMEDY_STATUSES = ("pending_approval", "approved", "done")
ROOT_CAUSES = ("repair_quality", "staff", "process", "parts", "customer_expectation", "product", "other")
FOLLOWUP_KINDS = ("pickup", "complaint")
FOLLOWUP_STATUSES = ("open", "done", "unreachable", "refused")
FOLLOWUP_OUTCOMES = ("reached", "no_answer", "refused")
FOLLOWUP_CHANNELS = ("phone", "sms", "email", "visit", "online")
CONTACT_KINDS = ("enquiry", "complaint", "suggestion", "praise", "other")
CONTACT_CHANNELS = ("phone", "walk_in", "email", "online", "social_media")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ComplaintSequence(db.Model):
    """Per service point and local month counter behind complaint numbers."""

    __tablename__ = "complaint_sequences"

    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Complaint(db.Model):
    """One complaint (投诉), from registration to closing."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    imei: Mapped[str | None] = mapped_column(String(15), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text, default="")
    demand: Mapped[str] = mapped_column(Text, default="")
    staff_involved: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    respond_by: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True))
    report_by: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    promised_on: Mapped[dt.date | None] = mapped_column(Date)
    responded_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    responded_on_time: Mapped[bool | None] = mapped_column(Boolean)
    response_note: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    report_text: Mapped[str] = mapped_column(Text, default="")
    founded: Mapped[bool | None] = mapped_column(Boolean)
    responsible: Mapped[str] = mapped_column(String(120), default="")
    preferred_solution: Mapped[str] = mapped_column(Text, default="")
    agreement_accepted: Mapped[bool | None] = mapped_column(Boolean)
    agreement_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    root_cause: Mapped[str | None] = mapped_column(String(30))
    root_cause_note: Mapped[str] = mapped_column(Text, default="")
    preventive_action: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    service_point: Mapped[ServicePoint] = relationship()
    customer: Mapped[Customer] = relationship()
    job: Mapped[Job | None] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    events: Mapped[list[ComplaintEvent]] = relationship(back_populates="complaint", order_by="ComplaintEvent.id")
    remedies: Mapped[list[Remedy]] = relationship(back_populates="complaint", order_by="Remedy.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(_in("channel", CHANNEL_LEVELS), name="channel"),
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("level", LEVELS), name="level"),
        CheckConstraint(_in("status", COMPLAINT_STATUSES), name="status"),
        Index("ix_complaints_sp_status", "service_point_id", "status"),
    )

    def add_event(self, kind: str, actor: User | None, *, note: str = "", data: dict | None = None
                  ) -> ComplaintEvent:
        """Append one line of history (never edited)."""
        event = ComplaintEvent(kind=kind, actor=actor, note=note or "", data=data or {}, at=utcnow())
        self.events.append(event)
        return event


class ComplaintEvent(db.Model):
    """One step of a complaint's history: who, when, what, note.  Rows are only inserted."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    complaint: Mapped[Complaint] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Remedy(db.Model):
    """A remedy (补救措施) offered on a complaint: proposed, approved, carried out."""

    __tablename__ = "remedies"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    done_note: Mapped[str] = mapped_column(Text, default="")
    # A free re-repair's job (created or linked at zero charge).
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    # For refund/exchange: what the 三包 policy entitles the customer to (warranty engine).
    entitlement: Mapped[dict] = mapped_column(JSON, default=dict)

    complaint: Mapped[Complaint] = relationship(back_populates="remedies")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
    job: Mapped[Job | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("kind", REMEDY_KINDS), name="kind"),
        CheckConstraint(_in("status", REMEDY_STATUSES), name="status"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )


_OPEN_FOLLOWUP_SQL = "status = 'open'"


def open_followups():
    """A WHERE term for "the call is still open" that ``ix_followups_open_due`` serves
    (a partial index is used only when the query repeats its WHERE with the literal)."""
    return FollowUp.status == literal_column("'open'")


class FollowUp(db.Model):
    """A follow-up call (回访) to make: after a pickup or after a resolved complaint."""

    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(10))
    channel: Mapped[str | None] = mapped_column(String(10))
    fixed: Mapped[bool | None] = mapped_column(Boolean)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    anything_else: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The complaint an unhappy answer opened (or found open) for this follow-up.
    opened_complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    # The unguessable key of the public one-question page.
    token: Mapped[str] = mapped_column(String(40), unique=True)
    # One pickup follow-up per job, one per resolution of a complaint.
    dedupe_key: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    service_point: Mapped[ServicePoint] = relationship()
    job: Mapped[Job | None] = relationship()
    complaint: Mapped[Complaint | None] = relationship(foreign_keys=[complaint_id])
    opened_complaint: Mapped[Complaint | None] = relationship(foreign_keys=[opened_complaint_id])
    customer: Mapped[Customer] = relationship()
    answered_by: Mapped[User | None] = relationship()
    attempt_log: Mapped[list[FollowUpAttempt]] = relationship(back_populates="followup",
                                                              order_by="FollowUpAttempt.id")

    __table_args__ = (
        CheckConstraint(_in("kind", FOLLOWUP_KINDS), name="kind"),
        CheckConstraint(_in("status", FOLLOWUP_STATUSES), name="status"),
        CheckConstraint("satisfaction IS NULL OR (satisfaction BETWEEN 1 AND 5)", name="satisfaction"),
        # The open calls are a few hundred among hundreds of thousands answered: the
        # call list and the home page's "calls due" read this partial index (queries
        # repeat its WHERE with the same literal: see :func:`open_followups`).
        Index("ix_followups_open_due", "service_point_id", "due_on",
              sqlite_where=text(_OPEN_FOLLOWUP_SQL), postgresql_where=text(_OPEN_FOLLOWUP_SQL)),
    )


class FollowUpAttempt(db.Model):
    """One call (or online answer) on a follow-up.  Rows are only inserted."""

    __tablename__ = "followup_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("followups.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10), default="phone")
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    followup: Mapped[FollowUp] = relationship(back_populates="attempt_log")
    actor: Mapped[User | None] = relationship()


class ContactLog(db.Model):
    """A call or visit that is not a complaint (来电记录): enquiry, suggestion, praise."""

    __tablename__ = "contact_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    kind: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(12), default="phone")
    name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    customer: Mapped[Customer | None] = relationship()
    job: Mapped[Job | None] = relationship()
    recorded_by: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(_in("kind", CONTACT_KINDS), name="kind"),
        CheckConstraint(_in("channel", CONTACT_CHANNELS), name="channel"),
    )
