"""Sessions that end, and API tokens that can be revoked.

A user's sessions (the browser session and the remember-me cookie both carry
``"<id>:<generation>"``, see ``User.get_id``) stay valid only while the user's
``session_generation`` is unchanged: :func:`end_sessions` bumps it.  Signing out,
a password change (CLI or an admin's reset) and :func:`end_sessions` itself end
every session of that user; a password change also revokes every API token.

Functions flush but never commit; views, API handlers and CLI commands commit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import ApiToken, User, db, utcnow
from workshop.core import audit

_WITH_GRANTS = (joinedload(User.granted_service_points),)


def user_for_session_id(session_id: str) -> User | None:
    """Flask-Login's user_loader: the active user whose current generation matches."""
    user_id, _, generation = (session_id or "").partition(":")
    if not user_id.isdigit() or not generation.isdigit() or int(user_id) > 2**31 - 1:
        return None
    # With the service points the user is granted (every page checks them): one query.
    user = db.session.get(User, int(user_id), options=_WITH_GRANTS)
    if user is None or not user.is_active or int(generation) != (user.session_generation or 0):
        return None
    return user


def end_sessions(user: User, *, actor=None, reason: str = "sign-out") -> None:
    """Make every existing session and remember-me cookie of ``user`` invalid."""
    user.session_generation = (user.session_generation or 0) + 1
    audit.record(actor, "user.sessions_ended", user, service_point_id=user.service_point_id, reason=reason)


def revoke_all_tokens(user: User, *, actor=None, reason: str = "") -> int:
    """Revoke every live API token of ``user``; returns how many."""
    now = utcnow()
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                       ApiToken.revoked_at.is_(None))).all()
    for token in tokens:
        token.revoked_at = now
    if tokens:
        audit.record(actor, "token.revoke_all", user, service_point_id=user.service_point_id,
                     count=len(tokens), reason=reason or None)
    return len(tokens)


def password_changed(user: User, *, actor=None) -> None:
    """After a new password: end the user's sessions and revoke their API tokens."""
    end_sessions(user, actor=actor, reason="password changed")
    revoke_all_tokens(user, actor=actor, reason="password changed")
