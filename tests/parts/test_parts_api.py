"""The parts API as CONTRACT.md fixes it: catalogue, receipts, requisitions, issue (409 when short)."""

import pytest
from sqlalchemy import func, select

from models import Job, Part, Requisition, StockMove, User, db
from tests import factories


@pytest.fixture
def api(app, staff, token_for):
    with app.app_context():
        users = {role: db.session.get(User, uid) for role, uid in staff.items()}
    # token_for opens its own app context; ours must have ended (SQLite's write lock).
    return {role: token_for(user) for role, user in users.items()}


@pytest.fixture
def job_number(app, staff):
    with app.app_context():
        engineer = db.session.get(User, staff["engineer"])
        number = factories.job(engineer.service_point, status="repairing", engineer=engineer,
                               warranty_chargeable=True).number
        db.session.commit()
    return number


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


NEW_PART = {"sku": "scr-ip13", "name": "iPhone 13 屏幕总成", "price": "899.00", "cost": "420.00",
            "compatible_models": ["iPhone 13"], "reorder_point": 2}


def test_create_part_and_read_its_stock(client, api, app):
    r = client.post("/api/v1/parts", json=NEW_PART, headers={**api["clerk"], "Idempotency-Key": "p-1"})
    assert r.status_code == 201, r.json
    assert r.json["sku"] == "SCR-IP13" and r.json["price"] == "899.00" and r.json["on_hand"] == 0
    assert r.headers["Location"].endswith("/api/v1/parts/SCR-IP13")
    again = client.post("/api/v1/parts", json=NEW_PART, headers={**api["clerk"], "Idempotency-Key": "p-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert _count(app, Part) == 1
    r = client.get("/api/v1/parts/scr-ip13", headers=api["receptionist"])
    assert r.status_code == 200
    assert {k: r.json[k] for k in ("sku", "name", "on_hand", "reserved", "available", "reorder_point",
                                   "service_point", "low_stock")} == {
        "sku": "SCR-IP13", "name": "iPhone 13 屏幕总成", "on_hand": 0, "reserved": 0, "available": 0,
        "reorder_point": 2, "service_point": "SZ01", "low_stock": True}


def test_create_part_refusals(client, api, app):
    r = client.post("/api/v1/parts", json={"sku": "X", "price": "abc"}, headers=api["manager"])
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert set(r.json["errors"]) >= {"name", "price"}
    r = client.post("/api/v1/parts", json={**NEW_PART, "sku": "bad sku!", "category": "toaster"},
                    headers=api["manager"])
    assert r.status_code == 422 and set(r.json["errors"]) == {"sku", "category"}
    client.post("/api/v1/parts", json=NEW_PART, headers=api["manager"])
    r = client.post("/api/v1/parts", json=NEW_PART, headers=api["manager"])
    assert r.status_code == 422 and "already in the catalogue" in r.json["errors"]["sku"][0]
    assert client.post("/api/v1/parts", json=NEW_PART, headers=api["engineer"]).status_code == 403
    assert client.post("/api/v1/parts", json=NEW_PART).status_code == 401
    assert client.get("/api/v1/parts/NOPE", headers=api["engineer"]).status_code == 404
    assert _count(app, Part) == 1


def test_receipts(client, api, app):
    client.post("/api/v1/parts", json=NEW_PART, headers=api["clerk"])
    body = {"sku": "SCR-IP13", "qty": 5, "note": "delivery 2231"}
    r = client.post("/api/v1/stock/receipts", json=body, headers={**api["clerk"], "Idempotency-Key": "d-2231"})
    assert r.status_code == 201 and r.json["on_hand"] == 5 and r.json["qty"] == 5 and r.json["note"] == "delivery 2231"
    r = client.post("/api/v1/stock/receipts", json=body, headers={**api["clerk"], "Idempotency-Key": "d-2231"})
    assert r.status_code == 201 and r.json["on_hand"] == 5  # replayed, not received twice
    assert client.get("/api/v1/parts/SCR-IP13", headers=api["clerk"]).json["on_hand"] == 5
    r = client.post("/api/v1/stock/receipts", json={"sku": "SCR-IP13", "qty": 0}, headers=api["clerk"])
    assert r.status_code == 422 and "qty" in r.json["errors"]
    r = client.post("/api/v1/stock/receipts", json={"sku": "NOPE", "qty": 1}, headers=api["clerk"])
    assert r.status_code == 422 and "sku" in r.json["errors"]
    r = client.post("/api/v1/stock/receipts", json={"sku": "SCR-IP13", "qty": "many"}, headers=api["clerk"])
    assert r.status_code == 422 and "qty" in r.json["errors"]
    r = client.post("/api/v1/stock/receipts", json={"sku": "SCR-IP13", "qty": 1, "service_point": "OT01"},
                    headers=api["clerk"])
    assert r.status_code == 403  # another service point's shelf
    assert client.post("/api/v1/stock/receipts", json=body, headers=api["engineer"]).status_code == 403
    assert _count(app, StockMove) == 1


def test_request_and_issue(client, api, app, job_number):
    client.post("/api/v1/parts", json=NEW_PART, headers=api["clerk"])
    client.post("/api/v1/stock/receipts", json={"sku": "SCR-IP13", "qty": 2}, headers=api["clerk"])
    body = {"lines": [{"sku": "SCR-IP13", "qty": 1}]}
    r = client.post(f"/api/v1/jobs/{job_number}/requisitions", json=body,
                    headers={**api["engineer"], "Idempotency-Key": "rq-1"})
    assert r.status_code == 201, r.json
    assert r.json["status"] == "pending" and isinstance(r.json["id"], int)
    assert r.json["lines"][0]["sku"] == "SCR-IP13" and r.json["lines"][0]["qty"] == 1
    assert r.json["lines"][0]["reserved"] == 1
    rid = r.json["id"]
    again = client.post(f"/api/v1/jobs/{job_number}/requisitions", json=body,
                        headers={**api["engineer"], "Idempotency-Key": "rq-1"})
    assert again.json["id"] == rid and _count(app, Requisition) == 1
    part = client.get("/api/v1/parts/SCR-IP13", headers=api["clerk"]).json
    assert (part["on_hand"], part["reserved"], part["available"]) == (2, 1, 1)
    queue = client.get("/api/v1/requisitions", headers=api["clerk"]).json["items"]
    assert [q["id"] for q in queue] == [rid]

    assert client.post(f"/api/v1/requisitions/{rid}/issue", headers=api["engineer"]).status_code == 403
    r = client.post(f"/api/v1/requisitions/{rid}/issue", headers=api["clerk"])
    assert r.status_code == 200 and r.json["status"] == "issued"
    assert r.json["lines"][0]["unit_price"] == "899.00" and r.json["total"] == "899.00"
    part = client.get("/api/v1/parts/SCR-IP13", headers=api["clerk"]).json
    assert (part["on_hand"], part["reserved"], part["available"]) == (1, 0, 1)
    r = client.post(f"/api/v1/requisitions/{rid}/issue", headers=api["clerk"])
    assert r.status_code == 409 and "already issued" in r.json["detail"]
    job = client.get(f"/api/v1/jobs/{job_number}", headers=api["clerk"])
    assert job.status_code == 200 and "parts_issued" in [e["kind"] for e in job.json["events"]]


def test_issue_when_short_is_409_and_issues_nothing(client, api, app, job_number):
    client.post("/api/v1/parts", json=NEW_PART, headers=api["clerk"])
    client.post("/api/v1/parts", json={**NEW_PART, "sku": "BAT-IP13", "name": "电池"}, headers=api["clerk"])
    client.post("/api/v1/stock/receipts", json={"sku": "SCR-IP13", "qty": 1}, headers=api["clerk"])
    r = client.post(f"/api/v1/jobs/{job_number}/requisitions",
                    json={"lines": [{"sku": "SCR-IP13", "qty": 1}, {"sku": "BAT-IP13", "qty": 1}]},
                    headers=api["engineer"])
    assert r.status_code == 201 and r.json["status"] == "pending" and r.json["short"] == ["BAT-IP13"]
    with app.app_context():
        assert db.session.scalar(select(Job.status).where(Job.number == job_number)) == "awaiting_parts"
    rid = r.json["id"]
    r = client.post(f"/api/v1/requisitions/{rid}/issue", headers=api["clerk"])
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    assert r.json["title"] == "Not enough stock" and "lines.1.qty" in r.json["errors"]
    assert client.get(f"/api/v1/requisitions/{rid}", headers=api["clerk"]).json["status"] == "pending"
    assert client.get("/api/v1/parts/SCR-IP13", headers=api["clerk"]).json["on_hand"] == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(StockMove.id)).where(StockMove.kind == "issue")) == 0


