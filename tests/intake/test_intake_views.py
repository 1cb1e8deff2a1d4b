"""The intake screen through the test client: the form, errors beside their fields with
nothing typed lost, one job per filled-in form, and the job page's intake summary."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from models import Customer, Job, User, db
from workshop.intake.devices import blocked

NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _at_ten_in_shanghai(clock):
    """Every test here runs at NOW (conftest's clock)."""


def form_data(token="tok-1", **changes):
    data = {
        "intake_token": token, "service_point": "SZ01",
        "device_imei": "35 209900 176148 1", "device_colour": "black",
        "customer_phone": "13800138000", "customer_name": "王芳",
        "fault_category": "no_power", "fault_component": "handset", "fault_description": "dead after charging",
        "proof_kind": "invoice", "proof_number": "FP-88123", "proof_purchase_date": "2026-11-10",
        "proof_seller": "Huaqiangbei Mobile", "proof_imei": "352099001761481",
        "condition_seals_intact": "y", "condition_notes": "scratch on back", "accessories": ["sim_tray", "case"],
        "consent_data_disclaimer": "y", "consent_lock_removed": "y",
        "estimate_amount": "0.00", "estimate_ceiling": "300.00", "promised_by": "", "policy": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def job_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Job))


def test_intake_page(client, auth, staff):
    auth.login("receptionist")
    r = client.get("/intake")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="intake-form"' in html and 'name="intake_token"' in html
    assert re.search(r'name="intake_token"[^>]*value="[\w-]{20,}"', html)
    assert 'id="device_imei"' in html and "autofocus" in html
    assert "js/intake.js" in html and 'data-preview-url="/api/v1/intake/preview"' in html
    assert 'name="blocked_override_reason"' not in html  # only managers may override


def test_manager_sees_the_override_field(client, auth, staff):
    auth.login("manager")
    assert 'name="blocked_override_reason"' in client.get("/intake").get_data(as_text=True)


@pytest.mark.parametrize("role", ["engineer", "clerk", "admin"])
def test_only_the_desk_takes_handsets_in(client, auth, staff, role):
    auth.login(role)
    assert client.get("/intake").status_code == 403
    assert client.post("/intake", data=form_data()).status_code == 403


def test_take_in_and_land_on_the_job_page(app, client, auth, staff):
    auth.login("receptionist")
    r = client.post("/intake", data=form_data())
    # "Take in and print": the job page opens printing the tag label and the receipt.
    assert r.status_code == 302 and r.headers["Location"] == "/jobs/SZ01-000001?print=intake"
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "SZ01-000001 taken in" in page
    assert 'id="intake-summary"' in page and 'data-warranty-status="exchange_window"' in page
    assert "15-day exchange period" in page  # the reasons
    assert 'href="/jobs/SZ01-000001/ticket.pdf"' in page and 'href="/jobs/SZ01-000001/label.pdf"' in page
    assert "scratch on back" in page and "SIM tray, Case" in page and "300.00" in page
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert job.accessories == ["sim_tray", "case"] and job.seals_intact and job.customer.phone == "+8613800138000"


def test_job_page_says_the_warranty_reasons_in_chinese(app, client, auth, staff):
    auth.login("receptionist")
    number = client.post("/intake", data=form_data()).headers["Location"]
    page = client.get(number, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    reasons = page[page.index('id="warranty-reasons"'):]
    reasons = reasons[:reasons.index("</ul>")]
    assert "购于 2026-11-10；在 15日换货期内（至 2026-11-25）：可免费换货或维修。" in reasons
    assert "15-day exchange period" not in reasons
    # A job taken in before the reasons were kept as codes shows its English sentences.
    with app.app_context():
        job = db.session.scalar(select(Job))
        job.warranty_reason_codes, job.warranty_reason_args = [], []
        db.session.commit()
    page = client.get(number, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Purchased 2026-11-10; within the 15-day exchange period (until 2026-11-25)" in page


def test_submitting_twice_creates_one_job(app, client, auth, staff):
    auth.login("receptionist")
    first = client.post("/intake", data=form_data(token="same-form"))
    second = client.post("/intake", data=form_data(token="same-form"))
    assert first.headers["Location"] == "/jobs/SZ01-000001?print=intake"
    assert second.headers["Location"] == "/jobs/SZ01-000001"  # the replay does not print again
    assert "already submitted" in client.get(second.headers["Location"]).get_data(as_text=True)
    assert job_count(app) == 1
    third = client.post("/intake", data=form_data(token="next-form", device_imei="356938035643809",
                                                  proof_imei="356938035643809"))
    assert third.headers["Location"] == "/jobs/SZ01-000002?print=intake"


def test_errors_beside_fields_and_nothing_lost(app, client, auth, staff):
    auth.login("receptionist")
    r = client.post("/intake", data=form_data(device_imei="35 209900 176148 2", customer_phone="12",
                                              customer_email="nope@", estimate_ceiling="-3",
                                              accessories=["sim_tray"], condition_seals_intact=None))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for name in ("device_imei", "customer_phone", "customer_email", "estimate_ceiling"):
        assert f'data-error-for="{name}"' in html, name
        assert re.search(rf'id="{name}"[^>]*is-invalid|class="[^"]*is-invalid[^"]*"[^>]*id="{name}"', html), name
    assert "should be 1, not 2" in html
    assert 'id="form-errors"' in html and 'href="#device_imei"' in html
    # What was typed comes back.
    assert 'value="35 209900 176148 2"' in html and 'value="王芳"' in html and 'value="FP-88123"' in html
    assert re.search(r'<input[^>]*checked[^>]*value="sim_tray"|<input[^>]*value="sim_tray"[^>]*checked', html)
    assert not re.search(r'id="condition_seals_intact"[^>]*checked', html)
    assert "dead after charging" in html and 'value="tok-1"' in html
    assert job_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    # Corrected and sent again with the same token: one job.
    r = client.post("/intake", data=form_data())
    assert r.status_code == 302 and job_count(app) == 1


def test_blocked_imei_on_the_form(app, client, auth, staff):
    with app.app_context():
        blocked.add(db.session.get(User, staff["manager"]), "352099001761481", reason="stolen", reference="PSB-9")
        db.session.commit()
    auth.login("receptionist")
    r = client.post("/intake", data=form_data())
    assert r.status_code == 422 and "blocked register" in r.get_data(as_text=True)
    auth.logout()
    auth.login("manager")
    r = client.post("/intake", data=form_data(token="m-1", blocked_override_reason="recovered; report PSB-9 closed"))
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="blocked-override"' in page and "recovered; report PSB-9 closed" in page


def test_dashboard_and_navigation(client, auth, staff):
    auth.login("receptionist")
    home = client.get("/").get_data(as_text=True)
    assert 'data-nav="intake.new"' in home and 'id="card-intake"' in home
    assert "/devices/blocked" not in home
    auth.logout()
    auth.login("manager")
    home = client.get("/").get_data(as_text=True)
    assert "/devices/blocked" in home and "/devices/tac" in home
    auth.logout()
    auth.login("engineer")
    assert 'data-nav="intake.new"' not in client.get("/").get_data(as_text=True)
