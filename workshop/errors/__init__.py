"""Error answers: problem+json (RFC 9457) for the API and JSON clients, HTML pages
for browsers.  A 500 rolls the session back before answering."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from models import DomainError, db

from .messages import http_detail, http_title, translate_errors

PROBLEM_JSON = "application/problem+json"


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    # A client sending a token, or an Accept that leaves HTML out (a PDF fetcher), is a program.
    if request.headers.get("Authorization"):
        return True
    if request.accept_mimetypes and not request.accept_mimetypes.accept_html:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", PROBLEM_JSON])
    return best in ("application/json", PROBLEM_JSON)


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """Turn webargs/marshmallow nested messages into ``{"a.b": [msg, ...]}``.

    The request location level (``json``, ``query``) is dropped: clients name fields.
    """
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            key = str(key)
            if not prefix and key in ("json", "query", "form", "headers", "path", "view_args"):
                nested = flatten_messages(value, "")
            else:
                nested = flatten_messages(value, f"{prefix}.{key}" if prefix else key)
            for k, v in nested.items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out.setdefault(prefix or "_schema", []).extend(messages)
        else:
            for m in messages:
                for k, v in flatten_messages(m, prefix).items():
                    out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix or "_schema", []).append(str(messages))
    return out


def problem(status: int, title: str, detail: str | None = None, errors: dict | None = None, **extra):
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def _html(status: int, title: str, detail: str | None):
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


def handle_http_exception(exc: HTTPException):
    if exc.code is None:
        return exc
    errors = None
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and "messages" in data:  # webargs/marshmallow validation
        errors = translate_errors(flatten_messages(data["messages"]))
    detail = http_detail(exc)
    if errors:
        detail = gettext("Some fields are not valid; see errors.")
    title = http_title(exc.code, exc.name)
    if wants_json():
        response = problem(exc.code, title, detail, errors)
        for key, value in (exc.get_headers() or []):
            if key.lower() not in ("content-type", "content-length"):
                response.headers[key] = value
        return response
    return _html(exc.code, title, detail)


def _text_errors(errors: dict | None) -> dict | None:
    # Lazy (translated) messages become text in the reader's language.
    if not errors:
        return None
    return {str(field): [str(m) for m in (msgs if isinstance(msgs, (list, tuple)) else [msgs])]
            for field, msgs in errors.items()}


def handle_domain_error(exc: DomainError):
    db.session.rollback()
    title, message = str(exc.title), str(exc.message)
    if wants_json():
        return problem(exc.status, title, message, _text_errors(exc.errors))
    return _html(exc.status, title, message)


def handle_stale_data(exc: StaleDataError):
    # Job rows carry a version counter: two people changed the same job at once.
    db.session.rollback()
    detail = gettext("Someone else changed this at the same moment; nothing was saved. Reload and try again.")
    if wants_json():
        return problem(409, http_title(409, "Conflict"), detail)
    return _html(409, http_title(409, "Conflict"), detail)


def handle_500(exc):
    """Every unhandled error: roll back, log the traceback with a request id, answer
    problem JSON or the HTML page (never a crash of its own)."""
    import uuid

    try:
        db.session.rollback()
    except Exception:  # a dead connection must not stop the answer
        current_app.logger.exception("Rollback failed while answering a 500")
    given = request.headers.get("X-Request-Id", "")
    request_id = given if given.isascii() and given.replace("-", "").isalnum() and len(given) <= 64 \
        else uuid.uuid4().hex
    original = getattr(exc, "original_exception", None) or exc
    current_app.logger.error("Unhandled error [request %s] %s %s", request_id, request.method, request.path,
                             exc_info=(type(original), original, original.__traceback__))
    title = http_title(500, "Internal Server Error")
    detail = gettext("Something went wrong on our side; nothing was saved. Please try again.")
    if wants_json():
        response = problem(500, title, detail, request_id=request_id)
    else:
        response = current_app.make_response(
            (render_template("errors/error.html", status=500, title=title,
                             detail=f"{detail} (request {request_id})"), 500))
    response.headers["X-Request-Id"] = request_id
    return response


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(InternalServerError, handle_500)
