"""Front-desk intake through its service: validation (every error at once, nothing
written), customers, the TAC table, the blocked register, history and re-repair,
the warranty decision and the promise date on the service point's local date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Customer, Job, JobEvent, TacEntry, ValidationError, db
from tests import factories
from workshop.intake import take_in as intake_service
from workshop.intake.devices import blocked
from workshop.intake.take_in import IntakeRequest
from workshop.warranty import policies

IMEI = "352099001761481"  # TAC 35209900
IMEI_2 = "356938035643809"  # TAC 35693803
# 10:00 in Shanghai on 2026-11-22.
NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def ctx(people, clock):
    return people


def req(**overrides) -> IntakeRequest:
    """A complete, valid intake: invoice with the handset's IMEI, bought 30 days ago."""
    values = {
        "customer_name": "王芳", "customer_phone": "13800138000", "imei": IMEI, "colour": "black",
        "proof_kind": "invoice", "proof_number": "FP-88123", "purchase_date": TODAY - dt.timedelta(days=30),
        "proof_seller": "Huaqiangbei Mobile", "proof_imei": IMEI, "fault_category": "no_power",
        "fault_description": "dead after charging", "component": "handset", "accessories": ["sim_tray"],
        "data_disclaimer": True, "lock_removed": True, "estimate_amount": "0.00", "estimate_ceiling": "300.00",
    }
    values.update(overrides)
    return IntakeRequest(**values)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def errors_of(actor, request) -> dict[str, list[str]]:
    """The refusal's field errors; the session is left as it was (nothing was flushed)."""
    with pytest.raises(ValidationError) as info:
        intake_service.take_in(actor, request)
    return info.value.errors


# -- a complete intake ------------------------------------------------------------------


def test_take_in_creates_the_job_customer_and_first_event(ctx):
    reception = ctx["receptionist"]
    job = intake_service.take_in(reception, req())
    db.session.commit()

    assert job.number == "SZ01-000001" and job.status == "received" and job.location == "front_desk"
    assert job.received_on == TODAY and job.promised_by == TODAY + dt.timedelta(days=7)
    assert job.customer.phone == "+8613800138000" and job.customer.name == "王芳"
    assert job.imei == IMEI and job.colour == "black"
    assert (job.proof_kind, job.proof_number, job.proof_imei) == ("invoice", "FP-88123", IMEI)
    assert job.accessories == ["sim_tray"] and job.data_disclaimer_accepted and job.lock_removed
    assert job.estimate_amount == Decimal("0.00") and job.estimate_ceiling == Decimal("300.00")
    # Bought 30 days ago: the 15-day exchange window is over, the 12-month warranty is not.
    assert job.warranty_policy == "sanbao" and job.warranty_status == "in_warranty"
    assert job.warranty_chargeable is False and job.warranty_remedies == ["repair"]
    assert job.warranty_ends_on == dt.date(2027, 10, 23)
    assert any("within the handset warranty" in r for r in job.warranty_reasons)
    # ...and as codes with the values they were made from, to be said in Chinese too.
    assert job.warranty_reason_codes == ["in_warranty"]
    assert job.warranty_reason_args == [{"purchased": "2026-10-23", "component": "handset", "months": 12,
                                         "until": "2027-10-23", "extended_days": 0}]

    [event] = job.events
    assert (event.kind, event.from_status, event.to_status) == ("status", None, "received")
    assert event.actor_id == reception.id and event.data["intake"] is True
    assert event.data["warranty"]["status"] == "in_warranty"
    created = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer.create"))
    assert created.subject_id == str(job.customer_id) and created.actor_id == reception.id


def _close(job):
    """Collect ``job`` directly: a handset with an open job is not taken in again."""
    job.status, job.closed_at = "collected", NOW
    db.session.flush()
    return job


