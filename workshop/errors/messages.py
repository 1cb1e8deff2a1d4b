"""marshmallow's and werkzeug's own English, said in the reader's language.

The API validates with marshmallow (through webargs/flask-smorest), whose messages are
English class attributes formatted before we see them ("Must be one of: a, b.").  The
problem handler passes each through :func:`validation_message`, which recognises the
message (exactly, or by its pattern) and says it with our catalogue; a message it does
not know (our own schemas' messages are already translated) is returned as it is.
"""

from __future__ import annotations

import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

#: marshmallow's fixed messages (fields and validators, marshmallow 3/4; webargs).
EXACT = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Field may not be null.": _l("Field may not be null."),
    "Invalid value.": _l("Invalid value."),
    "Invalid input.": _l("Invalid input."),
    "Invalid input type.": _l("Invalid input type."),
    "Invalid type.": _l("Invalid type."),
    "Unknown field.": _l("Unknown field."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid number.": _l("Not a valid number."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid date and time."),
    "Not a valid time.": _l("Not a valid time."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid mapping type."),
    "Not a valid email address.": _l("Not a valid email address."),
    "Not a valid URL.": _l("Not a valid URL."),
    "Not a valid UUID.": _l("Not a valid UUID."),
    "Not a valid utf-8 string.": _l("Not a valid utf-8 string."),
    "Not a valid period of time.": _l("Not a valid period of time."),
    "Number too large.": _l("Number too large."),
    "Special numeric values (nan or infinity) are not permitted.":
        _l("Special numeric values (nan or infinity) are not permitted."),
    "String does not match expected pattern.": _l("String does not match expected pattern."),
}

_OPS = {
    "greater than or equal to": _l("greater than or equal to"),
    "greater than": _l("greater than"),
    "less than or equal to": _l("less than or equal to"),
    "less than": _l("less than"),
}
_OP = "greater than or equal to|greater than|less than or equal to|less than"


def _op(words: str) -> str:
    return str(_OPS[words])


#: marshmallow's formatted messages: (pattern, how to say it again).
PATTERNS = [
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$", re.DOTALL),
     lambda m: gettext("Must be one of: %(choices)s.", choices=m["choices"])),
    (re.compile(r"^Length must be between (?P<min>\S+) and (?P<max>\S+)\.$"),
     lambda m: gettext("Length must be between %(min)s and %(max)s.", min=m["min"], max=m["max"])),
    (re.compile(r"^Length must be (?P<equal>\S+)\.$"),
     lambda m: gettext("Length must be %(equal)s.", equal=m["equal"])),
    (re.compile(r"^Shorter than minimum length (?P<min>\S+)\.$"),
     lambda m: gettext("Shorter than minimum length %(min)s.", min=m["min"])),
    (re.compile(r"^Longer than maximum length (?P<max>\S+)\.$"),
     lambda m: gettext("Longer than maximum length %(max)s.", max=m["max"])),
    (re.compile(rf"^Must be (?P<op1>{_OP}) (?P<min>\S+) and (?P<op2>{_OP}) (?P<max>\S+)\.$"),
     lambda m: gettext("Must be %(op1)s %(min)s and %(op2)s %(max)s.", op1=_op(m["op1"]), min=m["min"],
                       op2=_op(m["op2"]), max=m["max"])),
    (re.compile(rf"^Must be (?P<op>{_OP}) (?P<limit>\S+)\.$"),
     lambda m: gettext("Must be %(op)s %(limit)s.", op=_op(m["op"]), limit=m["limit"])),
    (re.compile(r"^Not a valid (?P<what>[a-z ]+)\.$"),
     lambda m: gettext("Not a valid %(what)s.", what=m["what"])),
    (re.compile(r"^\"(?P<input>.*)\" cannot be formatted as a (?P<what>[a-z ]+)\.$", re.DOTALL),
     lambda m: gettext("“%(input)s” cannot be formatted as a %(what)s.", input=m["input"], what=m["what"])),
    (re.compile(r"^One or more of the choices you made was not in: (?P<choices>.*)\.$", re.DOTALL),
     lambda m: gettext("One or more of the choices you made was not in: %(choices)s.", choices=m["choices"])),
]


def validation_message(message) -> str:
    """``message`` (a marshmallow message, or one of ours) in the current locale."""
    text = str(message)
    known = EXACT.get(text)
    if known is not None:
        return str(known)
    for pattern, say in PATTERNS:
        match = pattern.match(text)
        if match:
            return say(match)
    return text


def translate_errors(errors: dict[str, list]) -> dict[str, list[str]]:
    """``{field: [message...]}`` with every message in the current locale."""
    return {field: [validation_message(m) for m in messages] for field, messages in errors.items()}


#: werkzeug's names of the HTTP errors the app answers.
HTTP_TITLES = {
    400: _l("Bad Request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    406: _l("Not Acceptable"),
    409: _l("Conflict"),
    410: _l("Gone"),
    413: _l("Request Entity Too Large"),
    415: _l("Unsupported Media Type"),
    422: _l("Unprocessable Content"),
    428: _l("Precondition Required"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}


def http_title(code: int, name: str) -> str:
    """werkzeug's name for ``code`` in the current locale (``name`` when not listed)."""
    title = HTTP_TITLES.get(code)
    return str(title) if title is not None else name


#: Our own words for werkzeug's default descriptions (a description someone wrote,
#: e.g. ``abort(404, "No such job")``, is kept).
HTTP_DETAILS = {
    400: _l("The request could not be understood."),
    401: _l("Sign in first, or send a valid API token (Authorization: Bearer ...)."),
    403: _l("You are not allowed to do this."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not accept that method."),
    413: _l("The upload is too large."),
    415: _l("The request's content type is not accepted here."),
    429: _l("Too many attempts: wait a little and try again."),
}


def http_detail(exc) -> str | None:
    """The exception's description, in the current locale when it is werkzeug's default."""
    description = exc.description
    default = getattr(type(exc), "description", None)
    if description == default and exc.code in HTTP_DETAILS:
        return str(HTTP_DETAILS[exc.code])
    return description
