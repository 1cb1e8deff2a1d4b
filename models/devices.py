"""Handsets as the front desk knows them: the TAC table (first 8 IMEI digits ->
brand and model) and the local register of blocked (lost or stolen) IMEIs."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db, utcnow
from .people import User


class TacEntry(db.Model):
    """One TAC (Type Allocation Code) and the handset it identifies."""

    __tablename__ = "tac_entries"

    tac: Mapped[str] = mapped_column(String(8), primary_key=True)
    brand: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow,
                                                    onupdate=utcnow)

    __table_args__ = (CheckConstraint("length(tac) = 8", name="tac_length"),)

    def __repr__(self) -> str:
        return f"<TacEntry {self.tac} {self.brand} {self.model}>"


class TacImport(db.Model):
    """One import of a TAC file: what it changed and which rows it refused."""

    __tablename__ = "tac_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    layout: Mapped[str] = mapped_column(String(20))
    licence: Mapped[str | None] = mapped_column(String(255))
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    # The first rejected rows (line, text, reason), kept for the manager to fix the file.
    rejected_rows: Mapped[list] = mapped_column(JSON, default=list)

    actor: Mapped[User | None] = relationship()


class BlockedReason(StrEnum):
    STOLEN = "stolen"
    LOST = "lost"
    OTHER = "other"


BLOCKED_REASONS = tuple(r.value for r in BlockedReason)


class BlockedImei(db.Model):
    """An IMEI reported lost or stolen.  Chain-wide: a stolen handset is stopped at
    every counter.  Entries are lifted, never deleted, so the register keeps its history."""

    __tablename__ = "blocked_imeis"

    id: Mapped[int] = mapped_column(primary_key=True)
    imei: Mapped[str] = mapped_column(String(15), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str] = mapped_column(String(120), default="")  # police report, operator case
    note: Mapped[str] = mapped_column(Text, default="")
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_points.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(Text)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])

    __table_args__ = (
        CheckConstraint("reason IN ({})".format(", ".join(repr(r) for r in BLOCKED_REASONS)),
                        name="reason"),
        # One active entry per IMEI; lifted entries stay as history.
        Index("uq_blocked_imeis_active_imei", "imei", unique=True,
              sqlite_where=db.text("lifted_at IS NULL"), postgresql_where=db.text("lifted_at IS NULL")),
    )

    @property
    def active(self) -> bool:
        return self.lifted_at is None