def test_the_customer_is_found_again_by_phone(ctx):
    reception = ctx["receptionist"]
    first = _close(intake_service.take_in(reception, req()))
    # A different name for a known phone is not taken as a change unless ticked (issue 14).
    with pytest.raises(ValidationError) as exc:
        intake_service.take_in(reception, req(customer_phone="+86 138-0013-8000", customer_name="王芳芳"))
    assert "王芳" in exc.value.errors["customer.name"][0]
    second = intake_service.take_in(reception, req(customer_phone="+86 138-0013-8000", customer_name="王芳芳",
                                                   customer_email="Wang.Fang@Example.com", customer_update=True))
    db.session.commit()
    assert second.customer_id == first.customer_id and count(Customer) == 1
    assert second.customer.name == "王芳芳" and second.customer.email == "Wang.Fang@example.com"
    update = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer.update"))
    assert update.details["name"] == ["王芳", "王芳芳"]
    assert second.number == "SZ01-000002"
    # Each job keeps the name it was taken in (and its receipts printed) with.
    assert (first.customer_name, second.customer_name) == ("王芳", "王芳芳")


def test_customers_are_per_service_point(ctx):
    # (The first job is closed: a handset with an open job anywhere is not taken in again.)
    _close(intake_service.take_in(ctx["receptionist"], req()))
    intake_service.take_in(ctx["other_manager"], req())
    db.session.commit()
    assert count(Customer) == 2


def test_phone_region_is_configurable(app, ctx):
    app.config["WORKSHOP_PHONE_REGION"] = "DE"
    job = intake_service.take_in(ctx["receptionist"], req(customer_phone="030 123456"))
    assert job.customer.phone == "+4930123456"


# -- every error at once, nothing written ---------------------------------------------------


def test_every_field_error_at_once_and_nothing_written(ctx):
    bad = req(customer_name=" ", customer_phone="12345", customer_email="not-an-email", imei="352099001761482",
              imei2="35209900176148", proof_kind="receipt", fault_category="broken", component="screen",
              accessories=["sim_tray", "umbrella"], estimate_amount="-5", estimate_ceiling="abc",
              promised_by=TODAY - dt.timedelta(days=1), colour="x" * 41)
    errors = errors_of(ctx["receptionist"], bad)
    assert set(errors) == {
        "customer.name", "customer.phone", "customer.email", "device.imei", "device.imei2", "device.colour",
        "proof.kind", "fault.category", "fault.component", "accessories", "estimate.amount", "estimate.ceiling",
        "promised_by",
    }
    assert "should be 1, not 2" in errors["device.imei"][0]
    assert "umbrella" in errors["accessories"][0]
    assert count(Job) == count(Customer) == count(JobEvent) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.like("customer.%"))) == 0


def test_a_handset_needs_an_imei_or_a_serial_number(ctx):
    errors = errors_of(ctx["receptionist"], req(imei=None, proof_imei=None))
    assert "serial number" in errors["device.imei"][0]


def test_serial_number_for_a_device_without_imei(ctx):
    job = intake_service.take_in(ctx["receptionist"], req(imei=None, proof_imei=None, serial_number=" dmp q1 x7 ",
                                                          brand="Apple", model="iPad (Wi-Fi)"))
    assert job.imei is None and job.serial_number == "DMPQ1X7" and not job.tac_known
    assert job.brand == "Apple" and "handset_without_imei" not in job.warranty_reasons
    assert job.warranty_status == "in_warranty"


@pytest.mark.parametrize(("value", "message"), [
    ("3520990017614810", "IMEISV"),
    ("35209900176148", "without its check digit"),
    ("A0000000002329", "MEID"),
    ("000000000000000", "all zeros"),
])
def test_other_identifiers_are_explained_not_accepted(ctx, value, message):
    errors = errors_of(ctx["receptionist"], req(imei=value))
    assert message in errors["device.imei"][0]


def test_dual_sim_second_imei(ctx):
    job = intake_service.take_in(ctx["receptionist"], req(imei2=IMEI_2, proof_imei=IMEI_2))
    assert job.imei2 == IMEI_2 and job.warranty_status == "in_warranty"  # the proof may carry either IMEI
    errors = errors_of(ctx["receptionist"], req(imei2="35 209900 176148 1"))
    assert "same as the first" in errors["device.imei2"][0]


