"""Spare parts: the chain-wide catalogue, stock per service point, the stock ledger,
requisitions (领料单), transfers between service points (调件), stock takes and the
defective-part log (旧件回收).

Stock changes only through ``workshop.parts.ledger``: every movement is a
:class:`StockMove` row and :attr:`Stock.on_hand` is kept equal to the sum of the
ledger's ``qty`` for that part and service point in the same transaction.  The
database refuses negative stock (``CHECK (on_hand >= 0)``) and reservations above
what is on the shelf (``CHECK (reserved <= on_hand)``) as the last line of defence.

``reserved`` counts units set aside for pending requisitions: a requisition line
reserves its quantity when it is requested and enough is available; a line that
could not be reserved waits and competes for stock when the clerk issues.
``available = on_hand - reserved`` is what a new request or a transfer may take.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db, utcnow
from .jobs import Job
from .people import ServicePoint, User


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PartCategory(StrEnum):
    SCREEN = "screen"
    BATTERY = "battery"
    CHARGING_PORT = "charging_port"
    CAMERA = "camera"
    BACK_COVER = "back_cover"
    SPEAKER = "speaker"
    BOARD = "board"
    ADHESIVE = "adhesive"
    OTHER = "other"


class WarrantyCategory(StrEnum):
    #: Covered by the handset maker: the replaced part goes back for credit.
    MANUFACTURER = "manufacturer"
    #: Covered by our parts supplier (DOA and early failures go back to them).
    SUPPLIER = "supplier"
    #: Consumables and third-party parts: no claim.
    NONE = "none"


class MoveKind(StrEnum):
    RECEIPT = "receipt"
    ISSUE = "issue"
    RETURN = "return"
    #: A new part found faulty on the job (DOA): it leaves the job for the defective
    #: bin, not for the shelf, so it does not change saleable stock (qty 0).
    DEFECTIVE_RETURN = "defective_return"
    ADJUSTMENT = "adjustment"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"


#: Sign of ``qty`` each kind of movement must have.
MOVE_SIGNS = {
    MoveKind.RECEIPT: +1,
    MoveKind.RETURN: +1,
    MoveKind.TRANSFER_IN: +1,
    MoveKind.ISSUE: -1,
    MoveKind.TRANSFER_OUT: -1,
    MoveKind.ADJUSTMENT: None,  # either way, never zero
    MoveKind.DEFECTIVE_RETURN: 0,
}


class AdjustmentReason(StrEnum):
    STOCK_TAKE = "stock_take"
    DAMAGED = "damaged"
    LOST = "lost"
    FOUND = "found"
    CORRECTION = "correction"


class RequisitionStatus(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    CANCELLED = "cancelled"


class TransferStatus(StrEnum):
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class DefectiveStatus(StrEnum):
    KEPT = "kept"
    SENT = "sent"
    CREDITED = "credited"


class DefectiveOrigin(StrEnum):
    #: The old part taken out of the customer's handset (旧件).
    REPLACED = "replaced"
    #: A new part from our stock that was faulty when fitted (DOA).
    DOA = "doa"


class Part(db.Model):
    """A catalogue entry, shared by every service point of the chain."""

    __tablename__ = "parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    category: Mapped[str] = mapped_column(String(20), default=PartCategory.OTHER.value)
    brand: Mapped[str] = mapped_column(String(80), default="")
    #: Handset models the part fits, as written on the handset ("iPhone 13", "Redmi Note 12").
    compatible_models: Mapped[list] = mapped_column(JSON, default=list)
    bin_location: Mapped[str] = mapped_column(String(40), default="", index=True)
    cost: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"))
    warranty_category: Mapped[str] = mapped_column(String(20), default=WarrantyCategory.SUPPLIER.value)
    reorder_point: Mapped[int] = mapped_column(Integer, default=0)
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)
    #: Board-level parts: every unit has a serial, recorded on each movement.
    serial_tracked: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("cost >= 0", name="cost_not_negative"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("reorder_point >= 0", name="reorder_point_not_negative"),
        CheckConstraint("safety_stock >= 0", name="safety_stock_not_negative"),
        CheckConstraint(_in("category", [c.value for c in PartCategory]), name="category"),
        CheckConstraint(_in("warranty_category", [c.value for c in WarrantyCategory]), name="warranty_category"),
    )

    def fits(self, brand: str, model: str) -> bool:
        """True when the part is listed as compatible with this handset."""
        want = {_norm(model), _norm(f"{brand} {model}")} - {""}
        if not want:
            return False
        if self.brand and brand and _norm(self.brand) not in _norm(brand) and _norm(brand) not in _norm(self.brand):
            return False
        return any(_norm(m) in want for m in self.compatible_models or [])

    def __repr__(self) -> str:
        return f"<Part {self.sku}>"


def _norm(text: str | None) -> str:
    return "".join((text or "").lower().split())


class Stock(db.Model):
    """Stock of one part at one service point; on_hand is the ledger's sum."""

    __tablename__ = "stock"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    part: Mapped[Part] = relationship()
    service_point: Mapped[ServicePoint] = relationship()

    __table_args__ = (
        UniqueConstraint("part_id", "service_point_id"),
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Requisition(db.Model):
    """领料单: parts an engineer asks the store for, for one job."""

    __tablename__ = "requisitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RequisitionStatus.PENDING.value, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    job: Mapped[Job] = relationship()
    service_point: Mapped[ServicePoint] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    lines: Mapped[list[RequisitionLine]] = relationship(
        back_populates="requisition", order_by="RequisitionLine.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(_in("status", [s.value for s in RequisitionStatus]), name="status"),
        Index("ix_requisitions_sp_status", "service_point_id", "status"),
    )

    @property
    def number(self) -> str:
        return f"R{self.id:06d}"

    @property
    def is_pending(self) -> bool:
        return self.status == RequisitionStatus.PENDING

    @property
    def fully_reserved(self) -> bool:
        return all(line.reserved_qty == line.qty for line in self.lines)


class RequisitionLine(db.Model):
    __tablename__ = "requisition_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    requisition_id: Mapped[int] = mapped_column(ForeignKey("requisitions.id", ondelete="CASCADE"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    #: Units held on the shelf for this line while it is pending (0 or qty).
    reserved_qty: Mapped[int] = mapped_column(Integer, default=0)
    issued_qty: Mapped[int] = mapped_column(Integer, default=0)
    #: Unused units that went back to the shelf.
    returned_qty: Mapped[int] = mapped_column(Integer, default=0)
    #: Units that were faulty when fitted (DOA) and went to the defective bin.
    defective_qty: Mapped[int] = mapped_column(Integer, default=0)
    #: Charged per unit, fixed when issued: the part's price, or zero for warranty work.
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    #: The part's catalogue price when issued (what the unit is worth, charged or not).
    list_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    #: Serials of the units issued (serial-tracked parts).
    serials: Mapped[list] = mapped_column(JSON, default=list)

    requisition: Mapped[Requisition] = relationship(back_populates="lines")
    part: Mapped[Part] = relationship()

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("reserved_qty >= 0 AND reserved_qty <= qty", name="reserved_qty"),
        CheckConstraint("issued_qty >= 0 AND issued_qty <= qty", name="issued_qty"),
        CheckConstraint("returned_qty >= 0 AND defective_qty >= 0 AND returned_qty + defective_qty <= issued_qty",
                        name="returns_within_issued"),
    )

    @property
    def charged_qty(self) -> int:
        """Units the job keeps (and pays for): issued minus returned and DOA."""
        return self.issued_qty - self.returned_qty - self.defective_qty

    @property
    def amount(self) -> Decimal:
        return (self.unit_price or Decimal("0.00")) * self.charged_qty


