"""The bench API through the client with bearer tokens: scan, assign, status moves,
diagnosis and the customer's approval (CONTRACT.md)."""

from __future__ import annotations

import itertools

import pytest

from models import Job, User, db
from tests import factories

_phones = itertools.count(13700000000)
ROLES = ("receptionist", "engineer", "clerk", "manager", "admin")


@pytest.fixture
def api(app, staff, token_for):
    """Tokens for every role at SZ01 plus a second engineer, and a job maker."""
    with app.app_context():
        sp = factories.service_point("SZ01")
        factories.user("engineer", username="engineer2", sp=sp, engineer_level=2)
        db.session.commit()
        users = {u.username: u for u in db.session.scalars(db.select(User))}
    headers = {name: token_for(user) for name, user in users.items()}

    class Api:
        h = headers

        def job(self, **kwargs) -> str:
            with app.app_context():
                sp = factories.service_point(kwargs.pop("sp", "SZ01"))
                engineer = kwargs.pop("engineer", None)
                if engineer:
                    kwargs["engineer"] = db.session.scalar(db.select(User).where(User.username == engineer))
                kwargs.setdefault("fault_category", "screen")
                kwargs.setdefault("customer", factories.customer(sp, phone=f"+86{next(_phones)}"))
                number = factories.job(sp, **kwargs).number
                db.session.commit()
            return number

        def load(self, number) -> Job:
            with app.app_context():
                job = db.session.scalar(db.select(Job).where(Job.number == number))
                db.session.expunge_all()
                return job

    return Api()


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


# --- scan -------------------------------------------------------------------------


def test_scan_opens_the_job_by_number_ticket_or_imei(client, api):
    old = api.job(imei="490154203237518", status="collected")
    number = api.job(imei="490154203237518")
    for code in (number, number.lower(), "49 015420 323751 8", "490154203237518"):
        r = client.get(f"/api/v1/scan/{code}", headers=api.h["engineer"])
        assert r.status_code == 200, code
        assert r.get_json()["number"] == number  # the latest open job, not the collected one
        assert r.get_json()["events"][0]["to_status"] == "received"
    assert old != number


def test_scan_of_an_unknown_code_says_so(client, api):
    body = _problem(client.get("/api/v1/scan/SZ01-999999", headers=api.h["receptionist"]), 404)
    assert "SZ01-999999" in body["detail"]
    assert client.get("/api/v1/scan/SZ01-999999").status_code == 401


def test_scan_does_not_open_another_service_points_job(client, api):
    number = api.job(sp="OT01", imei="356938035643809")
    _problem(client.get(f"/api/v1/scan/{number}", headers=api.h["engineer"]), 404)
    assert client.get(f"/api/v1/scan/{number}", headers=api.h["other_manager"]).status_code == 200


# --- assign -----------------------------------------------------------------------


def test_manager_assigns_the_proposed_engineer_with_an_empty_body(client, api):
    number = api.job(brand="Apple")
    r = client.post(f"/api/v1/jobs/{number}/assign", json={}, headers=api.h["manager"])
    assert r.status_code == 200
    body = r.get_json()
    assert body["engineer"] in ("engineer", "engineer2")
    assign = body["events"][-1]
    assert assign["kind"] == "assign" and assign["actor"] == "manager" and assign["data"]["proposed"] is True


def test_manager_assigns_and_reassigns_by_name(client, api):
    number = api.job()
    r = client.post(f"/api/v1/jobs/{number}/assign", json={"engineer": "engineer2"}, headers=api.h["manager"])
    assert r.get_json()["engineer"] == "engineer2"
    r = client.post(f"/api/v1/jobs/{number}/assign", json={"engineer": "ENGINEER"}, headers=api.h["manager"])
    event = r.get_json()["events"][-1]
    assert r.get_json()["engineer"] == "engineer"
    assert (event["data"]["from"], event["data"]["to"]) == ("engineer2", "engineer")
    assert event["note"].startswith("Reassigned from")


@pytest.mark.parametrize("role", ["receptionist", "engineer", "clerk", "admin"])
def test_only_managers_assign(client, api, role):
    number = api.job()
    _problem(client.post(f"/api/v1/jobs/{number}/assign", json={}, headers=api.h[role]), 403)
    assert api.load(number).engineer_id is None