@pytest.mark.parametrize(("purchase_offset", "ok"), [(0, True), (-1, False)])
def test_purchase_date_today_is_fine_tomorrow_is_not(ctx, purchase_offset, ok):
    request = req(purchase_date=TODAY + dt.timedelta(days=-purchase_offset))
    if ok:
        assert intake_service.take_in(ctx["receptionist"], request).warranty_status == "return_window"
    else:
        assert "after today" in errors_of(ctx["receptionist"], request)["proof.purchase_date"][0]


@pytest.mark.parametrize(("amount", "ceiling", "error"), [
    ("120.00", "120.00", None),
    ("120", "119.99", "estimate.ceiling"),
    ("12.345", None, "estimate.amount"),
    ("100000000", None, "estimate.amount"),
    (None, None, None),
])
def test_estimate_and_ceiling(ctx, amount, ceiling, error):
    request = req(estimate_amount=amount, estimate_ceiling=ceiling)
    if error is None:
        job = intake_service.take_in(ctx["receptionist"], request)
        assert job.estimate_amount == Decimal(amount or "0.00")
    else:
        assert set(errors_of(ctx["receptionist"], request)) == {error}


@pytest.mark.parametrize(("days", "ok"), [(0, True), (365, True), (366, False), (-1, False)])
def test_promised_date_is_editable_within_bounds(ctx, days, ok):
    request = req(promised_by=TODAY + dt.timedelta(days=days))
    if ok:
        assert intake_service.take_in(ctx["receptionist"], request).promised_by == TODAY + dt.timedelta(days=days)
    else:
        assert "promised_by" in errors_of(ctx["receptionist"], request)


def test_other_fault_needs_a_description(ctx):
    errors = errors_of(ctx["receptionist"], req(fault_category="other", fault_description=" "))
    assert set(errors) == {"fault.description"}


# -- local dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(("now", "timezone", "received_on"), [
    (dt.datetime(2026, 11, 21, 16, 0, tzinfo=dt.UTC), "Asia/Shanghai", dt.date(2026, 11, 22)),  # 00:00 local
    (dt.datetime(2026, 11, 21, 15, 59, tzinfo=dt.UTC), "Asia/Shanghai", dt.date(2026, 11, 21)),
    (dt.datetime(2026, 11, 21, 16, 0, tzinfo=dt.UTC), "UTC", dt.date(2026, 11, 21)),
    (dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC), "America/Los_Angeles", dt.date(2026, 11, 21)),
])
def test_received_and_promised_dates_are_the_service_points_local_dates(ctx, clock, now, timezone, received_on):
    clock(now)
    ctx["receptionist"].service_point.timezone = timezone
    job = intake_service.take_in(ctx["receptionist"], req(purchase_date=received_on - dt.timedelta(days=7)))
    assert job.received_on == received_on and job.promised_by == received_on + dt.timedelta(days=7)
    # Day 7 after purchase on the local calendar: still within the return period.
    assert job.warranty_status == "return_window"


@pytest.mark.parametrize(("days_since_purchase", "status", "remedies"), [
    (7, "return_window", ["refund", "exchange", "repair"]),
    (8, "exchange_window", ["exchange", "repair"]),
    (15, "exchange_window", ["exchange", "repair"]),
    (16, "in_warranty", ["repair"]),
])
def test_handset_windows_from_the_local_date(ctx, clock, days_since_purchase, status, remedies):
    clock(dt.datetime(2026, 11, 21, 16, 30, tzinfo=dt.UTC))  # 00:30 on the 22nd in Shanghai
    job = intake_service.take_in(ctx["receptionist"], req(purchase_date=TODAY - dt.timedelta(days=days_since_purchase)))
    assert (job.warranty_status, job.warranty_remedies) == (status, remedies)


def test_component_warranty_last_day_and_day_after(ctx):
    # Battery: 6 months. Bought 2026-05-22: the last free day is 2026-11-22 (today).
    job = _close(intake_service.take_in(ctx["receptionist"], req(component="battery",
                                                                 purchase_date=dt.date(2026, 5, 22))))
    assert job.warranty_status == "in_warranty" and job.warranty_ends_on == TODAY
    job = intake_service.take_in(ctx["receptionist"], req(component="battery", purchase_date=dt.date(2026, 5, 21)))
    assert job.warranty_status == "expired" and job.warranty_chargeable


