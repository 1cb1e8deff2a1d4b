"""The after-sales care API end to end (CONTRACT.md "After-sales care (v2)")."""

from __future__ import annotations

import pytest

from models import Complaint, Remedy, User, db
from tests import factories
from workshop.services import workflow


@pytest.fixture
def api(app, staff, token_for):
    """``api(role)`` -> headers with a bearer token for that staff member."""
    cache = {}

    def headers(username):
        if username not in cache:
            with app.app_context():
                user = db.session.scalar(db.select(User).where(User.username == username))
            cache[username] = token_for(user)
        return cache[username]
    return headers


@pytest.fixture
def collected(app, staff):
    """A job at SZ01 handed back through the workflow; returns its number."""
    with app.app_context():
        sp = factories.service_point("SZ01")
        rec = db.session.get(User, staff["receptionist"])
        job = factories.job(sp, created_by=rec, status="ready")
        workflow.move(job, "collected", rec, handover=True)
        db.session.commit()
        return job.number


BODY = {"channel": "walk_in", "category": "repair_quality", "description": "Screen flickers again",
        "demand": "Fix it for free", "customer": {"name": "王芳", "phone": "13800138000"}, "job": None}


def count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_register_answers_the_contract_fields(client, api):
    r = client.post("/api/v1/complaints", json=BODY, headers=api("receptionist"))
    assert r.status_code == 201, r.json
    c = r.json
    for field in ("number", "status", "channel", "category", "level", "job", "customer", "owner", "escalated",
                  "registered_at", "respond_by", "report_by", "responded_at", "responded_on_time", "remedies",
                  "events"):
        assert field in c
    assert c["status"] == "open" and c["level"] == "general" and c["owner"] == "receptionist"
    assert c["report_by"] is None and c["escalated"] is False
    assert c["customer"] == {"name": "王芳", "phone": "+8613800138000"}
    assert c["registered_at"].endswith("+00:00")
    assert r.headers["Location"].endswith(c["number"])
    got = client.get(f"/api/v1/complaints/{c['number']}", headers=api("engineer"))
    assert got.status_code == 200 and got.json["events"][0]["kind"] == "registered"


