"""Edge guards: input the database cannot hold is refused before any view runs.

Installed by :func:`init_app` (from ``create_app``), for every route at once:

* the ``int`` URL converter only matches values a signed 32-bit column can hold
  (every ``Integer`` id in ``models``), so ``/loaners/99999999999999999999`` is a 404;
* control characters (NUL, ESC, ...) in the path -> 404; in the query string -> 400
  (422 problem JSON for the API); in form fields -> 400; in JSON strings -> 422;
* integer query parameters the app reads as ids/cursors (``INT_QUERY_PARAMS``)
  outside the 32-bit range -> 404;
* JSON bodies: nesting deeper than ``JSON_MAX_DEPTH``, numbers longer than
  ``JSON_MAX_NUMBER_LENGTH`` characters -> 400; integers outside the 64-bit range,
  non-finite numbers, lone surrogates -> 422 with the field named;
* bodies past ``MAX_CONTENT_LENGTH`` -> 413 (problem JSON for the API, via the
  HTTPException handler);
* WTForms ``IntegerField`` refuses values outside the 32-bit range as a field error;
* a ``DataError`` from the database (a value the column cannot hold that slipped
  past all of the above, e.g. a too-long string on PostgreSQL) answers 422, not 500.
"""

from __future__ import annotations

import json
import math
import re

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: Query parameters read as integers (ids, cursors, page sizes) somewhere in the app.
INT_QUERY_PARAMS = frozenset({"after", "limit", "take", "page", "per_page", "id"})
JSON_MAX_DEPTH = 32
JSON_MAX_NUMBER_LENGTH = 40

