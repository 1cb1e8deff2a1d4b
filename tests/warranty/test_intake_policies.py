"""Warranty policies as data: the presets in the table, which policy applies where,
validation through the policy engine, the admin pages and the demo data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, ServicePoint, User, ValidationError, WarrantyPolicy, db
from workshop.demo import seed as demo
from workshop.intake.devices import tac
from workshop.warranty import policies
from workshop.warranty.engine import EU24, SANBAO


@pytest.fixture
def admin(app, staff):
    with app.app_context():
        yield db.session.get(User, staff["admin"])


def sp(code):
    return db.session.scalar(select(ServicePoint).where(ServicePoint.code == code))


def test_presets_are_stored_as_data(admin):
    assert policies.seed_presets(admin) == ["sanbao", "eu24"]
    assert policies.seed_presets(admin) == []
    sanbao, eu24 = policies.get("sanbao"), policies.get("eu24")
    assert sanbao.chain_default and not eu24.chain_default
    assert policies.terms_of(sanbao) == SANBAO and policies.terms_of(eu24) == EU24
    assert sanbao.terms["component_months"] == {"handset": 12, "battery": 6, "charger": 12, "wired_headset": 3}
    assert policies.applicable(sp("SZ01")).policy.code == "sanbao"
    assert policies.applicable(sp("SZ01")).note is None


def test_fallback_and_explicit_presets_before_any_policy_exists(admin):
    applied = policies.applicable(sp("SZ01"))
    assert applied.policy is None and applied.terms == SANBAO and applied.note == policies.FALLBACK_NOTE
    assert policies.applicable(sp("SZ01"), "eu24").terms == EU24
    with pytest.raises(ValidationError):
        policies.applicable(sp("SZ01"), "brand-x")


def test_service_point_default_beats_the_chain_default(admin):
    policies.seed_presets(admin)
    eu24 = policies.get("eu24")
    policies.save(admin, policies.terms_of(eu24).as_mapping(), policy=eu24, service_point_ids=[sp("OT01").id])
    assert policies.applicable(sp("OT01")).code == "eu24"
    assert policies.applicable(sp("SZ01")).code == "sanbao"
    # Moving the chain default.
    policies.save(admin, policies.terms_of(eu24).as_mapping(), policy=eu24, chain_default=True,
                  service_point_ids=[sp("OT01").id])
    db.session.commit()
    assert not policies.get("sanbao").chain_default and policies.applicable(sp("SZ01")).code == "eu24"


def test_save_validates_each_term_beside_its_field(admin):
    data = SANBAO.as_mapping() | {"code": "Brand X!", "name": "", "return_days": "seven", "exchange_days": 3,
                                  "promise_days": None, "component_months": {"handset": 0, "battery": "six",
                                                                             "charger": 12, "wired_headset": 9999}}
    with pytest.raises(ValidationError) as info:
        policies.save(admin, data)
    assert set(info.value.errors) == {"code", "name", "return_days", "promise_days", "component_months.handset",
                                      "component_months.battery", "component_months.wired_headset"}
    data = SANBAO.as_mapping() | {"code": "brand-x", "name": "Brand X", "return_days": 10, "exchange_days": 5}
    with pytest.raises(ValidationError) as info:
        policies.save(admin, data)
    assert set(info.value.errors) == {"exchange_days"}
    policies.seed_presets(admin)
    with pytest.raises(ValidationError) as info:
        policies.save(admin, SANBAO.as_mapping())
    assert "already exists" in info.value.errors["code"][0]
    with pytest.raises(ValidationError) as info:
        policies.save(admin, SANBAO.as_mapping() | {"code": "off"}, chain_default=True, active=False)
    assert "active" in info.value.errors
    with pytest.raises(ValidationError) as info:
        policies.save(admin, SANBAO.as_mapping() | {"code": "brand-y"}, service_point_ids=[999999])
    assert set(info.value.errors) == {"service_points"}
    assert db.session.scalar(select(WarrantyPolicy).where(WarrantyPolicy.code.in_(["brand-x", "brand-y"]))) is None


def test_a_brand_policy_as_data(admin):
    data = SANBAO.as_mapping() | {"code": "brand-x", "name": "Brand X 18 months", "return_days": None,
                                  "exchange_days": 30, "promise_days": 3,
                                  "component_months": {"handset": 18, "battery": 12, "charger": 12,
                                                       "wired_headset": 6}}
    policy = policies.save(admin, data, service_point_ids=[sp("SZ01").id])
    db.session.commit()
    terms = policies.applicable(sp("SZ01")).terms
    assert terms.code == "brand-x" and terms.return_days is None and terms.promise_days == 3
    assert terms.component_months["handset"] == 18
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "policy.create"))
    assert row.subject_id == str(policy.id) and row.details["terms"]["exchange_days"] == 30


# -- admin pages -----------------------------------------------------------------------------------


def policy_form(**changes):
    data = {"code": "brand-x", "name": "Brand X", "return_days": "", "exchange_days": "30",
            "component_months_handset": "18", "component_months_battery": "12", "component_months_charger": "12",
            "component_months_wired_headset": "6", "proof_required": "y", "promise_days": "5",
            "loaner_after_days": "7", "exchange_after_days": "30", "repair_warranty_days": "90",
            "repeat_fault_exchange_after": "2", "active": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_lists_creates_and_edits_policies(app, client, auth, staff):
    auth.login("admin")
    page = client.get("/admin/warranty-policies").get_data(as_text=True)
    assert 'id="policy-fallback"' in page  # nothing stored yet
    form = client.get("/admin/warranty-policies/new").get_data(as_text=True)
    assert 'name="component_months_battery"' in form and 'value="6"' in form  # 三包 values to start from
    with app.app_context():
        other_sp = sp("OT01").id
    r = client.post("/admin/warranty-policies/new", data=policy_form(service_points=[str(other_sp)]))
    assert r.status_code == 302
    page = client.get("/admin/warranty-policies").get_data(as_text=True)
    assert 'data-code="brand-x"' in page and "18 / 12 / 12 / 6" in page and "OT01" in page
    with app.app_context():
        policy_id = policies.get("brand-x").id
    r = client.post(f"/admin/warranty-policies/{policy_id}", data=policy_form(
        code="renamed", name="Brand X (2027)", exchange_days="45", chain_default="y"))
    assert r.status_code == 302
    with app.app_context():
        policy = db.session.get(WarrantyPolicy, policy_id)
        assert policy.code == "brand-x" and policy.name == "Brand X (2027)"  # the code never changes
        assert policy.terms["exchange_days"] == 45 and policy.chain_default
        assert policy.service_points == []  # none selected this time


def test_admin_form_errors_beside_fields(client, auth, staff):
    auth.login("admin")
    r = client.post("/admin/warranty-policies/new", data=policy_form(
        code="X X", return_days="20", exchange_days="10", component_months_handset="0", promise_days=""))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for name in ("code", "exchange_days", "component_months_handset", "promise_days"):
        assert f'data-error-for="{name}"' in html, name
    assert 'value="20"' in html  # nothing typed is lost


@pytest.mark.parametrize("role", ["receptionist", "engineer", "clerk", "manager"])
def test_only_admins_edit_policies(client, auth, staff, role):
    auth.login(role)
    assert client.get("/admin/warranty-policies").status_code == 403
    assert client.post("/admin/warranty-policies/new", data=policy_form()).status_code == 403


# -- demo data ---------------------------------------------------------------------------------------


def test_seed_demo_brings_policies_tac_table_and_a_blocked_imei(app, runner):
    r = runner.invoke(args=["seed-demo"])
    assert r.exit_code == 0, r.output
    assert "Warranty policies: sanbao, eu24" in r.output and "TAC table from tacdb.csv" in r.output
    with app.app_context():
        assert policies.get("sanbao").chain_default and policies.get("eu24") is not None
        assert tac.count() > 22000
    r = runner.invoke(args=["seed-demo"])
    assert r.exit_code == 0 and "TAC table" not in r.output
    with app.app_context():
        assert len(policies.all_policies()) == 2
        assert demo.is_empty() is False
