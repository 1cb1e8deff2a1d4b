"""Make the OpenAPI document valid and complete (issue 15).

* Decimal fields: bounds rendered as numbers (apispec writes ``Decimal("0.00")`` as the
  string ``"0.00"``, which is invalid); fields dumped ``as_string`` are described as
  strings holding a decimal number (what clients receive), keeping their numeric bounds.
* Error answers: every API operation documents 400, 401, 403, 404, 409, 413, 422 and
  429 as RFC 9457 problem JSON (``application/problem+json``, schema ``Problem``), the
  shape workshop/errors answers with; flask-smorest's own ``Error`` schema and default
  responses are replaced by it.
"""

from __future__ import annotations

import decimal

from marshmallow import fields

DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details, as every error of this API is answered.",
    "properties": {
        "type": {"type": "string", "description": "about:blank"},
        "title": {"type": "string", "description": "The HTTP status phrase, e.g. Unprocessable Content."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What went wrong, in words for a person."},
        "errors": {
            "type": "object",
            "description": "Per field (dotted path): the messages. Present on 422.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "request_id": {"type": "string", "description": "On 500: quote it when reporting the error."},
    },
    "required": ["title", "status"],
    "additionalProperties": True,
}

ERRORS = {
    "400": "The request cannot be read (malformed or too deeply nested JSON, a number too long, "
           "characters that are not allowed).",
    "401": "Sign in, or send a valid 'Authorization: Bearer <token>' header.",
    "403": "Your role or service point does not allow this.",
    "404": "No such resource (or not visible to you).",
    "409": "The state does not allow it (e.g. not enough stock), or someone else changed it at the same moment.",
    "413": "The request body is larger than the server accepts.",
    "422": "Some fields are not valid: see `errors`.",
    "429": "Too many requests: wait and try again (see Retry-After).",
}


def _decimal_attributes(self, field, ret, **kwargs):
    """apispec attribute function (bound to the converter)."""
    if not isinstance(field, fields.Decimal):
        return {}
    out = {}
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        value = ret.get(key)
        if isinstance(value, (str, decimal.Decimal)):
            out[key] = float(value)
    if field.as_string:
        out.update({"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN})
        # minimum/maximum stay, as numbers: they document the bound of the decimal the string holds
        for key in ("default", "example"):
            if isinstance(ret.get(key), (float, int, decimal.Decimal)):
                out[key] = str(ret[key])
    return out


def before_registration(api) -> None:
    """Call after ``Api.init_app`` and before any blueprint is registered."""
    api.ma_plugin.converter.add_attribute_function(_decimal_attributes)


def _problem_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def after_registration(api) -> None:
    """Call once every blueprint (and extra path) is in the spec."""
    spec = api.spec
    components = spec.components
    components.schemas["Problem"] = PROBLEM_SCHEMA
    components.schemas["Error"] = PROBLEM_SCHEMA  # flask-smorest's name for the same thing
    for code, description in ERRORS.items():
        components.responses[f"Problem{code}"] = _problem_response(description)
    components.responses["DEFAULT_ERROR"] = _problem_response("Unexpected error (500: see request_id).")
    for name in list(components.responses):
        if name.startswith("UNPROCESSABLE"):
            components.responses[name] = _problem_response(ERRORS["422"])
    for operations in spec._paths.values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            public = operation.get("security") == []
            for code in ERRORS:
                if public and code in ("401", "403"):
                    continue
                current = responses.get(code)
                smorest_ref = current is not None and "UNPROCESSABLE" in current.get("$ref", "")
                if current is None or smorest_ref or ("content" not in current and "$ref" not in current):
                    responses[code] = {"$ref": f"#/components/responses/Problem{code}"}
            responses.setdefault("default", {"$ref": "#/components/responses/DEFAULT_ERROR"})
