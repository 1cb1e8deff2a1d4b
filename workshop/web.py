"""Helpers every web face (views, API handlers) shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, flash, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from models import DomainError, ValidationError, db
from workshop.core import idempotency
from workshop.core.money import format_money
from workshop.forms import apply_domain_errors


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


@dataclass(frozen=True)
class Attempt:
    """What :func:`attempt` did: true when the domain call went through and was committed."""

    ok: bool
    value: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.ok


def attempt(call: Callable[[], Any], *, form=None, mapping: dict | None = None,
            fields_only: bool = False) -> Attempt:
    """The view pattern, once: call the domain (``call()``), commit, and answer what
    happened.  A domain error is rolled back and shown: beside ``form``'s fields (see
    :func:`workshop.forms.apply_domain_errors`, ``mapping`` included) when a form is
    given, else as a flash; with ``fields_only`` only a ValidationError goes to the
    form and any other refusal (a move the workflow forbids...) is flashed.  Other
    exceptions propagate (the error handler rolls back).
    """
    try:
        value = call()
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        if form is not None and (not fields_only or isinstance(exc, ValidationError)):
            apply_domain_errors(form, exc, mapping)
        else:
            flash(exc.message, "danger")
        return Attempt(False, error=exc)
    return Attempt(True, value)


def idempotent(scope: str, *, location: Callable[[dict], str] | None = None):
    """The idempotent API answer, once: decorates the handler's inner ``create()``
    (returning ``(body, status)``) and replaces it with the response.

    ``create`` runs once per ``Idempotency-Key`` header (per user and ``scope``) and is
    committed (:func:`run_once`); a repeat answers the first body and status with
    ``Idempotent-Replayed: true``.  ``location(body)`` gives the ``Location`` header.

        @idempotent(f"api.pickup.{job.number}")
        def answer():
            ...
            return body, 200
        return answer
    """
    def run(create: Callable[[], tuple[dict, int]]):
        body, status, replayed = run_once(current_user, scope, request.headers.get("Idempotency-Key"),
                                          request.get_json(silent=True), create)
        response = current_app.json.response(body)
        response.status_code = status
        if location is not None:
            response.headers["Location"] = location(body)
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    return run
