"""Customers, repair jobs and the job's append-only event history.

A job's status changes only through :meth:`Job.move_to`, which checks the move
against :data:`TRANSITIONS` and the actor's role and appends a :class:`JobEvent`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from enum import StrEnum

from flask_babel import gettext
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
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db, utcnow
from .errors import PermissionDenied, WorkflowError
from .people import Role, ServicePoint, User
from .words import role_words, status_words, statuses_words

STUB_TOKEN_DIGITS = 12


def new_stub_token() -> str:
    """A fresh receipt-stub token: 12 random digits (Code 128 packs digits two to a
    symbol, so the stub's barcode still fits an 80 mm roll)."""
    return f"{secrets.randbelow(10 ** STUB_TOKEN_DIGITS):0{STUB_TOKEN_DIGITS}d}"


class JobStatus(StrEnum):
    RECEIVED = "received"
    DIAGNOSING = "diagnosing"
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_PARTS = "awaiting_parts"
    REPAIRING = "repairing"
    QC = "qc"
    READY = "ready"
    COLLECTED = "collected"
    CANCELLED = "cancelled"
    UNREPAIRABLE = "unrepairable"


S = JobStatus
R = Role
_BENCH = frozenset({R.ENGINEER, R.MANAGER})
_DESK = frozenset({R.RECEPTIONIST, R.MANAGER})
_DESK_AND_BENCH = _BENCH | _DESK

#: Allowed moves and who may make them.  Anything not listed is refused.
#:
#: On top of the role, :meth:`Job.move_to` applies two person rules:
#:
#: - an engineer moves only jobs assigned to them (a manager moves any job; an
#:   engineer takes an unassigned job through ``workshop.jobs.workflow``,
#:   which assigns it first);
#: - the moves out of ``qc`` (pass: ``ready``, fail: back to ``repairing``) are
#:   made by any engineer or manager *other than* whoever repaired the job (the
#:   assigned engineer and the person who handed it to QC).
#:
#: Desk roles (receptionist) are not tied to an engineer: the table alone decides.
TRANSITIONS: dict[tuple[JobStatus, JobStatus], frozenset[Role]] = {
    (S.RECEIVED, S.DIAGNOSING): _BENCH,
    (S.RECEIVED, S.CANCELLED): _DESK_AND_BENCH,
    (S.DIAGNOSING, S.AWAITING_APPROVAL): _BENCH,
    (S.DIAGNOSING, S.AWAITING_PARTS): _BENCH,
    (S.DIAGNOSING, S.REPAIRING): _BENCH,
    (S.DIAGNOSING, S.UNREPAIRABLE): _BENCH,
    (S.DIAGNOSING, S.CANCELLED): _DESK_AND_BENCH,
    # The customer's answer to an estimate overrun is recorded at the desk.
    (S.AWAITING_APPROVAL, S.AWAITING_PARTS): _DESK,
    (S.AWAITING_APPROVAL, S.REPAIRING): _DESK,
    (S.AWAITING_APPROVAL, S.READY): _DESK,  # declined: returned unrepaired
    (S.AWAITING_APPROVAL, S.CANCELLED): _DESK,
    (S.AWAITING_PARTS, S.REPAIRING): _BENCH,
    (S.AWAITING_PARTS, S.AWAITING_APPROVAL): _BENCH,
    (S.AWAITING_PARTS, S.CANCELLED): _DESK_AND_BENCH,
    (S.REPAIRING, S.AWAITING_PARTS): _BENCH,
    (S.REPAIRING, S.AWAITING_APPROVAL): _BENCH,
    (S.REPAIRING, S.QC): _BENCH,
    (S.REPAIRING, S.UNREPAIRABLE): _BENCH,
    (S.QC, S.READY): _BENCH,
    (S.QC, S.REPAIRING): _BENCH,  # QC failed
    (S.UNREPAIRABLE, S.READY): _DESK_AND_BENCH,
    (S.READY, S.COLLECTED): _DESK,
    (S.CANCELLED, S.COLLECTED): _DESK,  # a cancelled handset still goes back to its owner
}

OPEN_STATUSES = frozenset(set(JobStatus) - {S.COLLECTED})
#: The SQL of "the job is open", the WHERE of the partial indexes on open jobs.
_OPEN_SQL = "status <> 'collected'"
#: Where a handset normally is while a job has this status.
DEFAULT_LOCATION = {
    S.RECEIVED: "front_desk",
    S.DIAGNOSING: "bench",
    S.AWAITING_APPROVAL: "bench",
    S.AWAITING_PARTS: "parts_wait_shelf",
    S.REPAIRING: "bench",
    S.QC: "qc",
    S.READY: "pickup_shelf",
    S.COLLECTED: "customer",
    S.CANCELLED: "pickup_shelf",
    S.UNREPAIRABLE: "bench",
}


def allowed_moves(status: JobStatus | str, role: str | None = None) -> list[JobStatus]:
    """The statuses a job may move to from ``status`` (for ``role``, if given)."""
    status = JobStatus(status)
    return [
        to
        for (frm, to), roles in TRANSITIONS.items()
        if frm == status and (role is None or role in roles)
    ]


#: The last four characters of a customer's phone (E.164: digits), as the index on it
#: is written; :func:`phone_tail` writes the same expression in a query.
PHONE_TAIL_SQL = "substr(phone, length(phone) - 3)"


def phone_tail():
    """``customers.phone``'s last four digits, as the index ix_customers_sp_phone_tail has it
    (a literal 3, not a bound parameter, so both databases match the index expression)."""
    return func.substr(Customer.phone, func.length(Customer.phone) - literal_column("3"))


class Customer(db.Model):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"))
    # active_history: the name before a change is known at the flush even when the
    # row was not loaded (the names' index removes what the old name gave).
    name: Mapped[str] = mapped_column(String(120), active_history=True)
    # E.164, normalised with phonenumbers; the counter finds customers by it.
    phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    service_point: Mapped[ServicePoint] = relationship()

    __table_args__ = (
        UniqueConstraint("service_point_id", "phone"),
        # Search by name: exact or prefix (workshop/jobs/search.py).
        Index("ix_customers_name", "name"),
        # Search by name at one's service points: exact or prefix, within the point.
        Index("ix_customers_sp_name", "service_point_id", "name"),
        # Search by the last four digits of the phone ("the last four?" at the counter).
        Index("ix_customers_sp_phone_tail", "service_point_id", text(PHONE_TAIL_SQL)),
    )

    @property
    def phone_last4(self) -> str:
        return "".join(c for c in self.phone if c.isdigit())[-4:]


class JobSequence(db.Model):
    """Per-service-point counter behind job numbers (row-locked while incremented)."""

    __tablename__ = "job_sequences"

    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # active_history on both: the names' index (workshop/jobs/name_index.py) needs their
    # values before a change.
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True, active_history=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True, active_history=True)
    # The customer's name as the job's receipts were issued with it (set at intake or
    # first print): a later correction of the customer record does not reprint them.
    customer_name: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.RECEIVED.value, index=True)
    location: Mapped[str] = mapped_column(String(40), default="front_desk")
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    received_on: Mapped[dt.date] = mapped_column(Date)
    promised_by: Mapped[dt.date] = mapped_column(Date)
    closed_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))

    # The handset
    imei: Mapped[str | None] = mapped_column(String(15), index=True)
    imei2: Mapped[str | None] = mapped_column(String(15), index=True)
    serial_number: Mapped[str | None] = mapped_column(String(40), index=True)
    brand: Mapped[str] = mapped_column(String(80), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    colour: Mapped[str] = mapped_column(String(40), default="")
    tac_known: Mapped[bool] = mapped_column(Boolean, default=False)

    # Proof of purchase (invoice 发票 or warranty card 保卡)
    proof_kind: Mapped[str | None] = mapped_column(String(20))
    proof_number: Mapped[str | None] = mapped_column(String(60))
    purchase_date: Mapped[dt.date | None] = mapped_column(Date)
    proof_seller: Mapped[str | None] = mapped_column(String(120))
    proof_imei: Mapped[str | None] = mapped_column(String(15))

    # Fault and condition
    fault_category: Mapped[str] = mapped_column(String(40))
    fault_description: Mapped[str] = mapped_column(Text, default="")
    component: Mapped[str] = mapped_column(String(20), default="handset")
    liquid_damage: Mapped[bool] = mapped_column(Boolean, default=False)
    physical_damage: Mapped[bool] = mapped_column(Boolean, default=False)
    seals_intact: Mapped[bool] = mapped_column(Boolean, default=True)
    unauthorised_repair: Mapped[bool] = mapped_column(Boolean, default=False)
    documents_altered: Mapped[bool] = mapped_column(Boolean, default=False)
    condition_notes: Mapped[str] = mapped_column(Text, default="")
    accessories: Mapped[list] = mapped_column(JSON, default=list)
    data_disclaimer_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    lock_removed: Mapped[bool] = mapped_column(Boolean, default=False)

    # Money: the estimate the customer agreed to and the ceiling above which they are asked again
    estimate_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    estimate_ceiling: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))

    # Warranty decision taken at intake (kept as decided; the policy may change later)
    warranty_policy: Mapped[str] = mapped_column(String(40), default="")
    warranty_status: Mapped[str] = mapped_column(String(20), default="")
    warranty_chargeable: Mapped[bool] = mapped_column(Boolean, default=True)
    warranty_remedies: Mapped[list] = mapped_column(JSON, default=list)
    warranty_reasons: Mapped[list] = mapped_column(JSON, default=list)
    # The reasons as codes and the values they were made from (workshop.warranty.engine), so
    # the job page and receipts can say them in the reader's language; empty on jobs
    # taken in before they were stored (the English sentences are shown then).
    warranty_reason_codes: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    warranty_reason_args: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    warranty_ends_on: Mapped[dt.date | None] = mapped_column(Date)

    rerepair_of_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    # The repair's own warranty, set at pickup for a repaired handset (workshop.pickup.collection):
    # back with a fault before this local date, a new job is a re-repair of this one.
    repair_warranty_ends_on: Mapped[dt.date | None] = mapped_column(Date)
    blocked_override_reason: Mapped[str | None] = mapped_column(Text)
    # Why a manager let this handset in while it had another open job (services.intake).
    open_job_override_reason: Mapped[str | None] = mapped_column(Text)
    # The secret on the customer's receipt stub (workshop.jobs.receipt_stub): its barcode is
    # the job number and this token, so the tag on the handset's bag never verifies.
    stub_token: Mapped[str] = mapped_column(String(16), default=lambda: new_stub_token())

    version: Mapped[int] = mapped_column(Integer, default=1)

    service_point: Mapped[ServicePoint] = relationship()
    customer: Mapped[Customer] = relationship()
    engineer: Mapped[User | None] = relationship(foreign_keys=[engineer_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    rerepair_of: Mapped[Job | None] = relationship(remote_side=[id])
    events: Mapped[list[JobEvent]] = relationship(
        back_populates="job", order_by="JobEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(repr(s.value) for s in JobStatus)), name="status"
        ),
        CheckConstraint("imei IS NOT NULL OR serial_number IS NOT NULL", name="device_identified"),
        Index("ix_jobs_sp_status", "service_point_id", "status"),
        # Open jobs are a few hundred among a million: lists and counts of them read
        # these partial indexes, used by queries that carry OPEN_JOB (below).
        Index("ix_jobs_open_sp", "service_point_id", "status", "promised_by",
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        Index("ix_jobs_open_engineer", "engineer_id", "status",
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        # A service point's jobs newest first with their customer: a search by the
        # beginning of a name (a lone letter, which the names' index does not keep)
        # walks it and stops at a page (workshop/jobs/search.py), reading no table row.
        Index("ix_jobs_sp_id_customer", "service_point_id", "id", "customer_id"),
    )

    @property
    def job_status(self) -> JobStatus:
        return JobStatus(self.status)

    @property
    def is_open(self) -> bool:
        return self.job_status in OPEN_STATUSES

    @property
    def free_reason(self) -> str:
        """Why the job is free of charge: "rerepair" (our own work again), "warranty"
        (the warranty decision at intake), or "" when it is charged."""
        if self.rerepair_of_id is not None:
            return "rerepair"
        if not self.warranty_chargeable:
            return "warranty"
        return ""

    @property
    def is_free_of_charge(self) -> bool:
        """Warranty work and re-repairs: neither parts nor labour are charged."""
        return self.free_reason != ""

    def allowed_moves(self, role: str | None = None) -> list[JobStatus]:
        return allowed_moves(self.status, role)

    def moves_for(self, user: User) -> list[JobStatus]:
        """The moves ``user`` may make on this job now (role and person rules)."""
        moves = []
        for target in self.allowed_moves(user.role):
            try:
                self.check_move(target, user)
            except PermissionDenied:
                continue
            moves.append(target)
        return moves

    @property
    def repairer_ids(self) -> set[int]:
        """Who repaired the job: the assigned engineer and the person who handed it to QC
        (read from the latest hand-over event; the current engineer without one)."""
        for event in reversed(self.events):
            if event.kind == "status" and event.to_status == S.QC.value:
                actor_id = event.actor.id if event.actor is not None else event.actor_id
                ids = {actor_id, (event.data or {}).get("engineer_id")}
                return {i for i in ids if i is not None}
        return {self.assigned_engineer_id} if self.assigned_engineer_id is not None else set()

    @property
    def assigned_engineer_id(self) -> int | None:
        # The relationship may be set and not yet flushed: trust it over the column.
        return self.engineer.id if self.engineer is not None else self.engineer_id

    def _check_person(self, frm: JobStatus, target: JobStatus, actor: User) -> None:
        """The person rules of :data:`TRANSITIONS`; raises PermissionDenied."""
        if actor.role not in (R.ENGINEER, R.MANAGER):
            return
        if frm == S.QC:
            if actor.id in self.repairer_ids:
                raise PermissionDenied(
                    gettext("QC must be done by someone other than the engineer who repaired the "
                            "job.")
                )
            return
        if actor.role == R.ENGINEER and self.assigned_engineer_id != actor.id:
            owner = self.engineer.label if self.engineer is not None else None
            raise PermissionDenied(
                gettext("This job is assigned to %(owner)s; only they or a manager may move it.", owner=owner)
                if owner
                else gettext("This job is not assigned to anyone yet; take it or ask a manager to assign it.")
            )

    def check_move(self, to: JobStatus | str, actor: User) -> JobStatus:
        """Return the target status if ``actor`` may move this job there now.

        Raises what :meth:`move_to` raises, without changing anything.
        """
        try:
            target = JobStatus(to)
        except ValueError:
            raise WorkflowError(
                gettext("Unknown status %(to)s.", to=repr(to)), errors={"to": [gettext("Unknown status %(to)s.", to=repr(to))]}
            ) from None
        frm = self.job_status
        roles = TRANSITIONS.get((frm, target))
        if roles is None:
            raise WorkflowError(
                gettext("A job that is “%(from_status)s” cannot move to “%(to_status)s”. Allowed: %(allowed)s.",
                        from_status=status_words(frm), to_status=status_words(target),
                        allowed=statuses_words(self.allowed_moves()))
            )
        if actor.role not in roles:
            raise PermissionDenied(gettext(
                "Your role (%(role)s) may not move a job from “%(from_status)s” to “%(to_status)s”. "
                "You may: %(mine)s.", role=role_words(actor.role), from_status=status_words(frm),
                to_status=status_words(target), mine=statuses_words(self.allowed_moves(actor.role))))
        self._check_person(frm, target, actor)
        return target

    def move_to(
        self,
        to: JobStatus | str,
        actor: User,
        *,
        note: str | None = None,
        location: str | None = None,
        data: dict | None = None,
    ) -> JobEvent:
        """Change status, append the event, and return it (nothing is committed).

        Raises WorkflowError (naming the allowed moves) when the workflow forbids the
        move, PermissionDenied when the actor's role may not make it or a person rule
        of :data:`TRANSITIONS` refuses the actor (not their job; QC of their own repair).
        Cross-field rules (a reason to cancel, the QC checklist, the estimate ceiling)
        live in ``workshop.jobs.workflow``, which every area calls.
        """
        frm = self.job_status
        target = self.check_move(to, actor)
        data = dict(data or {})
        if target == S.QC:
            # Remember who repaired it: QC must then be done by someone else.
            data.setdefault("engineer_id", self.assigned_engineer_id)
        self.status = target.value
        self.location = location or DEFAULT_LOCATION[target]
        if target == S.COLLECTED:
            self.closed_at = utcnow()
        return self.add_event(
            "status", actor, from_status=frm.value, to_status=target.value, note=note, data=data
        )

    def add_event(
        self,
        kind: str,
        actor: User | None,
        *,
        note: str | None = None,
        from_status: str | None = None,
        to_status: str | None = None,
        data: dict | None = None,
    ) -> JobEvent:
        """Append an event (print, scan, assignment, part, payment...) to the history."""
        if hasattr(note, "data") and hasattr(note, "code"):  # workshop.jobs.notes.Note: keep its code too
            data = {**(data or {}), **note.data()}
            note = str(note)
        event = JobEvent(
            kind=kind,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            location=self.location,
            note=note or "",
            data=data or {},
        )
        self.events.append(event)
        return event


class JobEvent(db.Model):
    """One line of a job's history. Rows are only ever inserted."""

    __tablename__ = "job_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    job: Mapped[Job] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


def open_jobs():
    """A WHERE term for "the job is open" that the partial indexes on open jobs serve.

    SQLite and PostgreSQL use a partial index only when the query repeats its WHERE
    with the same literal (a bound parameter would not do), so every list or count
    of open jobs adds this term next to its own status filter.
    """
    return Job.status != literal_column("'collected'")
