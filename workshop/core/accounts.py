"""Service points, users and API tokens: the rules for creating and finding them.

Functions flush but never commit; views, API handlers and CLI commands commit.
"""

from __future__ import annotations

import re
import zoneinfo

from flask_babel import gettext
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import generate_password_hash

import labels
from models import (
    ROLE_VALUES,
    ApiToken,
    PermissionDenied,
    ServicePoint,
    User,
    ValidationError,
    db,
)
from models.people import hash_token
from workshop.core import audit
from workshop.core.passwords import problems
from workshop.core.sessions import password_changed
from workshop.core.settings import setting
from workshop.permissions.rules import may

CODE_RE = re.compile(r"^[A-Z0-9]{2,6}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 8
_DUMMY_HASH = generate_password_hash("not-a-real-password")

__all__ = [
    "User",
    "authenticate",
    "check_may_manage",
    "create_service_point",
    "create_user",
    "default_service_point",
    "issue_token",
    "service_point_by_code",
    "update_service_point_settings",
    "update_user",
    "user_for_token",
    "visible_users",
]


def service_point_by_code(code: str) -> ServicePoint | None:
    return db.session.scalar(select(ServicePoint).where(ServicePoint.code == code.strip().upper()))


def default_service_point() -> ServicePoint | None:
    """The first service point created (users without one are put there)."""
    return db.session.scalar(select(ServicePoint).order_by(ServicePoint.id).limit(1))


def create_service_point(code: str, name: str, *, address: str = "", phone: str = "",
                         timezone: str | None = None, actor=None) -> ServicePoint:
    """Create a service point.  Raises ValidationError for a bad or taken code or timezone."""
    code = (code or "").strip().upper()
    errors: dict[str, list[str]] = {}
    if not CODE_RE.match(code):
        errors["code"] = [gettext("Use 2 to 6 capital letters or digits, e.g. SZ01.")]
    elif service_point_by_code(code):
        errors["code"] = [gettext("Service point %(code)s already exists.", code=code)]
    if not (name or "").strip():
        errors["name"] = [gettext("A name is required.")]
    timezone = timezone or setting("WORKSHOP_TIMEZONE", "UTC")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [gettext("%(timezone)s is not an IANA timezone name such as Asia/Shanghai.", timezone=repr(timezone))]
    if errors:
        raise ValidationError(gettext("The service point was not created."), errors=errors)
    sp = ServicePoint(code=code, name=name.strip(), address=address, phone=phone, timezone=timezone)
    db.session.add(sp)
    db.session.flush()
    audit.record(actor, "service_point.create", sp, service_point_id=sp.id, code=code)
    return sp


def update_service_point_settings(sp: ServicePoint, *, actor, name: str | None = None, address: str | None = None,
                                  phone: str | None = None, timezone: str | None = None,
                                  label_size: str | None = None, receipt_format: str | None = None,
                                  printer_dpi: int | None = None, repair_warranty_days: int | None = None,
                                  reminder_after_days: int | None = None,
                                  receipt_terms: str | None = None, staff_remedy_limit=None,
                                  followup_after_days: int | None = None) -> ServicePoint:
    """Change a service point's details and counter settings (printing defaults,
    repair warranty, reminder age).  Raises ValidationError per field; flushes only."""
    errors: dict[str, list[str]] = {}
    if name is not None and not name.strip():
        errors["name"] = [gettext("A name is required.")]
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = [gettext("%(timezone)s is not an IANA timezone name such as Asia/Shanghai.", timezone=repr(timezone))]
    if label_size is not None and label_size not in labels.LABEL_SIZES:
        errors["label_size"] = [gettext("Choose one of: %(choices)s.", choices=', '.join(labels.LABEL_SIZES))]
    if receipt_format is not None and receipt_format not in labels.RECEIPT_FORMATS:
        errors["receipt_format"] = [gettext("Choose one of: %(choices)s.", choices=', '.join(labels.RECEIPT_FORMATS))]
    if printer_dpi is not None and printer_dpi not in labels.PRINTER_DPIS:
        errors["printer_dpi"] = [gettext("Choose one of: %(choices)s.", choices=', '.join(map(str, labels.PRINTER_DPIS)))]
    for field, value, low, high in (("repair_warranty_days", repair_warranty_days, 0, 3650),
                                    ("reminder_after_days", reminder_after_days, 1, 365),
                                    ("followup_after_days", followup_after_days, 0, 90)):
        if value is not None and not low <= value <= high:
            errors[field] = [gettext("Use a number of days from %(low)s to %(high)s.", low=low, high=high)]
    if staff_remedy_limit is not None and not 0 <= staff_remedy_limit <= 100000:
        errors["staff_remedy_limit"] = [gettext("Use an amount from 0 to 100000.")]
    if errors:
        raise ValidationError(gettext("The settings were not saved."), errors=errors)
    changes = {}
    for field, value in (("name", name), ("address", address), ("phone", phone), ("timezone", timezone),
                         ("label_size", label_size), ("receipt_format", receipt_format),
                         ("printer_dpi", printer_dpi), ("repair_warranty_days", repair_warranty_days),
                         ("reminder_after_days", reminder_after_days), ("receipt_terms", receipt_terms),
                         ("staff_remedy_limit", staff_remedy_limit), ("followup_after_days", followup_after_days)):
        if value is not None and getattr(sp, field) != value:
            changes[field] = str(value) if field == "staff_remedy_limit" else value
            setattr(sp, field, value)
    audit.record(actor, "service_point.update", sp, service_point_id=sp.id, **changes)
    return sp


def _check_password(password: str, errors: dict, username: str = "", display_name: str = "") -> None:
    found = problems(password, username=username, display_name=display_name)
    if found:
        errors["password"] = found


def create_user(username: str, role: str, password: str, *, service_point: ServicePoint | None = None,
                display_name: str = "", engineer_level: int | None = None, brands: str = "",
                actor=None) -> User:
    """Create a staff account with a hashed password.

    Without ``service_point`` the user joins the first service point.  Raises
    ValidationError (per field) for a bad/taken username, unknown role, short password
    or when no service point exists yet.
    """
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = [gettext("Use 2 to 64 letters, digits, dots, dashes or underscores.")]
    elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = [gettext("The username %(username)s is taken.", username=username)]
    if role not in ROLE_VALUES:
        errors["role"] = [gettext("Choose one of: %(choices)s.", choices=', '.join(ROLE_VALUES))]
    _check_password(password, errors, username, display_name)
    service_point = service_point or default_service_point()
    if service_point is None:
        errors["service_point"] = [gettext("Create a service point first (flask --app run service-points create).")]
    if errors:
        raise ValidationError(gettext("The user was not created."), errors=errors)
    user = User(
        username=username,
        role=role,
        display_name=display_name.strip() or username,
        service_point=service_point,
        engineer_level=engineer_level,
        brands=brands,
        active=True,
    )
    user.set_password(password, setting("PASSWORD_HASH_METHOD", "scrypt"))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, service_point_id=service_point.id, role=role)
    return user