# -- proof and condition ----------------------------------------------------------------------


def test_proof_with_another_imei_is_no_proof(ctx):
    job = intake_service.take_in(ctx["receptionist"], req(proof_imei=IMEI_2))
    assert job.warranty_status == "no_proof" and job.warranty_chargeable
    assert any("does not match" in r for r in job.warranty_reasons)


def test_proof_imei_given_as_imeisv_is_read_as_its_imei(ctx):
    job = intake_service.take_in(ctx["receptionist"], req(proof_imei="3520990017614801"))
    assert job.proof_imei == IMEI and job.warranty_status == "in_warranty"


def test_no_proof_is_chargeable_and_proof_fields_are_dropped(ctx):
    job = intake_service.take_in(ctx["receptionist"], req(proof_kind=None, proof_number="ignored"))
    assert job.proof_kind is None and job.proof_number is None and job.purchase_date is None
    assert job.warranty_status == "no_proof" and job.warranty_chargeable


def test_every_void_cause_is_recorded_and_listed(ctx):
    job = intake_service.take_in(ctx["receptionist"], req(
        liquid_damage=True, physical_damage=True, seals_intact=False, unauthorised_repair=True,
        documents_altered=True, condition_notes="back glass cracked\nwater marks"))
    assert job.warranty_status == "void" and job.warranty_chargeable and job.warranty_remedies == []
    assert len(job.warranty_reasons) >= 5
    assert (job.liquid_damage, job.physical_damage, job.seals_intact) == (True, True, False)
    assert job.condition_notes == "back glass cracked\nwater marks"


# -- TAC table ---------------------------------------------------------------------------------


def test_brand_and_model_from_the_tac_table_unknown_tac_flagged(ctx):
    db.session.add(TacEntry(tac="35209900", brand="Alcatel", model="One Touch 332"))
    known = _close(intake_service.take_in(ctx["receptionist"], req()))
    assert (known.brand, known.model, known.tac_known) == ("Alcatel", "One Touch 332", True)
    typed = intake_service.take_in(ctx["receptionist"], req(brand="TCL", model="OT-332"))
    assert (typed.brand, typed.model, typed.tac_known) == ("TCL", "OT-332", True)
    unknown = intake_service.take_in(ctx["receptionist"], req(imei=IMEI_2, proof_imei=IMEI_2))
    assert unknown.tac_known is False and unknown.brand == ""


# -- blocked register ----------------------------------------------------------------------------


def test_blocked_imei_stops_intake(ctx):
    blocked.add(ctx["manager"], IMEI, reason="stolen", reference="PSB-2026-77")
    errors = errors_of(ctx["receptionist"], req())
    assert "blocked register" in errors["device.imei"][0] and "PSB-2026-77" in errors["device.imei"][0]
    errors = errors_of(ctx["receptionist"], req(blocked_override_reason="customer insists"))
    assert errors["blocked_override_reason"] == ["Only a manager can override the blocked register."]
    assert "device.imei" in errors
    assert "device.imei" in errors_of(ctx["manager"], req())  # a manager needs a reason too
    assert count(Job) == 0


def test_blocked_second_imei_stops_intake_too(ctx):
    blocked.add(ctx["manager"], IMEI_2, reason="lost")
    assert "device.imei" in errors_of(ctx["receptionist"], req(imei2=IMEI_2))


def test_manager_override_is_recorded(ctx):
    manager = ctx["manager"]
    blocked.add(manager, IMEI, reason="stolen")
    job = intake_service.take_in(manager, req(blocked_override_reason="Owner showed police report of recovery"))
    db.session.commit()
    assert job.blocked_override_reason == "Owner showed police report of recovery"
    assert "manager's override" in job.events[0].note and job.events[0].data["blocked_override"][0]["imei"] == IMEI
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "job.blocked_override"))
    assert row.actor_id == manager.id and row.details["reason"] == job.blocked_override_reason
    assert row.details["imeis"] == [IMEI]


