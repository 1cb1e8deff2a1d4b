"""Service points, staff accounts and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .base import db, utcnow


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    ENGINEER = "engineer"
    CLERK = "clerk"
    MANAGER = "manager"
    ADMIN = "admin"


ROLE_VALUES = tuple(r.value for r in Role)

user_service_point_grants = Table(
    "user_service_point_grants",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("service_point_id", ForeignKey("service_points.id", ondelete="CASCADE"), primary_key=True),
)


class ServicePoint(db.Model):
    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Printing settings of the counter: which label stock and receipt format it uses.
    label_size: Mapped[str] = mapped_column(String(10), default="62x29")
    receipt_format: Mapped[str] = mapped_column(String(10), default="a5")
    printer_dpi: Mapped[int] = mapped_column(Integer, default=203)
    repair_warranty_days: Mapped[int] = mapped_column(Integer, default=90)
    reminder_after_days: Mapped[int] = mapped_column(Integer, default=7)
    # After-sales care: what front-line staff may grant as a discount or gift without a
    # manager, and how many days after pickup the follow-up call is due.
    staff_remedy_limit: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("50.00"),
                                                        server_default="50.00")
    followup_after_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # Terms printed on receipts; empty means the built-in terms in the receipt's language.
    receipt_terms: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    __table_args__ = (CheckConstraint("printer_dpi IN (203, 300, 600)", name="printer_dpi"),)

    def __repr__(self) -> str:
        return f"<ServicePoint {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(20))
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"))
    engineer_level: Mapped[int | None] = mapped_column(Integer)
    # Brands an engineer is qualified for, comma separated; empty means any brand.
    brands: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    service_point: Mapped[ServicePoint] = relationship()
    granted_service_points: Mapped[list[ServicePoint]] = relationship(secondary=user_service_point_grants)

    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLE_VALUES)})", name="role"),
    )

    # Flask-Login: an inactive account cannot sign in and its sessions stop working.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.active)

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def service_point_ids(self) -> set[int]:
        """Service points whose jobs, customers and stock this user may see."""
        return {self.service_point_id, *(sp.id for sp in self.granted_service_points)}

    @property
    def brand_list(self) -> list[str]:
        return [b.strip() for b in (self.brands or "").split(",") if b.strip()]

    @property
    def label(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(db.DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @staticmethod
    def new_secret() -> str:
        return "wst_" + secrets.token_urlsafe(32)
