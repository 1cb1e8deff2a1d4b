"""API tokens listed and revoked by their owner, or by whoever manages the owner's account
(see :func:`workshop.core.accounts.check_may_manage`).  Flushes, never commits."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from models import ApiToken, PermissionDenied, User, db, utcnow
from workshop.core import audit
from workshop.core.accounts import check_may_manage


def check_may_see_tokens(actor: User, owner: User) -> None:
    """The owner sees and revokes their own tokens; admins every user's; managers those
    of the non-admin users of their service points.  Raises PermissionDenied."""
    if actor.id == owner.id:
        return
    try:
        check_may_manage(actor, owner.role, owner.service_point)
    except PermissionDenied:
        raise PermissionDenied(gettext("You may only see your own API tokens.")) from None


def tokens_of(actor: User, owner: User) -> list[ApiToken]:
    """``owner``'s tokens, newest first (revoked ones included, marked)."""
    check_may_see_tokens(actor, owner)
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke one token (``actor`` None: the command line).  Revoking twice is harmless."""
    if actor is not None:
        check_may_see_tokens(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "token.revoke", token.user, service_point_id=token.user.service_point_id,
                     token_id=token.id, prefix=token.prefix)
    return token
