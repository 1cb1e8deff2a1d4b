"""Answers remembered per (user, scope, key), so a create operation runs once.

Used by the API's ``Idempotency-Key`` header and by HTML forms that carry a
one-time token, so pressing submit twice creates one thing.  The web side's
``workshop.web.run_once`` drives it (and commits).
"""

from __future__ import annotations

import hashlib
import json

from flask_babel import gettext
from sqlalchemy import select

from models import ValidationError, db
from models.idempotency import IdempotencyKey


def fingerprint(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def lookup(user_id: int, scope: str, key: str) -> IdempotencyKey | None:
    """The answer remembered for ``key`` (None when the key is new)."""
    return db.session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    )


def replay(row: IdempotencyKey, fp: str) -> tuple[dict, int, bool]:
    """``(body, status, True)`` of a remembered answer.  Raises ValidationError when the
    key was used with a different payload (fingerprint ``fp``)."""
    if row.fingerprint != fp:
        raise ValidationError(
            gettext("This Idempotency-Key was already used for a different request."),
            errors={"Idempotency-Key": [gettext("Already used with a different body; use a new key.")]},
        )
    return row.body, row.status_code, True


def remember(user, scope: str, key: str, fp: str, status: int, body: dict) -> None:
    """Remember the answer to ``key`` in the transaction that created the thing.  Adds
    only: the caller commits (a concurrent twin then fails on the unique key)."""
    db.session.add(IdempotencyKey(user_id=user.id, scope=scope, key=key, fingerprint=fp,
                                  status_code=status, body=body))