class Transfer(db.Model):
    """调件: stock sent from one service point to another; the receiver confirms."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    from_service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    to_service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    serials: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=TransferStatus.IN_TRANSIT.value, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))

    part: Mapped[Part] = relationship()
    from_service_point: Mapped[ServicePoint] = relationship(foreign_keys=[from_service_point_id])
    to_service_point: Mapped[ServicePoint] = relationship(foreign_keys=[to_service_point_id])
    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("from_service_point_id <> to_service_point_id", name="different_ends"),
        CheckConstraint(_in("status", [s.value for s in TransferStatus]), name="status"),
    )

    @property
    def number(self) -> str:
        return f"T{self.id:06d}"


class StockTake(db.Model):
    """One count of a shelf (or the whole store); differences become adjustments."""

    __tablename__ = "stock_takes"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    shelf: Mapped[str] = mapped_column(String(40), default="")
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    counted: Mapped[int] = mapped_column(Integer, default=0)
    differences: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")

    taken_by: Mapped[User | None] = relationship()
    service_point: Mapped[ServicePoint] = relationship()


class DefectivePart(db.Model):
    """旧件回收: a replaced or DOA part kept for a warranty claim."""

    __tablename__ = "defective_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id"))
    requisition_line_id: Mapped[int | None] = mapped_column(ForeignKey("requisition_lines.id"))
    origin: Mapped[str] = mapped_column(String(20), default=DefectiveOrigin.REPLACED.value)
    qty: Mapped[int] = mapped_column(Integer, default=1)
    serial: Mapped[str] = mapped_column(String(60), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DefectiveStatus.KEPT.value, index=True)
    #: RMA or shipment number when sent; credit note number when credited.
    reference: Mapped[str] = mapped_column(String(80), default="")
    credit_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    logged_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    credited_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))

    job: Mapped[Job | None] = relationship()
    part: Mapped[Part | None] = relationship()
    logged_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint(_in("status", [s.value for s in DefectiveStatus]), name="status"),
        CheckConstraint(_in("origin", [s.value for s in DefectiveOrigin]), name="origin"),
    )


class StockMove(db.Model):
    """One line of the stock ledger.  Rows are only ever inserted.

    ``qty`` is the signed change to on-hand stock at the service point; the sum of
    ``qty`` per (part, service point) equals :attr:`Stock.on_hand`.
    """

    __tablename__ = "stock_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"))
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"))
    kind: Mapped[str] = mapped_column(String(20))
    qty: Mapped[int] = mapped_column(Integer)
    #: on_hand after this movement (a running balance for reading the ledger).
    balance: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), index=True)
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("requisitions.id"), index=True)
    requisition_line_id: Mapped[int | None] = mapped_column(ForeignKey("requisition_lines.id"))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    stock_take_id: Mapped[int | None] = mapped_column(ForeignKey("stock_takes.id"))
    defective_part_id: Mapped[int | None] = mapped_column(ForeignKey("defective_parts.id"))
    reason: Mapped[str] = mapped_column(String(20), default="")
    serial: Mapped[str | None] = mapped_column(String(60))
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    note: Mapped[str] = mapped_column(Text, default="")

    part: Mapped[Part] = relationship()
    service_point: Mapped[ServicePoint] = relationship()
    actor: Mapped[User | None] = relationship()
    job: Mapped[Job | None] = relationship()
    requisition: Mapped[Requisition | None] = relationship()
    transfer: Mapped[Transfer | None] = relationship()

    __table_args__ = (
        Index("ix_stock_moves_part_sp", "part_id", "service_point_id"),
        CheckConstraint(_in("kind", [k.value for k in MoveKind]), name="kind"),
        CheckConstraint(
            "(kind IN ('receipt', 'return', 'transfer_in') AND qty > 0)"
            " OR (kind IN ('issue', 'transfer_out') AND qty < 0)"
            " OR (kind = 'adjustment' AND qty <> 0)"
            " OR (kind = 'defective_return' AND qty = 0)",
            name="qty_sign",
        ),
        CheckConstraint("balance >= 0", name="balance_not_negative"),
    )
