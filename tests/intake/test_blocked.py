"""The register of blocked IMEIs: the service and the manager's page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, BlockedImei, NotFound, User, ValidationError, db
from workshop.intake.devices import blocked

IMEI = "352099001761481"


@pytest.fixture
def manager(app, staff):
    with app.app_context():
        yield db.session.get(User, staff["manager"])


def test_add_normalises_and_audits(manager):
    entry = blocked.add(manager, "35-209900-176148-1", reason="stolen", reference=" PSB-77 ", note="from owner")
    db.session.commit()
    assert (entry.imei, entry.reason, entry.reference, entry.active) == (IMEI, "stolen", "PSB-77", True)
    assert entry.service_point_id == manager.service_point_id and entry.created_by_id == manager.id
    assert blocked.is_blocked(IMEI) and not blocked.is_blocked("356938035643809")
    assert [e.imei for e in blocked.active_entries(["35 209900 176148 1", None, ""])] == [IMEI]
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "blocked.add"))
    assert row.actor_id == manager.id and row.details == {"imei": IMEI, "reason": "stolen", "reference": "PSB-77"}


def test_add_refuses_bad_input_with_every_error(manager):
    with pytest.raises(ValidationError) as info:
        blocked.add(manager, "3520990017614810", reason="borrowed", reference="x" * 121)
    errors = info.value.errors
    assert set(errors) == {"imei", "reason", "reference"}
    assert "Did you mean 352099001761481?" in errors["imei"][0]
    blocked.add(manager, IMEI, reason="lost")
    with pytest.raises(ValidationError, match="not blocked") as info:
        blocked.add(manager, IMEI, reason="stolen")
    assert "already on the blocked register" in info.value.errors["imei"][0]


def test_lift_keeps_history_and_allows_blocking_again(manager):
    entry = blocked.add(manager, IMEI, reason="lost")
    with pytest.raises(ValidationError) as info:
        blocked.lift(manager, entry.id, reason="  ")
    assert "lift_reason" in info.value.errors
    blocked.lift(manager, entry.id, reason="Found by the owner")
    db.session.commit()
    assert not blocked.is_blocked(IMEI) and entry.lifted_by_id == manager.id
    with pytest.raises(ValidationError, match="not lifted"):
        blocked.lift(manager, entry.id, reason="again")
    with pytest.raises(NotFound):
        blocked.lift(manager, 999999, reason="x")
    again = blocked.add(manager, IMEI, reason="stolen")
    db.session.commit()
    assert again.id != entry.id and blocked.is_blocked(IMEI)
    assert [e.id for e in blocked.entries()] == [again.id]
    assert [e.id for e in blocked.entries(include_lifted=True)] == [again.id, entry.id]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "blocked.lift")).details["reason"] == \
        "Found by the owner"


def test_one_active_entry_per_imei_is_enforced_by_the_database(manager):
    db.session.add_all([BlockedImei(imei=IMEI, reason="lost"), BlockedImei(imei=IMEI, reason="stolen")])
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_manager_page_add_and_lift(app, client, auth, staff):
    auth.login("manager")
    r = client.post("/devices/blocked", data={"imei": "35 209900 176148 1", "reason": "stolen",
                                               "reference": "PSB-77", "note": ""})
    assert r.status_code == 302
    page = client.get("/devices/blocked").get_data(as_text=True)
    assert f'data-imei="{IMEI}"' in page and "PSB-77" in page
    with app.app_context():
        entry_id = db.session.scalar(select(BlockedImei.id))
    r = client.post(f"/devices/blocked/{entry_id}/lift", data={"lift_reason": ""}, follow_redirects=True)
    assert "Say why" in r.get_data(as_text=True)
    r = client.post(f"/devices/blocked/{entry_id}/lift", data={"lift_reason": "Recovered"}, follow_redirects=True)
    assert "no longer blocked" in r.get_data(as_text=True)
    assert f'data-imei="{IMEI}"' not in client.get("/devices/blocked").get_data(as_text=True)
    assert "Recovered" in client.get("/devices/blocked?lifted=1").get_data(as_text=True)
    assert client.post("/devices/blocked/999999/lift", data={"lift_reason": "x"}).status_code == 404


def test_manager_page_errors_beside_fields(client, auth, staff):
    auth.login("manager")
    r = client.post("/devices/blocked", data={"imei": "12345", "reason": "stolen"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'data-error-for="imei"' in html and "15 digits" in html and 'value="12345"' in html


@pytest.mark.parametrize("role", ["receptionist", "engineer", "clerk", "admin"])
def test_only_managers_manage_the_register(client, auth, staff, role):
    auth.login(role)
    assert client.get("/devices/blocked").status_code == 403
    assert client.post("/devices/blocked", data={"imei": IMEI, "reason": "lost"}).status_code == 403
