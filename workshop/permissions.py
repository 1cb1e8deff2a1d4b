"""Who may do what, written once.

``PERMISSIONS`` maps a permission to the roles that hold it; ``ENDPOINT_RULES`` maps
every registered endpoint (optionally per HTTP method) to a permission, ``PUBLIC``
or ``LOGIN``.  A ``before_request`` hook enforces the table for every request, so a
view cannot forget its check; an endpoint missing from the table is refused (and
``tests/test_permissions.py`` fails).  Templates get ``can()``.

Service-point scoping (a user sees only their own service point's data unless
granted more) is the second check, done where the object is loaded:
:func:`check_service_point`.
"""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from models import PermissionDenied, Role

PUBLIC = "public"
LOGIN = "login"  # any signed-in user

R = Role
STAFF = frozenset(Role)
DESK = frozenset({R.RECEPTIONIST, R.MANAGER})
BENCH = frozenset({R.ENGINEER, R.MANAGER})
STORE = frozenset({R.CLERK, R.MANAGER})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "job.view": STAFF,
    "job.intake": DESK,
    "job.print": STAFF,
    "job.assign": frozenset({R.MANAGER}),
    "job.move": STAFF,  # which move a role may make is the workflow's rule (models.jobs)
    "bench.work": BENCH,
    "pickup": DESK,
    "parts.view": STAFF,
    "parts.manage": STORE,
    "parts.request": BENCH,
    "parts.issue": STORE,
    "blocked.manage": frozenset({R.MANAGER}),
    "blocked.override": frozenset({R.MANAGER}),
    "tac.import": frozenset({R.MANAGER, R.ADMIN}),
    "reports.view": frozenset({R.MANAGER}),
    "users.manage": frozenset({R.MANAGER, R.ADMIN}),
    "service_points.manage": frozenset({R.ADMIN}),
    "policies.manage": frozenset({R.ADMIN}),
    "aftercare": DESK,
}

#: endpoint -> permission, or {HTTP method: permission} for endpoints serving several.
ENDPOINT_RULES: dict[str, str | dict[str, str]] = {
    # infrastructure
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": LOGIN,
    "main.index": LOGIN,
    "main.scan": "job.view",
    # jobs
    "jobs.detail": "job.view",
    # admin
    "admin.users": "users.manage",
    "admin.user_new": "users.manage",
    "admin.user_edit": "users.manage",
    "admin.service_points": "service_points.manage",
    "admin.service_point_new": "service_points.manage",
    # API
    "api-docs.openapi_json": LOGIN,
    "api.Me": LOGIN,
}


def can(user, permission: str) -> bool:
    """True when ``user`` holds ``permission`` (PUBLIC/LOGIN included)."""
    if permission == PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if permission == LOGIN:
        return True
    try:
        roles = PERMISSIONS[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None
    return user.role in roles


def rule_for(endpoint: str | None, method: str) -> str | None:
    """The permission an endpoint needs for ``method``; None when no rule is written."""
    if endpoint is None:
        return None
    rule = ENDPOINT_RULES.get(endpoint)
    if isinstance(rule, dict):
        return rule.get(method) or (rule.get("GET") if method in ("HEAD", "OPTIONS") else None)
    return rule


def check_service_point(user, service_point_id: int) -> None:
    """Raise PermissionDenied unless ``user`` may see data of that service point."""
    if service_point_id not in user.service_point_ids:
        raise PermissionDenied("This belongs to another service point.")


def enforce() -> None:
    """before_request hook: apply ENDPOINT_RULES to the current request."""
    from .extensions import login_manager

    if request.endpoint is None:  # 404/405 are answered by the router's own error
        return None
    rule = rule_for(request.endpoint, request.method)
    if rule is None:
        abort(403, description="No permission rule is written for this page.")
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can(current_user, rule):
        abort(403, description="Your role does not allow this.")
    return None