def test_requisition_input_errors(client, api, app, job_number):
    client.post("/api/v1/parts", json=NEW_PART, headers=api["clerk"])
    r = client.post(f"/api/v1/jobs/{job_number}/requisitions", json={"lines": []}, headers=api["engineer"])
    assert r.status_code == 422 and "lines" in r.json["errors"]
    r = client.post(f"/api/v1/jobs/{job_number}/requisitions",
                    json={"lines": [{"sku": "NOPE", "qty": 1}, {"sku": "SCR-IP13", "qty": 0}]},
                    headers=api["engineer"])
    assert r.status_code == 422 and set(r.json["errors"]) == {"lines.0.sku", "lines.1.qty"}
    r = client.post(f"/api/v1/jobs/{job_number}/requisitions", json={"lines": [{"qty": 1}]},
                    headers=api["engineer"])
    assert r.status_code == 422 and "lines.0.sku" in r.json["errors"]
    assert client.post(f"/api/v1/jobs/{job_number}/requisitions", json={"lines": [{"sku": "SCR-IP13", "qty": 1}]},
                       headers=api["clerk"]).status_code == 403
    assert client.post("/api/v1/jobs/SZ01-999999/requisitions", json={"lines": [{"sku": "SCR-IP13", "qty": 1}]},
                       headers=api["engineer"]).status_code == 404
    assert _count(app, Requisition) == 0


