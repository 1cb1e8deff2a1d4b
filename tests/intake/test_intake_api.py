"""The intake API as CONTRACT.md fixes it: GET /api/v1/imei/{value}, POST /api/v1/jobs
(Idempotency-Key, 422 with per-field errors and nothing written), GET /api/v1/jobs/{number},
the job list, and the intake screen's preview and customer lookup."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Customer, IdempotencyKey, Job, JobEvent, TacEntry, User, db
from tests import factories
from workshop.intake.devices import blocked

NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
CONTRACT_BODY = {
    "customer": {"name": "王芳", "phone": "13800138000", "email": None},
    "device": {"imei": "35 209900 176148 1", "imei2": None, "brand": None, "model": None, "colour": "black"},
    "proof": {"kind": "invoice", "number": "FP-88123", "purchase_date": "2026-11-10",
              "seller": "...", "imei": "352099001761481"},
    "fault": {"category": "no_power", "description": "dead after charging", "component": "handset"},
    "condition": {"liquid_damage": False, "physical_damage": False, "seals_intact": True, "notes": "scratch on back"},
    "accessories": ["sim_tray"],
    "estimate": {"amount": "0.00", "ceiling": "300.00"},
    "consent": {"data_disclaimer": True, "lock_removed": True},
}


@pytest.fixture
def api(app, staff, token_for, clock):
    """api(role) -> (client, headers) for a bearer-token client of that role."""
    client = app.test_client()

    def for_role(role):
        with app.app_context():
            user = db.session.get(User, staff[role])
        return client, token_for(user)

    return for_role


def body(**changes):
    data = copy.deepcopy(CONTRACT_BODY)
    for dotted, value in changes.items():
        node = data
        *path, last = dotted.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    return data


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m))
                     for m in (Job, Customer, JobEvent, IdempotencyKey, AuditEvent))


def test_post_job_contract_example(app, api):
    client, headers = api("receptionist")
    r = client.post("/api/v1/jobs", json=CONTRACT_BODY, headers=headers)
    assert r.status_code == 201, r.json
    job = r.json
    assert job["number"] == "SZ01-000001" and job["status"] == "received"
    assert job["received_on"] == "2026-11-22" and job["promised_by"] == "2026-11-29"
    assert job["warranty"] == {
        "policy": "sanbao", "status": "exchange_window", "remedies": ["exchange", "repair"], "chargeable": False,
        "reasons": job["warranty"]["reasons"], "ends_on": "2027-11-10"}
    assert "15-day exchange period" in job["warranty"]["reasons"][0]
    assert job["label_url"] == "/jobs/SZ01-000001/label.pdf" and job["ticket_url"] == "/jobs/SZ01-000001/ticket.pdf"
    assert job["customer"]["phone"] == "+8613800138000"
    assert job["device"]["imei"] == "352099001761481" and job["device"]["colour"] == "black"
    assert job["accessories"] == ["sim_tray"] and job["consent"] == {"data_disclaimer": True, "lock_removed": True}
    assert job["condition"]["notes"] == "scratch on back" and job["proof"]["number"] == "FP-88123"
    assert job["estimate"] == {"amount": "0.00", "ceiling": "300.00"}
    assert r.headers["Location"] == "/api/v1/jobs/SZ01-000001"


def test_idempotency_key_returns_the_first_answer(app, api):
    client, headers = api("receptionist")
    first = client.post("/api/v1/jobs", json=CONTRACT_BODY, headers={**headers, "Idempotency-Key": "abc-1"})
    again = client.post("/api/v1/jobs", json=CONTRACT_BODY, headers={**headers, "Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/jobs", json=body(**{"device.colour": "blue"}),
                        headers={**headers, "Idempotency-Key": "abc-1"})
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    assert counts(app)[0] == 1
    # Another handset (the first now has an open job and would be refused).
    new = client.post("/api/v1/jobs", json=body(**{"device.imei": "356938035643809", "proof.imei": "356938035643809"}),
                      headers={**headers, "Idempotency-Key": "abc-2"})
    assert new.json["number"] == "SZ01-000002"


def test_refused_input_gives_field_errors_and_writes_nothing(app, api):
    client, headers = api("receptionist")
    before = counts(app)
    bad = body(**{"device.imei": "35 209900 176148 2", "customer.phone": "12", "customer.name": "",
                  "fault.category": "exploded", "accessories": ["sim_tray", "laptop"],
                  "estimate.ceiling": "-1"})
    r = client.post("/api/v1/jobs", json=bad, headers={**headers, "Idempotency-Key": "bad-1"})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.json["status"] == 422 and r.json["title"] and r.json["detail"]
    assert set(r.json["errors"]) == {"device.imei", "customer.phone", "customer.name", "fault.category",
                                     "accessories", "estimate.ceiling"}
    assert "check digit" in r.json["errors"]["device.imei"][0]
    assert counts(app) == before
    # The key was not used up by the refusal: the corrected request goes through under it.
    ok = client.post("/api/v1/jobs", json=CONTRACT_BODY, headers={**headers, "Idempotency-Key": "bad-1"})
    assert ok.status_code == 201


def test_type_errors_are_field_errors_too(app, api):
    client, headers = api("receptionist")
    before = counts(app)
    r = client.post("/api/v1/jobs", headers=headers, json=body(**{
        "proof.purchase_date": "last week", "estimate.amount": "cheap", "condition.liquid_damage": "maybe",
        "device.imei": 352099001761481}))
    assert r.status_code == 422
    assert {"proof.purchase_date", "estimate.amount", "condition.liquid_damage", "device.imei"} <= set(r.json["errors"])
    r = client.post("/api/v1/jobs", headers=headers, json={**CONTRACT_BODY, "surprise": 1})
    assert r.status_code == 422 and "surprise" in r.json["errors"]
    r = client.post("/api/v1/jobs", headers=headers, json={})
    assert r.status_code == 422
    assert {"customer.name", "customer.phone", "device.imei", "fault.category"} <= set(r.json["errors"])
    assert counts(app) == before


def test_blocked_imei_via_api(app, api, staff):
    with app.app_context():
        blocked.add(db.session.get(User, staff["manager"]), "352099001761481", reason="stolen")
        db.session.commit()
    client, headers = api("receptionist")
    r = client.post("/api/v1/jobs", json=body(blocked_override_reason="please"), headers=headers)
    assert r.status_code == 422 and {"device.imei", "blocked_override_reason"} <= set(r.json["errors"])
    client, headers = api("manager")
    r = client.post("/api/v1/jobs", json=body(blocked_override_reason="recovered, report PSB-1"), headers=headers)
    assert r.status_code == 201 and r.json["blocked_override_reason"] == "recovered, report PSB-1"


def test_serial_number_intake_via_api(api):
    client, headers = api("manager")
    r = client.post("/api/v1/jobs", headers=headers, json=body(
        device={"serial_number": "DMPQ1X7ABC", "brand": "Apple", "model": "iPad"}, proof=None))
    assert r.status_code == 201
    assert r.json["device"]["serial_number"] == "DMPQ1X7ABC" and r.json["warranty"]["status"] == "no_proof"


@pytest.mark.parametrize(("role", "status"), [("engineer", 403), ("clerk", 403), ("admin", 403),
                                              ("receptionist", 201), ("manager", 201)])
def test_who_may_take_in(api, role, status):
    client, headers = api(role)
    assert client.post("/api/v1/jobs", json=CONTRACT_BODY, headers=headers).status_code == status


def test_anonymous_gets_401(app):
    client = app.test_client()
    assert client.post("/api/v1/jobs", json=CONTRACT_BODY).status_code == 401
    assert client.get("/api/v1/imei/352099001761481").status_code == 401


# -- IMEI -----------------------------------------------------------------------------------------


def test_imei_endpoint(app, api):
    with app.app_context():
        db.session.add(TacEntry(tac="35209900", brand="Alcatel", model="One Touch 332"))
        db.session.commit()
    client, headers = api("clerk")
    r = client.get("/api/v1/imei/35-209900/176148-1", headers=headers)
    assert r.status_code == 200
    data = r.json
    for key in ("imei", "valid", "kind", "reason", "tac", "brand", "model", "blocked", "jobs"):
        assert key in data
    assert data["imei"] == "352099001761481" and data["valid"] and data["kind"] == "imei"
    assert (data["brand"], data["model"], data["blocked"], data["jobs"]) == ("Alcatel", "One Touch 332", False, [])

    r = client.get("/api/v1/imei/352099001761482", headers=headers)
    assert r.status_code == 200 and r.json["valid"] is False and "check digit" in r.json["reason"]
    r = client.get("/api/v1/imei/A0000000002329", headers=headers)
    assert r.status_code == 200 and r.json["kind"] == "meid" and not r.json["valid"]
    r = client.get("/api/v1/imei/3520990017614810", headers=headers)
    assert r.json["kind"] == "imeisv" and r.json["suggestion"] == "352099001761481"


def test_imei_endpoint_lists_earlier_jobs_and_blocks(app, api):
    client, headers = api("receptionist")
    number = client.post("/api/v1/jobs", json=CONTRACT_BODY, headers=headers).json["number"]
    with app.app_context():
        blocked.add(None, "352099001761481", reason="lost")
        db.session.commit()
    data = client.get("/api/v1/imei/352099001761481", headers=headers).json
    assert data["jobs"] == [number] and data["blocked"] is True and data["open_job"] == number
    other_client, other_headers = api("other_manager")
    # Another service point sees the job (chain-wide history, issue 14), not its customer.
    seen = other_client.get("/api/v1/imei/352099001761481", headers=other_headers)
    assert seen.json["jobs"] == [number] and seen.json["open_job"] == number
    assert CONTRACT_BODY["customer"]["name"] not in seen.get_data(as_text=True)


# -- one job, the list ------------------------------------------------------------------------------


def test_get_job_with_events_and_scoping(api):
    client, headers = api("receptionist")
    number = client.post("/api/v1/jobs", json=CONTRACT_BODY, headers=headers).json["number"]
    engineer_client, engineer_headers = api("engineer")
    r = engineer_client.get(f"/api/v1/jobs/{number.lower()}", headers=engineer_headers)
    assert r.status_code == 200 and r.json["number"] == number
    [event] = r.json["events"]
    assert event["to_status"] == "received" and event["actor"] == "receptionist" and event["data"]["intake"]
    other_client, other_headers = api("other_manager")
    assert other_client.get(f"/api/v1/jobs/{number}", headers=other_headers).status_code == 403
    assert client.get("/api/v1/jobs/SZ01-999999", headers=headers).status_code == 404


def test_job_list_filters_search_pagination_and_scope(app, api, staff):
    client, headers = api("receptionist")
    numbers = []
    for name, phone, imei in (("王芳", "13800138000", "352099001761481"),
                              ("李雷", "13912345678", "356938035643809"),
                              ("Anna Berg", "+49 30 123456", "490154203237518")):
        r = client.post("/api/v1/jobs", headers=headers, json=body(**{
            "customer.name": name, "customer.phone": phone, "device.imei": imei, "proof.imei": imei}))
        assert r.status_code == 201, r.json
        numbers.append(r.json["number"])
    with app.app_context():
        other = db.session.get(User, staff["other_manager"])
        factories.job(other.service_point, created_by=other, customer=factories.customer(other.service_point))
        job = db.session.scalar(select(Job).where(Job.number == numbers[1]))
        job.engineer_id = staff["engineer"]
        job.status = "diagnosing"
        db.session.commit()

    def items(query):
        r = client.get("/api/v1/jobs" + query, headers=headers)
        assert r.status_code == 200, r.json
        return [i["number"] for i in r.json["items"]]

    assert items("") == numbers[::-1]  # newest first, only SZ01
    assert items("?status=received") == [numbers[2], numbers[0]]
    assert items("?status=diagnosing,received") == numbers[::-1]
    assert items("?engineer=engineer") == [numbers[1]]
    assert items("?engineer=nobody") == []
    assert items(f"?q={numbers[0].lower()}") == [numbers[0]]
    assert items("?q=35693803 5643809") == [numbers[1]]  # IMEI as typed
    assert items("?q=3569380356") == [numbers[1]]  # beginning of an IMEI
    assert items("?q=139 1234") == [numbers[1]]  # the first digits of a phone number
    assert items("?q=138-0013-8000") == [numbers[0]]
    assert items("?q=%2B49 30 123456") == [numbers[2]]  # a whole number with its country code
    assert items("?q=Anna") == [numbers[2]]  # the beginning of a name (on an index, not LIKE '%...%')
    assert items("?q=王") == [numbers[0]]

    r = client.get("/api/v1/jobs?limit=2", headers=headers)
    assert [i["number"] for i in r.json["items"]] == [numbers[2], numbers[1]] and r.json["next"]
    r2 = client.get(r.json["next"], headers=headers)
    assert [i["number"] for i in r2.json["items"]] == [numbers[0]] and r2.json["next"] is None

    r = client.get("/api/v1/jobs?status=lost", headers=headers)
    assert r.status_code == 422 and "status" in r.json["errors"]
    r = client.get("/api/v1/jobs?limit=0", headers=headers)
    assert r.status_code == 422 and "limit" in r.json["errors"]


# -- preview and customer lookup -------------------------------------------------------------------


def test_preview_writes_nothing(app, api):
    client, headers = api("receptionist")
    before = counts(app)
    r = client.post("/api/v1/intake/preview", headers=headers, json={
        "device": {"imei": "352099001761481"}, "proof": {"kind": "invoice", "purchase_date": "2026-11-20",
                                                         "imei": "356938035643809"},
        "condition": {"seals_intact": False}, "fault": {"component": "battery"}})
    assert r.status_code == 200
    w = r.json["warranty"]
    assert w["status"] == "void" and w["chargeable"] is True
    assert set(w["reason_codes"]) == {"seals_broken", "imei_mismatch"}
    assert w["reasons_local"] == w["reasons"] and "does not match" in " ".join(w["reasons"])
    assert r.json["dates"]["promised_by"] == "2026-11-29" and r.json["today"] == "2026-11-22"
    assert counts(app) == before
    engineer_client, engineer_headers = api("engineer")
    assert engineer_client.post("/api/v1/intake/preview", json={}, headers=engineer_headers).status_code == 403


def test_preview_says_the_reasons_in_the_callers_language(api):
    client, headers = api("receptionist")
    r = client.post("/api/v1/intake/preview", headers={**headers, "Accept-Language": "zh-CN"}, json={
        "device": {"imei": "352099001761481"}, "proof": {"kind": "warranty_card", "purchase_date": "2026-11-10",
                                                         "imei": "352099001761481"}})
    w = r.json["warranty"]
    assert w["reason_codes"] == ["exchange_window"]
    english = ("Purchased 2026-11-10; within the 15-day exchange period (until 2026-11-25): "
               "exchange or repair free of charge.")
    assert w["reasons"] == [english]  # the API's reasons stay English
    assert w["reason_args"] == [{"purchased": "2026-11-10", "days": 15, "until": "2026-11-25"}]
    assert w["reasons_local"] == ["购于 2026-11-10；在 15日换货期内（至 2026-11-25）：可免费换货或维修。"]


def test_customer_lookup_by_phone(api):
    client, headers = api("receptionist")
    r = client.get("/api/v1/customers/lookup?phone=13800138000", headers=headers)
    assert r.json == {"found": False, "phone": "+8613800138000", "name": None, "email": None, "jobs": [],
                      "jobs_next": None}
    number = client.post("/api/v1/jobs", json=CONTRACT_BODY, headers=headers).json["number"]
    r = client.get("/api/v1/customers/lookup?phone=138 0013 8000", headers=headers)
    assert r.json["found"] and r.json["name"] == "王芳" and r.json["jobs"] == [number]
    r = client.get("/api/v1/customers/lookup?phone=12", headers=headers)
    assert r.status_code == 422 and "phone" in r.json["errors"]
    other_client, other_headers = api("other_manager")
    assert other_client.get("/api/v1/customers/lookup?phone=13800138000", headers=other_headers).json["found"] is False


def test_openapi_documents_the_intake_endpoints(api):
    client, headers = api("manager")
    paths = client.get("/api/v1/openapi.json", headers=headers).json["paths"]
    for path in ("/api/v1/imei/{value}", "/api/v1/jobs", "/api/v1/jobs/{number}", "/api/v1/intake/preview",
                 "/api/v1/customers/lookup"):
        assert path in paths
    post = paths["/api/v1/jobs"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "201" in post["responses"]


def test_a_job_taken_in_is_found_by_the_name_and_a_corrected_name_moves_every_job(app, api):
    """The names' index (workshop/jobs/name_index.py) is written by the intake's own
    transaction: the job is found by name at once; a returning customer's name
    corrected at intake finds all their jobs under the new name, none under the old."""
    client, headers = api("receptionist")
    first = client.post("/api/v1/jobs", json=CONTRACT_BODY, headers=headers).json["number"]
    assert [i["number"] for i in client.get("/api/v1/jobs?q=王", headers=headers).json["items"]] == [first]
    second = client.post("/api/v1/jobs", json=body(**{"customer.name": "汪芳", "customer.update": True,
                                                      "device.imei": "356938035643809",
                                                      "proof.imei": "356938035643809"}), headers=headers)
    assert second.status_code == 201, second.json
    found = client.get("/api/v1/jobs?q=汪芳", headers=headers).json["items"]
    assert [(i["number"], i["customer"]["name"]) for i in found] == [(second.json["number"], "汪芳"), (first, "汪芳")]
    assert client.get("/api/v1/jobs?q=王", headers=headers).json["items"] == []
