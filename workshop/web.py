"""Helpers every web face (views, API handlers) shares."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import get_locale
from sqlalchemy.exc import IntegrityError

from models import db
from workshop.core import idempotency
from workshop.core.money import format_money


def money(amount) -> str:
    """``amount`` shown the app's way: the ``CURRENCY_SYMBOL`` setting, grouped in the
    reader's language (templates have it as ``money``)."""
    return format_money(amount if amount is not None else 0, current_app.config.get("CURRENCY_SYMBOL", "¥"),
                        str(get_locale() or "en"))


def run_once(user, scope: str, key: str | None, payload, create: Callable[[], tuple[dict, int]]
             ) -> tuple[dict, int, bool]:
    """Call ``create()`` (which returns ``(body, status)``) unless ``key`` was seen.

    Returns ``(body, status, replayed)`` and COMMITS: the created thing and the
    remembered answer land in one transaction.  Without a key, ``create`` simply
    runs and is committed.  Raises ValidationError when the key was used with a
    different payload; domain errors from ``create`` propagate after a rollback.
    """
    fp = idempotency.fingerprint(payload)
    if key:
        key = key.strip()[:255]
        existing = idempotency.lookup(user.id, scope, key)
        if existing is not None:
            return idempotency.replay(existing, fp)
    try:
        body, status = create()
        if key:
            idempotency.remember(user, scope, key, fp, status, body)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = idempotency.lookup(user.id, scope, key) if key else None
        if existing is None:
            raise
        return idempotency.replay(existing, fp)
    except Exception:
        db.session.rollback()
        raise
    return body, status, False