def test_assign_errors(client, api):
    number = api.job()
    body = _problem(client.post(f"/api/v1/jobs/{number}/assign", json={"engineer": "nobody"},
                                headers=api.h["manager"]), 422)
    assert body["errors"] == {"engineer": ["There is no user nobody."]}
    body = _problem(client.post(f"/api/v1/jobs/{number}/assign", json={"engineer": "clerk"},
                                headers=api.h["manager"]), 422)
    assert "not an active engineer" in body["errors"]["engineer"][0]
    ready = api.job(status="ready")
    _problem(client.post(f"/api/v1/jobs/{ready}/assign", json={}, headers=api.h["manager"]), 409)
    other = api.job(sp="OT01", imei="356938035643809")
    _problem(client.post(f"/api/v1/jobs/{other}/assign", json={}, headers=api.h["manager"]), 403)
    _problem(client.post("/api/v1/jobs/SZ01-999999/assign", json={}, headers=api.h["manager"]), 404)


# --- status -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("frm", "to", "allowed"), [
    ("received", "diagnosing", {"engineer", "manager"}),
    ("repairing", "qc", {"engineer", "manager"}),
    ("awaiting_approval", "repairing", {"receptionist", "manager"}),
    ("unrepairable", "ready", {"receptionist", "engineer", "manager"}),
])
def test_status_moves_by_role(client, api, role, frm, to, allowed):
    number = api.job(status=frm, engineer="engineer")
    r = client.post(f"/api/v1/jobs/{number}/status", json={"to": to, "note": "ok"}, headers=api.h[role])
    if role in allowed:
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert body["status"] == to
        last = body["events"][-1]
        assert (last["from_status"], last["to_status"], last["actor"]) == (frm, to, role)
        assert last["location"] == body["location"]
    else:
        body = _problem(r, 403)
        assert "may not move a job" in body["detail"]
        assert api.load(number).status == frm


def test_a_forbidden_move_is_409_naming_the_allowed_moves(client, api):
    number = api.job(engineer="engineer")
    body = _problem(client.post(f"/api/v1/jobs/{number}/status", json={"to": "ready"},
                                headers=api.h["manager"]), 409)
    assert body["detail"] == ("A job that is “Received” cannot move to “Ready for pickup”. "
                              "Allowed: Diagnosing, Cancelled.")
    assert api.load(number).status == "received"


def test_status_input_errors(client, api):
    number = api.job(engineer="engineer")
    body = _problem(client.post(f"/api/v1/jobs/{number}/status", json={"to": "fixed"}, headers=api.h["manager"]), 422)
    assert "to" in body["errors"]
    body = _problem(client.post(f"/api/v1/jobs/{number}/status", json={"to": "cancelled"},
                                headers=api.h["receptionist"]), 422)
    assert body["errors"] == {"note": ["Cancelling needs a reason."]}
    ready = api.job(status="ready")
    body = _problem(client.post(f"/api/v1/jobs/{ready}/status", json={"to": "collected"},
                                headers=api.h["receptionist"]), 409)
    assert "/pickup" in body["detail"]


def test_engineer_moves_only_their_jobs_through_the_api(client, api):
    number = api.job(status="repairing", engineer="engineer2")
    body = _problem(client.post(f"/api/v1/jobs/{number}/status", json={"to": "qc"}, headers=api.h["engineer"]), 403)
    assert "assigned to engineer2" in body["detail"]


def test_qc_through_the_api(client, api):
    number = api.job(status="repairing", engineer="engineer")
    assert client.post(f"/api/v1/jobs/{number}/status", json={"to": "qc"}, headers=api.h["engineer"]).status_code == 200
    body = _problem(client.post(f"/api/v1/jobs/{number}/status", json={"to": "ready"}, headers=api.h["engineer"]), 403)
    assert "someone other than the engineer who repaired" in body["detail"]
    r = client.post(f"/api/v1/jobs/{number}/status", json={"to": "repairing", "failed_checks": ["audio"],
                                                            "note": "no sound"}, headers=api.h["engineer2"])
    event = r.get_json()["events"][-1]
    assert r.get_json()["status"] == "repairing" and event["data"]["qc"]["failed"] == ["audio"]
    client.post(f"/api/v1/jobs/{number}/status", json={"to": "qc"}, headers=api.h["engineer"])
    body = _problem(client.post(f"/api/v1/jobs/{number}/status", json={"to": "ready", "checks": ["audio"]},
                                headers=api.h["engineer2"]), 422)
    assert "not passed" in body["errors"]["checks"][0]
    r = client.post(f"/api/v1/jobs/{number}/status", json={"to": "ready"}, headers=api.h["engineer2"])
    assert r.get_json()["status"] == "ready"
    assert r.get_json()["events"][-1]["data"]["qc"]["result"] == "pass"


# --- diagnosis and approval ---------------------------------------------------------


