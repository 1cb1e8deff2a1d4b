"""The permission table enforced for every request (a ``before_request`` hook), and
``can()`` for templates."""

from __future__ import annotations

from flask import Flask, abort, request
from flask_babel import gettext
from flask_login import current_user

from workshop.extensions import login_manager
from workshop.permissions.rules import PUBLIC, can, rule_for


def enforce() -> None:
    """before_request hook: apply ENDPOINT_RULES to the current request."""
    if request.endpoint is None:  # 404/405 are answered by the router's own error
        return None
    rule = rule_for(request.endpoint, request.method)
    if rule is None:
        abort(403, description=gettext("No permission rule is written for this page."))
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can(current_user, rule):
        abort(403, description=gettext("Your role does not allow this."))
    return None


def install(app: Flask) -> None:
    """Enforce the table on every request of ``app``."""
    app.before_request(enforce)
