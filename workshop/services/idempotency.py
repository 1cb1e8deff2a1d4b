"""Run a create operation once per (user, scope, key).

Used by the API's ``Idempotency-Key`` header and by HTML forms that carry a
one-time token, so pressing submit twice creates one thing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import ValidationError, db
from models.idempotency import IdempotencyKey


def fingerprint(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _lookup(user_id: int, scope: str, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    )


def _replay(row: IdempotencyKey, fp: str) -> tuple[dict, int, bool]:
    if row.fingerprint != fp:
        raise ValidationError(
            "This Idempotency-Key was already used for a different request.",
            errors={"Idempotency-Key": ["Already used with a different body; use a new key."]},
        )
    return row.body, row.status_code, True


def run_once(user, scope: str, key: str | None, payload, create: Callable[[], tuple[dict, int]]
             ) -> tuple[dict, int, bool]:
    """Call ``create()`` (which returns ``(body, status)``) unless ``key`` was seen.

    Returns ``(body, status, replayed)`` and COMMITS: the created thing and the
    remembered answer land in one transaction.  Without a key, ``create`` simply
    runs and is committed.  Raises ValidationError when the key was used with a
    different payload; domain errors from ``create`` propagate after a rollback.
    """
    fp = fingerprint(payload)
    if key:
        key = key.strip()[:255]
        existing = _lookup(user.id, scope, key)
        if existing is not None:
            return _replay(existing, fp)
    try:
        body, status = create()
        if key:
            db.session.add(IdempotencyKey(user_id=user.id, scope=scope, key=key, fingerprint=fp,
                                          status_code=status, body=body))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _lookup(user.id, scope, key) if key else None
        if existing is None:
            raise
        return _replay(existing, fp)
    except Exception:
        db.session.rollback()
        raise
    return body, status, False