#: C0 controls and DEL: never in a path or a query.
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: In typed text (forms, JSON) tab, newline and carriage return are fine.
_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INT_TEXT = re.compile(r"[+-]?\d+")


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` that matches only what an ``Integer`` column holds (32-bit on PostgreSQL)."""

    max = INT32_MAX

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(map, *args, **kwargs)


class BigIntConverter(BoundedIntConverter):
    """``<bigint:...>`` for ``BigInteger`` columns."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT64_MAX)
        super().__init__(map, *args, **kwargs)


class _JsonRefused(ValueError):
    pass


def _parse_number(text: str):
    if len(text) > JSON_MAX_NUMBER_LENGTH:
        raise _JsonRefused(f"A number is longer than {JSON_MAX_NUMBER_LENGTH} characters.")
    return text


def _bad_text(value: str, pattern=_BAD_CONTROL) -> str | None:
    if pattern.search(value):
        return "Control characters (such as NUL) are not allowed."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "The text is not valid Unicode."
    return None


def _walk(value, path: str, depth: int, errors: dict[str, list[str]]) -> None:
    if depth > JSON_MAX_DEPTH:
        raise _JsonRefused(f"The JSON is nested deeper than {JSON_MAX_DEPTH} levels.")
    where = path or "_schema"
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _bad_text(key)
            if problem:
                errors.setdefault(where, []).append(problem)
                continue
            _walk(item, f"{path}.{key}" if path else key, depth + 1, errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}.{index}" if path else str(index), depth + 1, errors)
    elif isinstance(value, str):
        problem = _bad_text(value)
        if problem:
            errors.setdefault(where, []).append(problem)
    elif isinstance(value, _Number):
        if value.is_int:
            # No column holds more than 64 bits; narrower columns are the schema's (or,
            # as a last resort, the database's DataError -> 422) business.
            if not INT64_MIN <= int(value.text) <= INT64_MAX:
                errors.setdefault(where, []).append(
                    f"Must be between {INT64_MIN} and {INT64_MAX}.")
        elif not math.isfinite(float(value.text)):
            errors.setdefault(where, []).append("Must be a finite number.")


class _Number:
    __slots__ = ("is_int", "text")

    def __init__(self, text: str, is_int: bool):
        self.text = text
        self.is_int = is_int


def check_json_body(data: bytes) -> dict[str, list[str]]:
    """Parse ``data`` with the guard's limits; raise ``_JsonRefused`` when it cannot be
    parsed safely, return per-field errors for values the database cannot hold."""
    try:
        parsed = json.loads(
            data,
            parse_int=lambda t: _Number(_parse_number(t), True),
            parse_float=lambda t: _Number(_parse_number(t), False),
            parse_constant=lambda t: _Number(t, False),
        )
    except RecursionError:
        raise _JsonRefused(f"The JSON is nested deeper than {JSON_MAX_DEPTH} levels.") from None
    except _JsonRefused:
        raise
    except ValueError:
        return {}  # not JSON at all: the view's own parser answers that (400/422)
    errors: dict[str, list[str]] = {}
    _walk(parsed, "", 0, errors)
    return errors


def _is_api() -> bool:
    from workshop.errors import wants_json

    return wants_json()


def _refuse(status: int, errors: dict[str, list[str]], detail: str):
    """Abort with ``status``; the API gets 422 problem JSON naming the fields."""
    from workshop.errors import problem

    if _is_api():  # in the language the client asks for (Accept-Language)
        from workshop.errors.messages import http_title

        code = 422 if status == 400 else status
        abort(problem(code, http_title(code, "Unprocessable Content" if code == 422 else "Bad Request"),
                      _html_words(detail), {k: [_html_words(m) for m in v] for k, v in errors.items()}))
    abort(status, description=_html_words(detail))


def _html_words(detail: str) -> str:
    """The page's words for ``detail`` in the reader's language."""
    from flask_babel import gettext

    words = {
        "The address contains characters that are not allowed.":
            gettext("The address contains characters that are not allowed."),
        "Some fields contain characters that are not allowed (such as NUL).":
            gettext("Some fields contain characters that are not allowed (such as NUL)."),
        "Some fields contain characters or numbers that are not allowed.":
            gettext("Some fields contain characters or numbers that are not allowed."),
        "A value is too long or out of range; nothing was saved.":
            gettext("A value is too long or out of range; nothing was saved."),
        "Control characters (such as NUL) are not allowed.":
            gettext("Control characters (such as NUL) are not allowed."),
        "The text is not valid Unicode.": gettext("The text is not valid Unicode."),
        "The file name contains characters that are not allowed.":
            gettext("The file name contains characters that are not allowed."),
        "Must be a finite number.": gettext("Must be a finite number."),
        "Some fields are not valid; see errors.": gettext("Some fields are not valid; see errors."),
    }
    return words.get(detail, detail)


def guard_request():
    """before_request: refuse what no column can hold, before any view or database work."""
    if _ANY_CONTROL.search(request.path):
        abort(404)
    errors: dict[str, list[str]] = {}
    for key, values in request.args.lists():
        for value in [key, *values]:
            problem = _bad_text(value, _ANY_CONTROL)
            if problem:
                errors.setdefault(key if value is not key else "_query", []).append(problem)
        if key in INT_QUERY_PARAMS:
            for value in values:
                number = value.strip()  # str.strip also takes C0 separators (\x1c-\x1f) that int() refuses
                if _INT_TEXT.fullmatch(number) and not INT32_MIN <= int(number) <= INT32_MAX:
                    abort(404)
    if errors:
        _refuse(400, errors, "The address contains characters that are not allowed.")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        data = request.get_data(cache=True)
        if data:
            try:
                errors = check_json_body(data)
            except _JsonRefused as exc:
                if _is_api():
                    abort(_bad_request_problem(str(exc)))
                abort(400, description=str(exc))
            if errors:
                from workshop.errors import problem

                if _is_api():
                    from workshop.errors.messages import http_title

                    abort(problem(422, http_title(422, "Unprocessable Content"),
                                  _html_words("Some fields are not valid; see errors."),
                                  {k: [_html_words(m) for m in v] for k, v in errors.items()}))
                abort(400, description=_html_words("Some fields contain characters or numbers that are not allowed."))
    elif request.form:
        for key, values in request.form.lists():
            for value in [key, *values]:
                problem = _bad_text(value)
                if problem:
                    errors.setdefault(key, []).append(problem)
        for key, storage in request.files.items(multi=True):
            if storage.filename and _bad_text(storage.filename, _ANY_CONTROL):
                errors.setdefault(key, []).append("The file name contains characters that are not allowed.")
        if errors:
            _refuse(400, errors, "Some fields contain characters that are not allowed (such as NUL).")
    return


def _bad_request_problem(detail: str):
    from workshop.errors import problem

    return problem(400, "Bad Request", detail)


def _bound_wtforms_integers() -> None:
    """WTForms IntegerField: a value no Integer column holds is a field error."""
    from wtforms import fields

    original = fields.IntegerField.process_formdata
    if getattr(original, "_bounded", False):
        return

    def process_formdata(self, valuelist):
        original(self, valuelist)
        if isinstance(self.data, int) and not INT32_MIN <= self.data <= INT32_MAX:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))

    process_formdata._bounded = True
    fields.IntegerField.process_formdata = process_formdata


def handle_data_error(exc):
    """A value the column could not hold (too long, out of range): 422, nothing written."""
    from flask import current_app, render_template

    from models import db
    from workshop.errors import problem

    db.session.rollback()
    current_app.logger.warning("Refused a value the database cannot hold: %s", exc.orig)
    from workshop.errors.messages import http_title

    detail = _html_words("A value is too long or out of range; nothing was saved.")
    title = http_title(422, "Unprocessable Content")
    if _is_api():
        return problem(422, title, detail)
    return render_template("errors/error.html", status=422, title=title,
                           detail=_html_words(detail)), 422


def init_app(app: Flask) -> None:
    """Call before blueprints are registered (the converter applies to rules as they are added)."""
    from sqlalchemy.exc import DataError

    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["bigint"] = BigIntConverter
    app.config.setdefault("MAX_CONTENT_LENGTH", 32 * 1024 * 1024)
    app.before_request_funcs.setdefault(None, []).insert(0, guard_request)
    app.register_error_handler(DataError, handle_data_error)
    _bound_wtforms_integers()
