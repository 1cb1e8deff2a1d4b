"""The JSON API under /api/v1 (flask-smorest: marshmallow schemas validate requests
and generate the OpenAPI document at /api/v1/openapi.json from the same source).

Each area has its own smorest Blueprint module; ``register_api`` lists them.
Authentication is a bearer token (or the browser session, with a CSRF header on
writes); permissions come from ``workshop.permissions`` like everywhere else.
"""

from __future__ import annotations

from flask import Flask, g, request

from workshop.extensions import csrf, rest_api

from . import bench, imei, intake, jobs, me, parts, pickup

API_BLUEPRINTS = [me.blp, imei.blp, intake.blp, jobs.blp, parts.blp, bench.blp, pickup.blp]


API_NAMES = frozenset(blp.name for blp in API_BLUEPRINTS)


def _csrf_for_session_writes():
    # A bearer token is not sent by browsers on their own, so it needs no CSRF token;
    # a browser session writing to the API does (header X-CSRFToken).
    writes = request.method in ("POST", "PUT", "PATCH", "DELETE")
    if request.blueprint in API_NAMES and writes and not g.get("auth_via_token"):
        csrf.protect()


def register_api(app: Flask) -> None:
    for blp in API_BLUEPRINTS:
        csrf.exempt(blp)
        rest_api.register_blueprint(blp)
    app.before_request(_csrf_for_session_writes)
