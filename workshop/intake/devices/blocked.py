"""The local register of blocked IMEIs (handsets reported lost or stolen).

Managers add and lift entries; intake of a blocked handset is stopped unless a
manager overrides it with a reason (``workshop.intake.take_in``).  The register
is chain-wide: a handset stolen from one counter's customer is stopped at all of
them.  Entries are lifted, never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext
from sqlalchemy import select

from models import BLOCKED_REASONS, BlockedImei, NotFound, ValidationError, db, utcnow
from workshop.core import audit
from workshop.intake.devices import imei as imei_service

__all__ = ["active_entries", "add", "entries", "is_blocked", "lift"]


def active_entries(imeis: Iterable[str | None]) -> list[BlockedImei]:
    """The active register entries for any of ``imeis`` (normalised; blanks ignored)."""
    values = {imei_service.normalise(v) for v in imeis if v}
    values.discard("")
    if not values:
        return []
    return list(db.session.scalars(
        select(BlockedImei).where(BlockedImei.imei.in_(values), BlockedImei.lifted_at.is_(None))
        .order_by(BlockedImei.id)))


def is_blocked(imei: str | None) -> bool:
    return bool(active_entries([imei]))


def entries(*, include_lifted: bool = False, limit: int = 500) -> list[BlockedImei]:
    """Register entries, newest first (active only unless ``include_lifted``)."""
    stmt = select(BlockedImei).order_by(BlockedImei.id.desc()).limit(limit)
    if not include_lifted:
        stmt = stmt.where(BlockedImei.lifted_at.is_(None))
    return list(db.session.scalars(stmt))


def add(actor, imei: str, *, reason: str, reference: str = "", note: str = "") -> BlockedImei:
    """Put an IMEI on the register.

    The IMEI must be a valid 15-digit IMEI (as typed or scanned).  Raises
    ValidationError per field (``imei``, ``reason``) for a bad IMEI, an unknown
    reason or an IMEI that is already blocked.  Records an audit row; flushes only.
    """
    errors: dict[str, list[str]] = {}
    result = imei_service.check(imei)
    if not result.valid:
        message = result.reason or gettext("Not a valid IMEI.")
        if result.suggestion:
            message = gettext("%(reason)s Did you mean %(suggestion)s?", reason=message, suggestion=result.suggestion)
        errors["imei"] = [message]
    elif active_entries([result.value]):
        errors["imei"] = [gettext("%(value)s is already on the blocked register.", value=result.value)]
    if reason not in BLOCKED_REASONS:
        errors["reason"] = [gettext("Choose one of: %(choices)s.", choices=', '.join(BLOCKED_REASONS))]
    if len(reference or "") > 120:
        errors["reference"] = [gettext("Use at most 120 characters.")]
    if errors:
        raise ValidationError(gettext("The IMEI was not blocked."), errors=errors)
    entry = BlockedImei(imei=result.value, reason=reason, reference=(reference or "").strip(),
                        note=(note or "").strip(), service_point_id=getattr(actor, "service_point_id", None),
                        created_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "blocked.add", entry, imei=entry.imei, reason=reason,
                 reference=entry.reference or None)
    return entry


def lift(actor, entry_id: int, *, reason: str) -> BlockedImei:
    """Take an entry off the register (the handset was found, reported in error...).

    Raises NotFound for an unknown entry, ValidationError (``lift_reason``) without a
    reason or when it is already lifted.  Records an audit row; flushes only.
    """
    entry = db.session.get(BlockedImei, entry_id)
    if entry is None:
        raise NotFound(gettext("There is no such entry in the blocked register."))
    errors: dict[str, list[str]] = {}
    if not entry.active:
        errors["lift_reason"] = [gettext("This entry was already lifted.")]
    if not (reason or "").strip():
        errors["lift_reason"] = [gettext("Say why the IMEI is no longer blocked.")]
    if errors:
        raise ValidationError(gettext("The entry was not lifted."), errors=errors)
    entry.lifted_at = utcnow()
    entry.lifted_by_id = getattr(actor, "id", None)
    entry.lift_reason = reason.strip()
    db.session.flush()
    audit.record(actor, "blocked.lift", entry, imei=entry.imei, reason=entry.lift_reason)
    return entry