def test_idempotency_key_registers_once(app, client, api):
    headers = {**api("receptionist"), "Idempotency-Key": "abc-1"}
    first = client.post("/api/v1/complaints", json=BODY, headers=headers)
    again = client.post("/api/v1/complaints", json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json["number"] == again.json["number"]
    assert count(app, Complaint) == 1


@pytest.mark.parametrize("change,field", [
    ({"channel": "pigeon"}, "channel"), ({"category": "weather"}, "category"),
    ({"channel": "regulator", "level": "general"}, "level"), ({"customer": {"name": "x", "phone": "12"}},
                                                               "customer.phone")])
def test_bad_input_is_a_problem_with_nothing_written(app, client, api, change, field):
    r = client.post("/api/v1/complaints", json={**BODY, **change}, headers=api("receptionist"))
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert field in r.json["errors"]
    assert count(app, Complaint) == 0


def test_roles_and_service_points(app, client, api, staff):
    assert client.post("/api/v1/complaints", json=BODY, headers=api("engineer")).status_code == 403
    assert client.get("/api/v1/complaints", headers=api("clerk")).status_code == 403
    number = client.post("/api/v1/complaints", json=BODY, headers=api("receptionist")).json["number"]
    assert client.get(f"/api/v1/complaints/{number}", headers=api("other_manager")).status_code == 403
    assert client.get("/api/v1/complaints/TS-SZ01-209901-0001", headers=api("manager")).status_code == 404
    close = client.post(f"/api/v1/complaints/{number}/close", json={"root_cause": "process"},
                        headers=api("receptionist"))
    assert close.status_code == 403
    assert client.get("/api/v1/complaints", headers=api("other_manager")).json["items"] == []
    with app.app_context():
        other = factories.service_point("OT01")
        theirs = factories.job(other, created_by=db.session.get(User, staff["other_manager"]))
        db.session.commit()
        their_number = theirs.number
    r = client.post("/api/v1/complaints", json={**BODY, "job": their_number}, headers=api("receptionist"))
    assert r.status_code == 403 and count(app, Complaint) == 1
    r = client.post("/api/v1/complaints", json={**BODY, "job": "SZ01-999999"}, headers=api("receptionist"))
    assert r.status_code == 404 and count(app, Complaint) == 1


def test_a_whole_case_through_the_api(app, client, api, collected):
    rec, man = api("receptionist"), api("manager")
    c = client.post("/api/v1/complaints", json={**BODY, "job": collected, "customer": None}, headers=rec).json
    number = c["number"]
    assert c["job"] == collected
    r = client.post(f"/api/v1/complaints/{number}/respond", json={"note": "Called back"}, headers=rec)
    assert r.status_code == 200 and r.json["responded_on_time"] is True and r.json["responded_at"]
    assert client.post(f"/api/v1/complaints/{number}/respond", json={"note": "x"}, headers=rec).status_code == 409
    r = client.post(f"/api/v1/complaints/{number}/escalate", json={"note": "Wants compensation"}, headers=rec)
    assert r.json["escalated"] is True and r.json["owner"] == "manager"

    small = client.post(f"/api/v1/complaints/{number}/remedies", json={"kind": "discount", "amount": "50.00"},
                        headers=rec)
    big = client.post(f"/api/v1/complaints/{number}/remedies", json={"kind": "gift", "amount": "50.01"},
                      headers=rec)
    assert small.status_code == big.status_code == 201
    assert small.json["status"] == "approved" and big.json["status"] == "pending_approval"
    assert set(small.json) >= {"id", "kind", "amount", "status"}
    for bad in ("-1", "abc", "1.001"):
        r = client.post(f"/api/v1/complaints/{number}/remedies", json={"kind": "gift", "amount": bad}, headers=rec)
        assert r.status_code == 422 and "amount" in r.json["errors"]
    assert count(app, Remedy) == 2
    big_id = big.json["id"]
    r = client.post(f"/api/v1/complaints/{number}/remedies/{big_id}/done", json={"note": "x"}, headers=rec)
    assert r.status_code == 409
    assert client.post(f"/api/v1/complaints/{number}/remedies/{big_id}/approve", headers=rec,
                       json={}).status_code == 403
    r = client.post(f"/api/v1/complaints/{number}/remedies/{big_id}/approve", json={}, headers=man)
    assert r.json["status"] == "approved"
    for rid in (small.json["id"], big_id):
        r = client.post(f"/api/v1/complaints/{number}/remedies/{rid}/done", json={"note": "Given"}, headers=rec)
        assert r.status_code == 200 and r.json["status"] == "done"
    r = client.post(f"/api/v1/complaints/{number}/close", json={"root_cause": "repair_quality"}, headers=man)
    assert r.status_code == 409 and "agreement" in r.json["detail"]
    r = client.post(f"/api/v1/complaints/{number}/agreement", json={"accepted": True, "note": "Signed"}, headers=rec)
    assert r.json["status"] == "resolved"

    calls = client.get("/api/v1/followups?status=open&kind=complaint", headers=rec).json["items"]
    assert [f["complaint"] for f in calls] == [number]
    call = calls[0]
    assert set(call) >= {"id", "kind", "job", "complaint", "customer", "due_on", "attempts", "status"}
    r = client.post(f"/api/v1/followups/{call['id']}", json={"outcome": "reached", "satisfaction": 6}, headers=rec)
    assert r.status_code == 422 and "satisfaction" in r.json["errors"]
    r = client.post(f"/api/v1/followups/{call['id']}", json={"outcome": "reached", "satisfaction": 0}, headers=rec)
    assert r.status_code == 422
    r = client.post(f"/api/v1/followups/{call['id']}", json={"outcome": "reached", "satisfaction": 2,
                                                              "comment": "Still bad"}, headers=rec)
    assert r.status_code == 200 and r.json["complaint"]["number"] == number
    assert r.json["complaint"]["status"] == "open"
    client.post(f"/api/v1/complaints/{number}/agreement", json={"accepted": True}, headers=rec)
    call = client.get("/api/v1/followups?kind=complaint", headers=rec).json["items"][0]
    client.post(f"/api/v1/followups/{call['id']}", json={"outcome": "reached", "satisfaction": 5}, headers=rec)
    r = client.post(f"/api/v1/complaints/{number}/close", json={"root_cause": "repair_quality",
                                                                 "note": "Connector"}, headers=man)
    assert r.status_code == 200 and r.json["status"] == "closed"


def test_pickup_follow_up_unhappy_answer_opens_a_complaint(client, api, collected):
    rec = api("receptionist")
    calls = client.get("/api/v1/followups?kind=pickup", headers=rec).json["items"]
    assert [c["job"] for c in calls] == [collected]
    r = client.post(f"/api/v1/followups/{calls[0]['id']}", json={"outcome": "no_answer"}, headers=rec)
    assert r.json["attempts"] == 1 and r.json["status"] == "open" and r.json["complaint"] is None
    r = client.post(f"/api/v1/followups/{calls[0]['id']}", json={"outcome": "reached", "satisfaction": 1},
                    headers=rec)
    assert r.json["complaint"]["channel"] == "phone" and r.json["complaint"]["job"] == collected
    early = client.get("/api/v1/followups?due_by=2000-01-01", headers=rec).json["items"]
    assert early == []


def test_overdue_filter(app, client, api):
    import datetime as dt

    number = client.post("/api/v1/complaints", json=BODY, headers=api("receptionist")).json["number"]
    assert client.get("/api/v1/complaints?overdue=true", headers=api("manager")).json["items"] == []
    with app.app_context():
        complaint = db.session.scalar(db.select(Complaint).where(Complaint.number == number))
        complaint.respond_by = complaint.registered_at - dt.timedelta(seconds=1)
        db.session.commit()
    items = client.get("/api/v1/complaints?overdue=true", headers=api("manager")).json["items"]
    assert [c["number"] for c in items] == [number] and items[0]["overdue"] is True
    assert client.get("/api/v1/complaints?level=nope", headers=api("manager")).status_code == 422


def test_contact_log_api(client, api):
    rec = api("receptionist")
    r = client.post("/api/v1/contacts", json={"kind": "suggestion", "note": "Open on Sundays"}, headers=rec)
    assert r.status_code == 201
    assert client.post("/api/v1/contacts", json={"kind": "x", "note": "y"}, headers=rec).status_code == 422
    assert client.get("/api/v1/contacts", headers=rec).json["counts"]["suggestion"] == 1


def test_openapi_lists_the_complaint_endpoints(client, api):
    paths = client.get("/api/v1/openapi.json", headers=api("manager")).json["paths"]
    for path in ("/api/v1/complaints", "/api/v1/complaints/{number}/close", "/api/v1/followups/{followup_id}",
                 "/complaints/{number}/agreement.pdf"):
        assert path in paths


def test_agreement_pdf_with_a_token(client, api):
    number = client.post("/api/v1/complaints", json=BODY, headers=api("receptionist")).json["number"]
    r = client.get(f"/complaints/{number}/agreement.pdf", headers=api("engineer"))
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert client.get(f"/complaints/{number}/agreement.pdf", headers=api("other_manager")).status_code == 403
    events = client.get(f"/api/v1/complaints/{number}", headers=api("manager")).json["events"]
    assert events[-1]["kind"] == "printed" and events[-1]["actor"] == "engineer"