def test_diagnosis_over_the_ceiling_then_the_desk_records_approval(client, api):
    number = api.job(engineer="engineer", estimate_amount="100.00", estimate_ceiling="150.00")
    r = client.post(f"/api/v1/jobs/{number}/diagnosis", json={"findings": "water under shield", "estimate": "420",
                                                              "next": "awaiting_parts"}, headers=api.h["engineer"])
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "awaiting_approval"
    assert [e["kind"] for e in body["events"]][-3:] == ["status", "diagnosis", "status"]
    _problem(client.post(f"/api/v1/jobs/{number}/approval", json={"approved": True, "channel": "phone"},
                         headers=api.h["engineer"]), 403)
    r = client.post(f"/api/v1/jobs/{number}/approval", json={"approved": True, "channel": "phone",
                                                             "note": "ok by phone"}, headers=api.h["receptionist"])
    body = r.get_json()
    assert body["status"] == "awaiting_parts"
    assert body["estimate"] == {"amount": "420.00", "ceiling": "420.00"}
    assert body["events"][-1]["data"]["approval"] == {
        "answer": "approved", "channel": "phone", "estimate_was": "100.00", "ceiling_was": "150.00",
        "estimate": "420.00"}


def test_declined_goes_to_ready_unrepaired(client, api):
    number = api.job(status="awaiting_approval", engineer="engineer")
    r = client.post(f"/api/v1/jobs/{number}/approval", json={"approved": False, "channel": "in_person"},
                    headers=api.h["manager"])
    assert r.get_json()["status"] == "ready"
    assert r.get_json()["events"][-1]["data"]["unrepaired"] is True


def test_diagnosis_and_approval_input_errors(client, api):
    number = api.job(status="diagnosing", engineer="engineer")
    body = _problem(client.post(f"/api/v1/jobs/{number}/diagnosis", json={"findings": "", "estimate": "-1"},
                                headers=api.h["engineer"]), 422)
    assert set(body["errors"]) == {"findings", "estimate"}
    body = _problem(client.post(f"/api/v1/jobs/{number}/approval", json={"approved": True, "channel": "phone"},
                                headers=api.h["receptionist"]), 409)
    assert "not waiting for the customer's approval" in body["detail"]
    _problem(client.post(f"/api/v1/jobs/{number}/diagnosis", json={"findings": "x"}, headers=api.h["receptionist"]),
             403)


# --- the morning, end to end --------------------------------------------------------


def test_morning_journey_through_the_api(client, api):
    jobs = [api.job(brand="Apple") for _ in range(2)]
    for number in jobs:
        client.post(f"/api/v1/jobs/{number}/assign", json={}, headers=api.h["manager"])
    owners = {client.get(f"/api/v1/scan/{n}", headers=api.h["manager"]).get_json()["engineer"] for n in jobs}
    assert owners == {"engineer", "engineer2"}  # spread by load
    number = next(n for n in jobs
                  if client.get(f"/api/v1/scan/{n}", headers=api.h["manager"]).get_json()["engineer"] == "engineer")
    scanned = client.get(f"/api/v1/scan/{number}", headers=api.h["engineer"]).get_json()
    assert scanned["number"] == number
    steps = [
        ("engineer", "status", {"to": "diagnosing"}),
        ("engineer", "diagnosis", {"findings": "cracked screen", "estimate": "0", "next": "repairing"}),
        ("engineer", "status", {"to": "qc", "note": "screen replaced"}),
        ("engineer2", "status", {"to": "ready", "note": "all checks passed"}),
    ]
    for who, what, body in steps:
        r = client.post(f"/api/v1/jobs/{number}/{what}", json=body, headers=api.h[who])
        assert r.status_code == 200, (what, r.get_json())
    history = client.get(f"/api/v1/scan/{number}", headers=api.h["receptionist"]).get_json()["events"]
    assert [(e["kind"], e["to_status"], e["actor"], e["location"]) for e in history[1:]] == [
        ("assign", None, "manager", "front_desk"),
        ("status", "diagnosing", "engineer", "bench · engineer"),
        ("diagnosis", None, "engineer", "bench · engineer"),
        ("status", "repairing", "engineer", "bench · engineer"),
        ("status", "qc", "engineer", "qc"),
        ("status", "ready", "engineer2", "pickup_shelf"),
    ]


def test_jobs_carry_their_promise_warnings(client, api, app):
    import datetime as dt

    from workshop.warranty import promise

    with app.app_context():
        today = promise.local_today(factories.service_point("SZ01"))
    number = api.job(promised_by=today - dt.timedelta(days=1), received_on=today - dt.timedelta(days=3),
                     warranty_chargeable=True, warranty_status="expired")
    body = client.get(f"/api/v1/scan/{number}", headers=api.h["engineer"]).get_json()
    assert body["promise_warnings"] == [
        {"code": "promise", "due": (today - dt.timedelta(days=1)).isoformat(), "days_left": -1, "overdue": True}]
