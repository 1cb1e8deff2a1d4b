"""Warranty policies as data: each row holds the terms of one policy
(``workshop.warranty.engine.PolicyTerms.as_mapping()``), edited by an admin.

Which policy applies at a counter: the service point's own default
(:class:`ServicePointPolicy`), else the chain default, else the built-in 三包 preset.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import db, utcnow
from .people import ServicePoint


class WarrantyPolicy(db.Model):
    __tablename__ = "warranty_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Jobs keep the code of the policy they were decided under; it never changes.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    terms: Mapped[dict] = mapped_column(JSON)
    chain_default: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow,
                                                    onupdate=utcnow)

    service_points: Mapped[list[ServicePointPolicy]] = relationship(
        back_populates="policy", cascade="all, delete-orphan")

    __table_args__ = (
        # At most one chain default.
        Index("uq_warranty_policies_chain_default", "chain_default", unique=True,
              sqlite_where=db.text("chain_default"), postgresql_where=db.text("chain_default")),
    )

    def __repr__(self) -> str:
        return f"<WarrantyPolicy {self.code}>"


class ServicePointPolicy(db.Model):
    """The default warranty policy of one service point (overrides the chain default)."""

    __tablename__ = "service_point_policies"

    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_points.id", ondelete="CASCADE"), primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("warranty_policies.id", ondelete="CASCADE"),
                                           index=True)

    service_point: Mapped[ServicePoint] = relationship()
    policy: Mapped[WarrantyPolicy] = relationship(back_populates="service_points")