def test_other_service_points_stay_apart(client, api, app, job_number):
    client.post("/api/v1/parts", json=NEW_PART, headers=api["clerk"])
    client.post("/api/v1/stock/receipts", json={"sku": "SCR-IP13", "qty": 3}, headers=api["clerk"])
    rid = client.post(f"/api/v1/jobs/{job_number}/requisitions", json={"lines": [{"sku": "SCR-IP13", "qty": 1}]},
                      headers=api["engineer"]).json["id"]
    other = api["other_manager"]
    assert client.get("/api/v1/parts/SCR-IP13", headers=other).json["on_hand"] == 0  # their own shelf
    assert client.get("/api/v1/parts/SCR-IP13?service_point=SZ01", headers=other).status_code == 403
    assert client.get(f"/api/v1/requisitions/{rid}", headers=other).status_code == 403
    assert client.post(f"/api/v1/requisitions/{rid}/issue", headers=other).status_code == 403
    assert client.get("/api/v1/requisitions", headers=other).json["items"] == []


def test_openapi_lists_the_parts_endpoints(client, api):
    paths = client.get("/api/v1/openapi.json", headers=api["clerk"]).json["paths"]
    for path in ("/api/v1/parts", "/api/v1/parts/{sku}", "/api/v1/stock/receipts",
                 "/api/v1/jobs/{number}/requisitions", "/api/v1/requisitions/{id}/issue"):
        assert path in paths