def test_override_reason_without_a_block_is_not_stored(ctx):
    job = intake_service.take_in(ctx["manager"], req(blocked_override_reason="just in case"))
    assert job.blocked_override_reason is None


# -- history and re-repair -----------------------------------------------------------------------


def _earlier(sp, receptionist, customer, *, repair_warranty_ends_on=None, closed_at=None, **kw):
    values = {"status": "collected" if closed_at else "received", "closed_at": closed_at,
              "repair_warranty_ends_on": repair_warranty_ends_on}
    values.update(kw)
    return factories.job(sp, created_by=receptionist, customer=customer, **values)


@pytest.mark.parametrize(("ends_offset", "rerepair"), [(0, True), (30, True), (-1, False)])
def test_rerepair_within_our_repair_warranty_is_free(ctx, ends_offset, rerepair):
    reception = ctx["receptionist"]
    sp = reception.service_point
    customer = factories.customer(sp)
    earlier = _earlier(sp, reception, customer, received_on=TODAY - dt.timedelta(days=100),
                       closed_at=NOW - dt.timedelta(days=80),
                       repair_warranty_ends_on=TODAY + dt.timedelta(days=ends_offset))
    job = intake_service.take_in(reception, req(proof_kind=None))  # no receipt this time
    if rerepair:
        assert job.rerepair_of_id == earlier.id and job.warranty_chargeable is False
        assert job.warranty_status == "no_proof" and job.warranty_remedies == ["repair"]
        assert any("repair warranty" in r for r in job.warranty_reasons)
        assert earlier.number in job.events[0].note
    else:
        assert job.rerepair_of_id is None and job.warranty_chargeable is True


def test_rerepair_is_void_with_new_damage(ctx):
    reception = ctx["receptionist"]
    sp = reception.service_point
    _earlier(sp, reception, factories.customer(sp), closed_at=NOW - dt.timedelta(days=10),
             repair_warranty_ends_on=TODAY + dt.timedelta(days=80))
    job = intake_service.take_in(reception, req(liquid_damage=True))
    assert job.rerepair_of_id is not None and job.warranty_chargeable and job.warranty_status == "void"


def test_days_in_our_workshop_extend_the_warranty_and_repeat_faults_allow_exchange(ctx):
    reception, engineer = ctx["receptionist"], ctx["engineer"]
    sp = reception.service_point
    customer = factories.customer(sp)
    purchased = dt.date(2025, 11, 20)  # handset warranty ends 2026-11-20: two days ago
    for received in (dt.date(2026, 3, 1), dt.date(2026, 6, 1)):
        earlier = _earlier(sp, reception, customer, received_on=received, purchase_date=purchased,
                           closed_at=NOW - dt.timedelta(days=100), repair_warranty_ends_on=dt.date(2026, 9, 1),
                           warranty_status="in_warranty", warranty_chargeable=False)
        ready = earlier.add_event("status", engineer, from_status="qc", to_status="ready")
        ready.at = dt.datetime.combine(received + dt.timedelta(days=5), dt.time(4, 0), tzinfo=dt.UTC)
    # Same handset, different purchase: not this warranty's days.
    _earlier(sp, reception, customer, received_on=dt.date(2025, 1, 5), purchase_date=dt.date(2024, 12, 1),
             closed_at=NOW - dt.timedelta(days=300), warranty_status="in_warranty", warranty_chargeable=False)
    db.session.flush()

    preview = intake_service.preview(reception, req(purchase_date=purchased))
    assert preview["extension_days"] == 10 and preview["prior_repairs_same_fault"] == 2
    job = _close(intake_service.take_in(reception, req(purchase_date=purchased)))
    assert job.warranty_ends_on == dt.date(2026, 11, 30)
    assert job.warranty_status == "in_warranty" and job.warranty_remedies == ["exchange", "repair"]
    other_fault = intake_service.take_in(reception, req(purchase_date=purchased, fault_category="camera"))
    assert other_fault.warranty_remedies == ["repair"]