def update_user(user: User, *, actor, role: str | None = None, display_name: str | None = None,
                active: bool | None = None, password: str | None = None,
                engineer_level: int | None = None, brands: str | None = None,
                granted_service_points: list[ServicePoint] | None = None) -> User:
    """Change a user's account.  Raises ValidationError; nothing is committed."""
    errors: dict[str, list[str]] = {}
    if role is not None and role not in ROLE_VALUES:
        errors["role"] = [gettext("Choose one of: %(choices)s.", choices=', '.join(ROLE_VALUES))]
    if password:
        _check_password(password, errors, user.username, user.display_name)
    if active is False and actor is not None and actor.id == user.id:
        errors["active"] = [gettext("You cannot deactivate your own account.")]
    if errors:
        raise ValidationError(gettext("The user was not changed."), errors=errors)
    changes = {}
    for field, value in (("role", role), ("display_name", display_name), ("active", active),
                         ("engineer_level", engineer_level), ("brands", brands)):
        if value is not None and getattr(user, field) != value:
            changes[field] = value
            setattr(user, field, value)
    if password:
        user.set_password(password, setting("PASSWORD_HASH_METHOD", "scrypt"))
        changes["password"] = "changed"
        password_changed(user, actor=actor)
    if granted_service_points is not None:
        user.granted_service_points = granted_service_points
        changes["granted"] = sorted(sp.code for sp in granted_service_points)
    audit.record(actor, "user.update", user, service_point_id=user.service_point_id, **changes)
    return user


def check_may_manage(actor: User, role: str, service_point: ServicePoint) -> None:
    """Admins manage every account; a manager manages non-admin accounts of the
    service points they may see.  Raises PermissionDenied otherwise."""
    if not may(actor, "user.manage"):
        raise PermissionDenied(gettext("Only managers and admins manage users."))
    if not may(actor, "user.manage", (role, None)):
        raise PermissionDenied(gettext("Only an admin can create or change an admin account."))
    if not may(actor, "user.manage", (role, service_point)):
        raise PermissionDenied(gettext("That user belongs to another service point."))


def visible_users(actor: User):
    """A select() of the accounts ``actor`` may list."""
    stmt = select(User).order_by(User.username)
    if not may(actor, "service_point.any"):
        stmt = stmt.where(User.service_point_id.in_(actor.service_point_ids))
    return stmt


def authenticate(username: str, password: str) -> User | None:
    """The active user with that username and password, or None (same answer either way)."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))
    if user is None:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        User(password_hash=_DUMMY_HASH).check_password(password or "")
        return None
    if not user.check_password(password or "") or not user.is_active:
        return None
    return user


def issue_token(user: User, *, actor=None) -> str:
    """Create an API token for ``user`` and return the secret (shown once; only its hash is kept)."""
    secret = ApiToken.new_secret()
    db.session.add(ApiToken(user=user, token_hash=hash_token(secret), prefix=secret[:12]))
    db.session.flush()
    audit.record(actor, "token.issue", user, service_point_id=user.service_point_id)
    return secret


#: The user of a live token, with the service points they are granted, in one indexed
#: query per request (built once): a revoked token or a disabled user stops working at
#: the next request, nothing about either is kept in process memory.
_USER_FOR_TOKEN = (
    select(User).join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active.is_(True))
    .options(joinedload(User.granted_service_points))
)


def user_for_token(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not secret:
        return None
    # A token hash is unique: every row is the one user (one per granted service point).
    return db.session.scalars(_USER_FOR_TOKEN, {"token_hash": hash_token(secret)}).unique().one_or_none()

