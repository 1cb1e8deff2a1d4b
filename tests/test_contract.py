"""CONTRACT.md walked once, from set-up to pickup, the way scanners, shop scripts and the
acceptance checks drive it: the CLI through ``runner``, the HTTP API through ``client``
with the tokens that ``users token`` prints.  Each area's own tests check its rules in
detail; this one holds the names, statuses and shapes the contract fixes in one journey,
on SQLite and on PostgreSQL (the ``app`` fixture)."""

from __future__ import annotations

import datetime as dt
import shutil
from zoneinfo import ZoneInfo

import pytest

from tests.scanning import scan
from workshop.intake.devices import tac
from workshop.jobs.schemas import utc_iso

SCANNER = all(shutil.which(tool) for tool in ("pdftoppm", "zbarimg"))
NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)  # 10:00 at the demo counter (Asia/Shanghai)

# Verbatim from CONTRACT.md ("Intake body").
INTAKE = {
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
STATUSES = {"received", "diagnosing", "awaiting_approval", "awaiting_parts", "repairing", "qc", "ready",
            "collected", "cancelled", "unrepairable"}
CONTRACT_PATHS = (
    "/api/v1/imei/{value}", "/api/v1/jobs", "/api/v1/jobs/{number}", "/api/v1/scan/{code}",
    "/jobs/{number}/label.pdf", "/jobs/{number}/ticket.pdf", "/api/v1/jobs/{number}/assign",
    "/api/v1/jobs/{number}/status", "/api/v1/parts", "/api/v1/parts/{sku}", "/api/v1/stock/receipts",
    "/api/v1/jobs/{number}/requisitions", "/api/v1/requisitions/{id}/issue", "/api/v1/jobs/{number}/pickup",
    "/track/{number}",
)
OSMOCOM_TACS = (
    "Osmocom TAC database under CC-BY-SA v3.0 (c) Harald Welte 2016\n"
    "tac,name,name,contributor,comment,gsmarena,gsmarena,aka\n"
    "35209900,Alcatel,One Touch 332,OsmoDevCon 2014,,,,\n"
    "1234,Broken,Row,,,,,\n"
)
PARTS_CSV = (
    "sku,name,price,cost,compatible_models,reorder_point\n"
    "BAT-OT332,One Touch 332 battery,60.00,25.00,One Touch 332,2\n"
    "BAD-1,no price,abc,1.00,,1\n"
)


def cli(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, f"flask --app run {' '.join(args)}: {result.output}"
    return result.output


def is_utc(text: str) -> bool:
    """Times are ISO 8601 UTC (CONTRACT.md, API conventions)."""
    return dt.datetime.fromisoformat(text).utcoffset() == dt.timedelta(0)


def problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.fixture
def setup(app, runner, tmp_path, monkeypatch, clock):
    """Set-up as CONTRACT.md lists it; returns {username: Authorization header}."""
    shipped = tmp_path / "tacdb.csv"  # seed-demo loads the shipped TAC table; a few rows keep this fast
    shipped.write_text(OSMOCOM_TACS, encoding="utf-8")
    monkeypatch.setattr(tac, "SHIPPED_TACDB", shipped)

    cli(runner, "seed-demo")
    cli(runner, "service-points", "create", "BJ02", "--name", "北京朝阳")
    headers = {}
    for name, role in (("alice", "receptionist"), ("bob", "engineer"), ("carol", "engineer"),
                       ("dave", "clerk"), ("erin", "manager")):
        out = cli(runner, "users", "create", name, "--role", role, "--password", "secret-pass-1")
        assert "at SZ01" in out  # no --service-point: the first service point
    cli(runner, "users", "create", "zed", "--role", "manager", "--password", "secret-pass-1",
        "--service-point", "BJ02")
    for name in ("alice", "bob", "carol", "dave", "erin", "zed"):
        token = cli(runner, "users", "token", name).strip().splitlines()[-1]
        assert token and " " not in token  # alone on the last line
        headers[name] = {"Authorization": f"Bearer {token}"}

    tacs = tmp_path / "tacs.csv"
    tacs.write_text(OSMOCOM_TACS, encoding="utf-8")
    out = cli(runner, "tac", "import", str(tacs))
    assert "1 rejected" in out and "line 4" in out
    parts = tmp_path / "parts.csv"
    parts.write_text(PARTS_CSV, encoding="utf-8")
    out = cli(runner, "parts", "import", str(parts))
    assert "1 created" in out and "1 rejected" in out and "line 3" in out
    return headers


def test_contract_walk_from_intake_to_pickup(app, client, setup, tmp_path):
    h = setup

    # -- auth conventions
    problem(client.get("/api/v1/jobs"), 401)
    problem(client.get("/api/v1/jobs", headers={"Authorization": "Bearer not-a-token"}), 401)

    # -- GET /api/v1/imei/{value}: 200 even when not valid
    imei_keys = {"imei", "valid", "kind", "reason", "tac", "brand", "model", "blocked", "jobs"}
    for value, valid, kind in (("352099001761481", True, "imei"), ("35 209900 176148 1", True, "imei"),
                               ("352099001761482", False, "imei"), ("3520990017614801", False, "imeisv"),
                               ("A0000000002329", False, "meid"), ("12", False, "unknown")):
        r = client.get(f"/api/v1/imei/{value}", headers=h["alice"])
        assert r.status_code == 200 and imei_keys <= r.json.keys(), value
        assert (r.json["valid"], r.json["kind"]) == (valid, kind), value
        assert bool(r.json["reason"]) is not valid and r.json["blocked"] is False
    answer = client.get("/api/v1/imei/35 209900 176148 1", headers=h["alice"]).json
    assert (answer["imei"], answer["tac"], answer["brand"], answer["model"], answer["jobs"]) == (
        "352099001761481", "35209900", "Alcatel", "One Touch 332", [])

    # -- POST /api/v1/jobs: refused input is 422 with errors by field, and writes nothing
    bad = {**INTAKE, "customer": {"name": "", "phone": "12"}, "device": {"imei": "352099001761482"}}
    body = problem(client.post("/api/v1/jobs", json=bad, headers=h["alice"]), 422)
    assert {"customer.name", "customer.phone", "device.imei"} <= body["errors"].keys()
    assert all(isinstance(m, list) and m for m in body["errors"].values())
    problem(client.post("/api/v1/jobs", json=INTAKE, headers=h["bob"]), 403)  # engineers do not take in
    assert client.get("/api/v1/jobs", headers=h["alice"]).json == {"items": [], "next": None}

    # ... the contract's own body, twice with one Idempotency-Key: one job
    key = {**h["alice"], "Idempotency-Key": "intake-1"}
    r = client.post("/api/v1/jobs", json=INTAKE, headers=key)
    assert r.status_code == 201, r.json
    job = r.json
    number = job["number"]
    assert job["status"] == "received" and job["received_on"] == "2026-11-22"
    assert dt.date.fromisoformat(job["promised_by"]) >= dt.date(2026, 11, 22)
    warranty = job["warranty"]
    assert set(warranty) >= {"policy", "status", "remedies", "chargeable", "reasons", "ends_on"}
    assert warranty["status"] == "exchange_window" and warranty["chargeable"] is False
    assert set(warranty["remedies"]) <= {"refund", "exchange", "repair"} and warranty["reasons"]
    assert warranty["ends_on"] == "2027-11-10"
    assert job["label_url"] == f"/jobs/{number}/label.pdf" and job["ticket_url"] == f"/jobs/{number}/ticket.pdf"
    again = client.post("/api/v1/jobs", json=INTAKE, headers=key)
    assert again.status_code == 201 and again.json["number"] == number
    assert [j["number"] for j in client.get("/api/v1/jobs", headers=h["alice"]).json["items"]] == [number]

    # -- GET /api/v1/jobs/{number} with events; the list and its filters
    r = client.get(f"/api/v1/jobs/{number}", headers=h["bob"])
    assert r.status_code == 200 and r.json["number"] == number and r.json["events"]
    assert all(is_utc(e["at"]) for e in r.json["events"])
    for query in ("status=received", "status=&engineer=&q=", f"q={number}", "q=13800138000",
                  "q=352099001761481", "q=王芳"):
        page = client.get(f"/api/v1/jobs?{query}", headers=h["bob"]).json
        assert [j["number"] for j in page["items"]] == [number] and page["next"] is None, query
    assert client.get("/api/v1/jobs?status=ready", headers=h["bob"]).json["items"] == []
    problem(client.get("/api/v1/jobs?status=bogus", headers=h["bob"]), 422)

    # -- GET /api/v1/scan/{code}: a job number or an IMEI, else 404
    for code in (number, "352099001761481"):
        assert client.get(f"/api/v1/scan/{code}", headers=h["bob"]).json["number"] == number
    problem(client.get("/api/v1/scan/SZ01-999999", headers=h["bob"]), 404)

    # -- printing with the bearer token; the tag label scans back to the job number
    for size in ("62x29", "57x32"):
        r = client.get(f"/jobs/{number}/label.pdf?size={size}", headers=h["bob"])
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        if SCANNER:
            assert scan(r.data, 203, tmp_path) == [number]
    for fmt in ("a5", "80mm"):
        r = client.get(f"/jobs/{number}/ticket.pdf?format={fmt}", headers=h["alice"])
        assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")

    # -- another service point's job, roles not allowed
    problem(client.get(f"/api/v1/jobs/{number}", headers=h["zed"]), 403)
    problem(client.post(f"/api/v1/jobs/{number}/status", json={"to": "diagnosing"}, headers=h["zed"]), 403)
    problem(client.post(f"/api/v1/jobs/{number}/assign", json={}, headers=h["alice"]), 403)

    # -- assign: {} takes the proposed engineer, {engineer: NAME} that one
    r = client.post(f"/api/v1/jobs/{number}/assign", json={}, headers=h["erin"])
    assert r.status_code == 200 and r.json["engineer"]
    r = client.post(f"/api/v1/jobs/{number}/assign", json={"engineer": "bob"}, headers=h["erin"])
    assert r.status_code == 200 and r.json["engineer"] == "bob" and r.json["number"] == number

    # -- status: 409 for a move the workflow forbids; the bench's steps
    def move(who, to, status=200):
        r = client.post(f"/api/v1/jobs/{number}/status", json={"to": to, "note": f"{who}: {to}"}, headers=h[who])
        if status != 200:
            return problem(r, status)
        assert r.status_code == 200, r.json
        assert r.json["status"] == to and r.json["number"] == number
        return r.json

    move("bob", "ready", 409)
    move("bob", "diagnosing")

    # -- parts: catalogue, receipt, requisition, issue (409 when short, nothing issued)
    part = {"sku": "PMIC-OT332", "name": "PMIC", "price": "80.00", "cost": "30.00",
            "compatible_models": ["One Touch 332"], "reorder_point": 2}
    problem(client.post("/api/v1/parts", json=part, headers=h["bob"]), 403)
    r = client.post("/api/v1/parts", json=part, headers=h["dave"])
    assert r.status_code == 201 and r.json["sku"] == "PMIC-OT332"

    def level():
        r = client.get("/api/v1/parts/PMIC-OT332", headers=h["bob"])
        assert r.status_code == 200 and r.json["sku"] == "PMIC-OT332" and r.json["reorder_point"] == 2
        return r.json["on_hand"], r.json["reserved"], r.json["available"]

    assert level() == (0, 0, 0)
    r = client.post("/api/v1/stock/receipts", json={"sku": "PMIC-OT332", "qty": 1, "note": "PO-1"}, headers=h["dave"])
    assert r.status_code == 201 and level() == (1, 0, 1)
    assert client.get("/api/v1/parts/PMIC-OT332", headers=h["zed"]).json["on_hand"] == 0  # caller's shelf

    r = client.post(f"/api/v1/jobs/{number}/requisitions", json={"lines": [{"sku": "PMIC-OT332", "qty": 2}]},
                    headers=h["bob"])
    assert r.status_code == 201 and r.json["status"] == "pending"
    rid = r.json["id"]
    assert [(line["sku"], line["qty"]) for line in r.json["lines"]] == [("PMIC-OT332", 2)]
    problem(client.post(f"/api/v1/requisitions/{rid}/issue", headers=h["bob"]), 403)
    problem(client.post(f"/api/v1/requisitions/{rid}/issue", headers=h["dave"]), 409)
    assert level() == (1, 0, 1)  # nothing issued
    client.post("/api/v1/stock/receipts", json={"sku": "PMIC-OT332", "qty": 1, "note": "PO-2"}, headers=h["dave"])
    r = client.post(f"/api/v1/requisitions/{rid}/issue", headers=h["dave"])
    assert r.status_code == 200 and r.json["status"] == "issued"
    assert is_utc(r.json["requested_at"]) and is_utc(r.json["issued_at"])
    assert level() == (0, 0, 0)

    # -- repaired, QC by another engineer, ready
    move("bob", "repairing")
    move("bob", "qc")
    move("bob", "ready", 403)  # not who repaired it
    move("carol", "ready")  # QC passed by another engineer

    # -- pickup: 403 with nothing changed when the digits are wrong; then collected
    pay = {"method": "cash", "amount": "0.00"}
    problem(client.post(f"/api/v1/jobs/{number}/pickup", json={"phone_last4": "1234", "payment": pay},
                        headers=h["alice"]), 403)
    assert client.get(f"/api/v1/jobs/{number}", headers=h["alice"]).json["status"] == "ready"
    r = client.post(f"/api/v1/jobs/{number}/pickup", json={"phone_last4": "8000", "payment": pay},
                    headers=h["alice"])
    assert r.status_code == 200 and r.json["status"] == "collected" and r.json["number"] == number
    assert is_utc(r.json["pickup"]["collected_at"])

    # -- the public status page: no sign-in, no personal data beyond the name's initial
    public = app.test_client()
    r = public.get(f"/track/{number}?phone_last4=8000")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert number in page and "王芳" not in page and "13800138000" not in page and "352099001761481" not in page
    assert public.get(f"/track/{number}?phone_last4=1234").status_code == 404

    # -- the history is the journey
    events = client.get(f"/api/v1/jobs/{number}", headers=h["erin"]).json["events"]
    path = [e["to_status"] for e in events if e["kind"] == "status"]
    assert set(path) <= STATUSES and path[0] == "received" and path[-3:] == ["qc", "ready", "collected"]

    # -- the whole contract is published as OpenAPI 3
    spec = client.get("/api/v1/openapi.json", headers=h["alice"]).json
    assert spec["openapi"].startswith("3.")
    assert [p for p in CONTRACT_PATHS if p not in spec["paths"]] == []


def test_api_times_are_utc_whatever_the_database_hands_back():
    shanghai = dt.datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # PostgreSQL, session zone
    naive = dt.datetime(2026, 11, 22, 2, 0)  # SQLite: stored as UTC, read back naive
    assert utc_iso(shanghai) == utc_iso(naive) == "2026-11-22T02:00:00+00:00"
    assert utc_iso(None) is None
