"""The JSON API under /api/v1 (flask-smorest: marshmallow schemas validate requests
and generate the OpenAPI document at /api/v1/openapi.json from the same source).

Each domain has its own smorest Blueprint (``workshop/<domain>/api.py``); ``register_api``
lists them.
Authentication is a bearer token (or the browser session, with a CSRF header on
writes); permissions come from ``workshop.permissions`` like everywhere else.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request

import labels
from workshop.account import api as tokens_api
from workshop.aftercare import api as aftercare_api
from workshop.auth import api as me
from workshop.bench import api as bench
from workshop.extensions import csrf, rest_api
from workshop.intake import api as intake
from workshop.intake.devices import api as imei
from workshop.jobs import api as jobs
from workshop.parts import api as parts
from workshop.pickup import api as pickup
from workshop.reports import api as reports_api

API_BLUEPRINTS = [me.blp, imei.blp, intake.blp, jobs.blp, parts.blp, bench.blp, pickup.blp, aftercare_api.blp,
                  tokens_api.blp, reports_api.blp]


API_NAMES = frozenset(blp.name for blp in API_BLUEPRINTS)


def _csrf_for_session_writes():
    # A bearer token is not sent by browsers on their own, so it needs no CSRF token;
    # a browser session writing to the API does (header X-CSRFToken).
    writes = request.method in ("POST", "PUT", "PATCH", "DELETE")
    if request.blueprint in API_NAMES and writes and not g.get("auth_via_token"):
        csrf.protect()


def bearer_without_session() -> bool:
    """The request carries ``Authorization: Bearer`` and no session cookie: a program
    (a label printer's script, a shop tool), which a browser cannot be made to send
    cross-site, so it needs no CSRF token."""
    header = request.headers.get("Authorization", "")
    cookie = current_app.config.get("SESSION_COOKIE_NAME", "session")
    return header[:7].lower() == "bearer " and cookie not in request.cookies


def _csrf_for_pages():
    # Flask-WTF's own check is switched off (WTF_CSRF_CHECK_DEFAULT) for this one, which
    # applies the same exemptions but lets bearer-token clients POST to pages outside
    # /api/v1 (printing a label: POST /jobs/<number>/label.pdf records the print).
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or bearer_without_session():
        return
    csrf.protect(apply_exemptions=True)


def _page(summary: str, media_type: str, query: tuple[str, str, list[str] | None], *, public: bool = False) -> dict:
    name, description, choices = query
    schema = {"type": "string", **({"enum": choices} if choices else {})}
    body = {"type": "string", "format": "binary"} if media_type == "application/pdf" else {"type": "string"}
    return {"get": {
        "summary": summary,
        "tags": ["Pages"],
        "parameters": [{"in": "query", "name": name, "required": False, "schema": schema,
                        "description": description}],
        "security": [] if public else [{"bearerAuth": []}],
        "responses": {
            "200": {"description": summary, "content": {media_type: {"schema": body}}},
            "404": {"description": "No such job (or, on the status page, the digits do not match)."},
        },
    }}


#: CONTRACT.md endpoints served outside /api/v1 (workshop/printing, workshop/track), by
#: endpoint: the OpenAPI document describes the whole contract, so they are added to it.
PAGES = {
    "printing.job_label": _page("Device tag label (PDF, the label stock's page size)", "application/pdf",
                                ("size", "Label stock; default the service point's.", list(labels.LABEL_SIZES))),
    "printing.job_ticket": _page("Customer receipt (PDF)", "application/pdf",
                                 ("format", "Paper; default the service point's.", list(labels.RECEIPT_FORMATS))),
    "aftercare.agreement_pdf": {"get": {
        "summary": "The complaint handling agreement (处理协议) to sign: A5 PDF, complaint number as Code 128",
        "tags": ["Pages"], "security": [{"bearerAuth": []}],
        "responses": {"200": {"description": "A5 PDF", "content": {"application/pdf": {
            "schema": {"type": "string", "format": "binary"}}}},
            "404": {"description": "No such complaint."}, "403": {"description": "Another service point's."}}}},
    "track.status": _page("Public repair status page (no sign-in)", "text/html",
                          ("phone_last4", "Last 4 digits of the customer's phone.", None), public=True),
}


def register_api(app: Flask) -> None:
    from workshop.core import openapi

    openapi.before_registration(rest_api)
    for blp in API_BLUEPRINTS:
        csrf.exempt(blp)
        rest_api.register_blueprint(blp)
    rest_api.spec.tag({"name": "Pages", "description": "Printing and the public status page (outside /api/v1)"})
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint, operations in PAGES.items():
        rest_api.spec.path(rule=rules[endpoint], operations=operations)
    openapi.after_registration(rest_api)  # valid Decimal bounds; problem JSON errors documented
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # _csrf_for_pages checks instead
    app.before_request(_csrf_for_pages)
    app.before_request(_csrf_for_session_writes)