def test_history_and_rerepair_span_the_chain_without_customer_data(ctx):
    # Issue 14: a handset repaired at one point and back at another within the repair
    # warranty is a re-repair; the history shows the other point's job numbers, dates
    # and status, never its customer.
    reception, other = ctx["receptionist"], ctx["other_manager"]
    stranger = factories.customer(other.service_point, name="李四", phone="+8613900139000")
    elsewhere = _earlier(other.service_point, other, stranger,
                         closed_at=NOW - dt.timedelta(days=3), repair_warranty_ends_on=TODAY + dt.timedelta(days=87))
    assert intake_service.lookup_imei(other, IMEI)["jobs"] == [elsewhere.number]
    seen = intake_service.lookup_imei(reception, IMEI)
    assert seen["jobs"] == [elsewhere.number] and seen["rerepair_of"]["number"] == elsewhere.number
    (item,) = seen["history"]
    assert item["service_point"] == other.service_point.code and item["status"] == "collected"
    assert item["received_on"] == elsewhere.received_on.isoformat() and item["closed_on"]
    assert "李四" not in repr(seen) and "13900139000" not in repr(seen)
    job = intake_service.take_in(reception, req())
    assert job.rerepair_of_id == elsewhere.id and job.warranty_chargeable is False


def test_an_open_job_at_another_point_blocks_intake_too(ctx):
    reception, other = ctx["receptionist"], ctx["other_manager"]
    open_there = _earlier(other.service_point, other, factories.customer(other.service_point))
    errors = errors_of(reception, req())
    assert open_there.number in errors["device.imei"][0] and other.service_point.code in errors["device.imei"][0]


# -- IMEI lookup and preview ------------------------------------------------------------------------


def test_lookup_imei(ctx):
    reception = ctx["receptionist"]
    sp = reception.service_point
    db.session.add(TacEntry(tac="35209900", brand="Alcatel", model="One Touch 332"))
    earlier = _earlier(sp, reception, factories.customer(sp), closed_at=NOW - dt.timedelta(days=3),
                       repair_warranty_ends_on=TODAY + dt.timedelta(days=87))
    open_job = _earlier(sp, reception, factories.customer(sp, phone="+8613900139000"))
    blocked.add(ctx["manager"], IMEI, reason="lost")

    result = intake_service.lookup_imei(reception, "35 209900 176148 1")
    assert result["valid"] and result["imei"] == IMEI and result["kind"] == "imei" and result["reason"] is None
    assert (result["tac"], result["brand"], result["model"], result["tac_known"]) == (
        "35209900", "Alcatel", "One Touch 332", True)
    assert result["blocked"] and result["blocked_entries"][0]["reason"] == "lost"
    assert result["jobs"] == [open_job.number, earlier.number]
    assert result["open_job"] == open_job.number
    assert result["rerepair_of"]["number"] == earlier.number

    sv = intake_service.lookup_imei(reception, "3520990017614810")
    assert not sv["valid"] and sv["kind"] == "imeisv" and sv["suggestion"] == IMEI
    assert sv["jobs"] == result["jobs"] and sv["blocked"]

    bad = intake_service.lookup_imei(reception, "hello")
    assert bad["valid"] is False and bad["kind"] == "unknown" and bad["jobs"] == [] and bad["tac"] is None


def test_preview_decides_without_writing_and_reports_field_problems(ctx):
    reception = ctx["receptionist"]
    before = (count(Job), count(Customer), count(AuditEvent))
    result = intake_service.preview(reception, IntakeRequest(
        imei=IMEI, proof_kind="invoice", purchase_date=TODAY + dt.timedelta(days=3), proof_imei=IMEI))
    assert result["warranty"]["status"] == "no_proof"  # decided without the impossible date
    assert "after today" in result["errors"]["proof.purchase_date"][0]
    assert "customer.name" not in result["errors"]  # the preview does not ask for the customer
    assert result["dates"]["promised_by"] == (TODAY + dt.timedelta(days=7)).isoformat()
    assert result["policy"]["code"] == "sanbao" and "built-in" in result["policy"]["note"]
    assert (count(Job), count(Customer), count(AuditEvent)) == before


# -- policies ------------------------------------------------------------------------------------------


