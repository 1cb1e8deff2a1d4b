"""A user's own preferences (plain domain code: no request, no commit)."""

from __future__ import annotations

from flask_babel import gettext

from models import User, ValidationError
from workshop.core import audit

#: The languages the app is translated into (``None``: follow the browser).
UI_LOCALES = ("en", "zh_Hans")


def set_locale(actor: User, user: User, locale: str | None) -> bool:
    """Set ``user``'s language (``en``, ``zh_Hans``, or empty for the browser's).

    Only the user themselves may change it. Records a ``user.locale`` audit row when
    it changes; returns whether it did. Raises ValidationError for another value.
    """
    value = (locale or "").strip() or None
    if value is not None and value not in UI_LOCALES:
        raise ValidationError(gettext("Choose one of: %(choices)s.", choices=', '.join(UI_LOCALES)),
                              errors={"locale": [gettext("Choose one of: %(choices)s.", choices=', '.join(UI_LOCALES))]})
    if actor.id != user.id:
        raise ValidationError(gettext("Only the user may choose their own language."), errors={"locale": [gettext("Not yours.")]})
    if value == user.locale:
        return False
    audit.record(actor, "user.locale", user, before=user.locale, after=value)
    user.locale = value
    return True
