"""Issue 15, item 8: the OpenAPI document is valid, Decimal bounds are numbers, every API
operation documents its error answers as problem JSON, and those answers match it."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from models import User, db

ERROR_CODES = ("400", "401", "403", "404", "409", "413", "422", "429")


@pytest.fixture
def document(app, staff, token_for):
    with app.app_context():
        user = db.session.get(User, staff["manager"])
    headers = token_for(user)
    r = app.test_client().get("/api/v1/openapi.json", headers=headers)
    assert r.status_code == 200
    return r.json, headers


@pytest.mark.sqlite_only
def test_document_is_valid_openapi(document):
    spec, _ = document
    validate(spec)
    estimate = spec["components"]["schemas"]["DiagnosisIn"]["properties"]["estimate"]
    assert isinstance(estimate["minimum"], (int, float)) and estimate["minimum"] == 0


@pytest.mark.sqlite_only
def test_every_api_operation_documents_problem_json_errors(document):
    spec, _ = document
    problem = spec["components"]["schemas"]["Problem"]
    assert {"title", "status"} <= set(problem["required"])
    missing = []
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for code in ERROR_CODES:
                if code in ("401", "403") and operation.get("security") == []:
                    continue
                ref = operation["responses"].get(code, {}).get("$ref", "")
                if not ref.endswith(f"Problem{code}"):
                    missing.append(f"{method.upper()} {path} {code}")
    assert missing == []
    for code in ERROR_CODES:
        content = spec["components"]["responses"][f"Problem{code}"]["content"]
        assert list(content) == ["application/problem+json"]


@pytest.mark.sqlite_only
def test_error_answers_match_the_problem_schema(app, document):
    import jsonschema

    spec, headers = document
    schema = spec["components"]["schemas"]["Problem"]
    client = app.test_client()
    answers = [
        client.get("/api/v1/me"),  # 401
        client.get("/api/v1/jobs/NOPE-1", headers=headers),  # 404
        client.post("/api/v1/jobs", headers=headers, json={}),  # 422
        client.post("/api/v1/jobs", headers=headers, data="[" * 3000, content_type="application/json"),  # 400
    ]
    assert [r.status_code for r in answers] == [401, 404, 422, 400]
    for r in answers:
        assert r.mimetype == "application/problem+json"
        jsonschema.validate(r.json, schema)