def test_without_policies_the_sanbao_preset_applies_and_says_so(ctx):
    assert policies.applicable(ctx["receptionist"].service_point).note == policies.FALLBACK_NOTE
    job = intake_service.take_in(ctx["receptionist"], req())
    assert job.warranty_policy == "sanbao"
    assert job.events[0].data["policy_note"] == policies.FALLBACK_NOTE


def test_service_point_default_policy_and_explicit_policy(ctx):
    policies.seed_presets()
    eu24 = policies.get("eu24")
    sp = ctx["receptionist"].service_point
    policies.save(ctx["admin"], policies.terms_of(eu24).as_mapping(), policy=eu24, service_point_ids=[sp.id])
    old = req(purchase_date=TODAY - dt.timedelta(days=500))  # 16 months: only EU24 still covers it
    job = _close(intake_service.take_in(ctx["receptionist"], old))
    assert (job.warranty_policy, job.warranty_status) == ("eu24", "in_warranty")
    elsewhere = _close(intake_service.take_in(ctx["other_manager"], old))
    assert (elsewhere.warranty_policy, elsewhere.warranty_status) == ("sanbao", "expired")
    chosen = intake_service.take_in(ctx["receptionist"], req(purchase_date=TODAY - dt.timedelta(days=3),
                                                             policy="sanbao"))
    assert (chosen.warranty_policy, chosen.warranty_status) == ("sanbao", "return_window")
    assert "policy" in errors_of(ctx["receptionist"], req(policy="nope"))


def test_intake_by_another_service_point_only_when_granted(ctx):
    manager = ctx["manager"]
    other_code = ctx["other_manager"].service_point.code
    assert "service_point" in errors_of(manager, req(service_point=other_code))
    manager.granted_service_points.append(ctx["other_manager"].service_point)
    job = intake_service.take_in(manager, req(service_point=other_code))
    assert job.number.startswith(other_code + "-")


# -- warranty reasons in the reader's language (workshop.vocabulary) ----------------------


def test_warranty_reasons_in_english_match_the_decision_and_chinese_is_complete(app):
    from flask_babel import force_locale

    from tests.warranty.test_warranty_rules import reason_decisions
    from workshop.vocabulary import warranty_reasons

    with app.test_request_context():
        for decision in reason_decisions():
            codes, args = decision.reason_codes, decision.reason_args
            with force_locale("en"):
                assert warranty_reasons(codes, args, decision.reasons) == decision.reasons
            with force_locale("zh_Hans"):
                chinese = warranty_reasons(codes, args, decision.reasons)
            assert len(chinese) == len(decision.reasons)
            for zh, en in zip(chinese, decision.reasons, strict=True):
                assert zh != en and "{" not in zh and any("\u4e00" <= ch <= "\u9fff" for ch in zh)
        with force_locale("zh_Hans"):
            text = " ".join(" ".join(warranty_reasons(d.reason_codes, d.reason_args))
                            for d in reason_decisions())
    for words in ("7日退货期", "15日换货期", "电池三包期内", "有线耳机三包期内", "充电器三包期",
                  "因维修顺延 5 天", "保卡上没有 IMEI", "发票上没有购买日期", "购机凭证上没有购买日期",
                  "进水", "外力损坏", "封签", "非授权拆修", "返修"):
        assert words in text, words


def test_warranty_reasons_fall_back_to_the_stored_sentences(app):
    from flask_babel import force_locale

    from workshop.vocabulary import warranty_reasons

    old = ["Purchased 2026-11-10; within the 15-day exchange period (until 2026-11-25): ..."]
    with app.test_request_context(), force_locale("zh_Hans"):
        assert warranty_reasons([], [], old) == old  # a job taken in before codes were stored
        assert warranty_reasons(None, None, old) == old
        assert warranty_reasons(["exchange_window"], [], old) == old  # codes without values
        assert warranty_reasons(["no_such_code", "liquid_damage"], [{}, {}], ["Kept.", "x"]) == \
            ["Kept.", "发现进水：人为损坏不在三包范围内。"]
        assert warranty_reasons(["return_window"], [{"days": 7}], ["Kept."]) == ["Kept."]  # values missing
