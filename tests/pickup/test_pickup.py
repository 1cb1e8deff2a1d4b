"""Pickup: the bill, verifying the customer, payment, collecting, the receipt, the
uncollected list, and the API (POST /api/v1/jobs/{number}/pickup)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import (
    AuditEvent,
    Conflict,
    Job,
    LoanerLoan,
    Payment,
    PickupRecord,
    ServicePoint,
    User,
    ValidationError,
    WorkflowError,
    db,
    utcnow,
)
from tests import factories
from workshop.jobs import receipt_stub
from workshop.pickup import collection as pickup_service
from workshop.pickup import loaners as loaner_service
from workshop.pickup.collection import PaymentInput, Verification, VerificationFailed

PHONE_OK = Verification(method="phone_id", phone_last4="8000", id_checked=True)  # factory phone +8613800138000


def _user(staff, role):
    return db.session.get(User, staff[role])


def _sp():
    return factories.service_point("SZ01")


def _counts():
    return (db.session.scalar(select(func.count(Payment.id))), db.session.scalar(select(func.count(PickupRecord.id))))


# -- the bill --------------------------------------------------------------------------


def test_bill_of_a_repaired_chargeable_job_takes_labour_from_the_estimate(db, staff):
    job = factories.ready_job(_sp(), warranty_chargeable=True, warranty_status="expired",
                              estimate_amount=Decimal("300.00"))
    bill = pickup_service.bill(job)
    assert bill.chargeable
    assert [(line.kind, line.amount) for line in bill.lines] == [("labour", Decimal("300.00"))]
    assert bill.balance == Decimal("300.00")
    assert bill.labour_source == "estimate"


def test_bill_has_issued_parts_and_labour_is_the_rest_of_the_estimate(db, staff):
    from workshop.parts import ledger as stock

    sp = _sp()
    engineer, clerk = _user(staff, "engineer"), _user(staff, "clerk")
    part = factories.part("SCR-IP13", price="220.00", stock=3, sp=sp)
    job = factories.job(sp, status="repairing", engineer=engineer, warranty_chargeable=True,
                        warranty_status="expired", estimate_amount=Decimal("300.00"))
    req = stock.request_parts(engineer, job, [{"sku": part.sku, "qty": 1}])
    stock.issue_requisition(clerk, req)
    job.status = "ready"
    job.add_event("status", engineer, from_status="qc", to_status="ready")
    db.session.flush()

    bill = pickup_service.bill(job)
    assert [(line.kind, line.sku, line.quantity, line.amount) for line in bill.lines] == [
        ("part", "SCR-IP13", 1, Decimal("220.00")), ("labour", "", 1, Decimal("80.00"))]
    assert bill.total == Decimal("300.00")


def test_warranty_work_is_billed_at_zero_with_the_list_price_shown(db, staff):
    job = factories.ready_job(_sp(), warranty_chargeable=False, estimate_amount=Decimal("150.00"))
    pickup_service.set_charge(job, _user(staff, "manager"), "labour", "60.00", "board rework")
    bill = pickup_service.bill(job)
    assert not bill.chargeable and bill.free_reason == "warranty"
    assert bill.lines[0].list_price == Decimal("60.00") and bill.lines[0].amount == Decimal("0.00")
    assert bill.balance == Decimal("0.00")


def test_discount_needs_a_reason_and_deposit_is_subtracted(db, staff):
    desk = _user(staff, "receptionist")
    job = factories.ready_job(_sp(), warranty_chargeable=True, estimate_amount=Decimal("200.00"))
    with pytest.raises(ValidationError) as exc:
        pickup_service.set_charge(job, desk, "discount", "20", "")
    assert "reason" in exc.value.errors
    with pytest.raises(ValidationError):
        pickup_service.set_charge(job, desk, "discount", "500", "too much")
    pickup_service.set_charge(job, desk, "discount", "20", "regular customer")
    pickup_service.record_deposit(job, desk, PaymentInput(method="wechat", amount="50"))
    bill = pickup_service.bill(job)
    assert (bill.subtotal, bill.discount, bill.total, bill.deposit, bill.balance) == (
        Decimal("200.00"), Decimal("20.00"), Decimal("180.00"), Decimal("50.00"), Decimal("130.00"))
    assert bill.discount_reason == "regular customer"
    kinds = [e.kind for e in job.events]
    assert "bill" in kinds and "payment" in kinds


# -- verification ---------------------------------------------------------------------------


def _stub(app, number: str) -> str:
    """What the scanner reads from the customer's receipt stub of job ``number``."""
    with app.app_context():
        return receipt_stub.stub_code(db.session.scalar(select(Job).where(Job.number == number)))


def test_verification_by_stub_or_by_phone_digits_and_id(db, staff):
    job = factories.ready_job(_sp())
    pickup_service.verify(job, Verification(method="stub", stub_code=receipt_stub.stub_code(job).lower()))
    pickup_service.verify(job, PHONE_OK)
    # The bag's tag (the bare job number) and another job's stub never verify.
    for code in (job.number, "SZ01-999999", f"{job.number}-{'0' * 12}", f"SZ01-999999-{job.stub_token}"):
        with pytest.raises(VerificationFailed) as exc:
            pickup_service.verify(job, Verification(method="stub", stub_code=code))
        assert exc.value.reason == "stub_mismatch" and exc.value.status == 403
    with pytest.raises(VerificationFailed) as exc:
        pickup_service.verify(job, Verification(method="phone_id", phone_last4="1234", id_checked=True))
    assert exc.value.reason == "phone_mismatch"
    with pytest.raises(VerificationFailed) as exc:
        pickup_service.verify(job, Verification(method="phone_id", phone_last4="8000", id_checked=False))
    assert exc.value.reason == "id_not_checked"
    with pytest.raises(ValidationError):
        pickup_service.verify(job, Verification(method="phone_id", phone_last4="80", id_checked=True))


# -- collecting -------------------------------------------------------------------------------


def test_collect_takes_the_payment_and_starts_the_repair_warranty(db, staff):
    desk = _user(staff, "receptionist")
    sp = _sp()
    sp.repair_warranty_days = 60
    job = factories.ready_job(sp, warranty_chargeable=True, estimate_amount=Decimal("120.00"),
                              accessories=["sim_tray", "case"])
    record = pickup_service.collect(job, desk, verification=PHONE_OK,
                                    payment=PaymentInput(method="card", amount="120.00", reference="POS 7731"))
    db.session.commit()
    assert job.status == "collected" and job.location == "customer" and job.closed_at is not None
    today = pickup_service.local_today(sp)
    assert record.collected_on == today
    assert job.repair_warranty_ends_on == record.repair_warranty_ends_on == today + dt.timedelta(days=60)
    assert record.accessories_returned == ["sim_tray", "case"] and record.paid == Decimal("120.00")
    payment = db.session.scalar(select(Payment).where(Payment.job_id == job.id))
    assert (payment.kind, payment.method, payment.amount, payment.reference) == ("pickup", "card",
                                                                                 Decimal("120.00"), "POS 7731")
    last = job.events[-1]
    assert (last.kind, last.from_status, last.to_status, last.actor_id) == ("status", "ready", "collected", desk.id)
    assert last.data["verified_by"] == "phone_id" and last.data["paid"] == "120.00"
    assert [e.kind for e in job.events][-2] == "payment"
    with pytest.raises(WorkflowError):
        pickup_service.collect(job, desk, verification=PHONE_OK)


def test_collect_refuses_a_wrong_payment_and_changes_nothing(db, staff):
    desk = _user(staff, "receptionist")
    job = factories.ready_job(_sp(), warranty_chargeable=True, estimate_amount=Decimal("99.00"))
    db.session.commit()
    before = _counts()
    for payment in (None, PaymentInput(method="cash", amount="90.00"), PaymentInput(method="bitcoin", amount="99")):
        with pytest.raises(ValidationError) as exc:
            pickup_service.collect(job, desk, verification=PHONE_OK, payment=payment)
        assert set(exc.value.errors) <= {"payment.amount", "payment.method"}
        db.session.rollback()
    assert db.session.get(Job, job.id).status == "ready" and _counts() == before


def test_warranty_job_is_collected_without_payment(db, staff):
    job = factories.ready_job(_sp(), warranty_chargeable=False)
    record = pickup_service.collect(job, _user(staff, "manager"),
                                    verification=Verification(method="stub", stub_code=receipt_stub.stub_code(job)),
                                    payment=PaymentInput(method="cash", amount="0"))
    assert record.paid == Decimal("0.00") and not record.chargeable
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_nothing_due_still_refuses_an_unknown_payment_method(db, staff):
    job = factories.ready_job(_sp(), warranty_chargeable=False)
    db.session.commit()
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        pickup_service.collect(job, _user(staff, "receptionist"), verification=PHONE_OK,
                               payment=PaymentInput(method="bitcoin", amount="0.00"))
    assert set(exc.value.errors) == {"payment.method"}
    db.session.rollback()
    assert db.session.get(Job, job.id).status == "ready" and _counts() == before


def test_an_unrepaired_handset_gets_no_repair_warranty(db, staff):
    job = factories.ready_job(_sp(), repaired=False, warranty_chargeable=True, estimate_amount=Decimal("300.00"))
    assert pickup_service.bill(job).balance == Decimal("0.00")  # nothing was done: no labour by default
    record = pickup_service.collect(job, _user(staff, "receptionist"), verification=PHONE_OK)
    assert record.repair_warranty_ends_on is None and job.repair_warranty_ends_on is None


def test_accessories_not_handed_back_need_a_note(db, staff):
    desk = _user(staff, "receptionist")
    job = factories.ready_job(_sp(), accessories=["sim_tray", "charger"])
    db.session.commit()
    with pytest.raises(ValidationError) as exc:
        pickup_service.collect(job, desk, verification=PHONE_OK, accessories_returned=["sim_tray"])
    assert "charger" in exc.value.errors["accessories_returned"][0]
    db.session.rollback()
    record = pickup_service.collect(job, desk, verification=PHONE_OK, accessories_returned=["sim_tray"],
                                    accessories_note="customer left the charger for recycling")
    assert record.accessories_returned == ["sim_tray"]


def test_a_loaner_out_blocks_collection_until_it_is_returned(db, staff):
    desk = _user(staff, "receptionist")
    sp = _sp()
    job = factories.ready_job(sp)
    loan = loaner_service.lend(desk, factories.loaner(sp), job)
    with pytest.raises(Conflict) as exc:
        pickup_service.collect(job, desk, verification=PHONE_OK)
    assert "356938035643809" in exc.value.message
    assert job.status == "ready"
    loaner_service.return_loaner(desk, loan, condition="good")
    pickup_service.collect(job, desk, verification=PHONE_OK)
    assert job.status == "collected"


def test_an_engineer_may_not_hand_a_handset_over(db, staff):
    job = factories.ready_job(_sp())
    from models import PermissionDenied

    with pytest.raises(PermissionDenied):
        pickup_service.collect(job, _user(staff, "engineer"), verification=PHONE_OK)


def test_a_deposit_larger_than_the_bill_is_refunded(db, staff):
    desk = _user(staff, "receptionist")
    job = factories.ready_job(_sp(), warranty_chargeable=True, estimate_amount=Decimal("80.00"))
    pickup_service.record_deposit(job, desk, PaymentInput(method="cash", amount="100"))
    assert pickup_service.bill(job).balance == Decimal("-20.00")
    pickup_service.collect(job, desk, verification=PHONE_OK, payment=PaymentInput(method="cash", amount="-20"))
    refund = db.session.scalar(select(Payment).where(Payment.kind == "refund"))
    assert refund.amount == Decimal("20.00")


# -- the uncollected list -----------------------------------------------------------------------


def test_waiting_for_pickup_counts_local_days_since_ready(db, staff):
    sp = _sp()
    old = factories.ready_job(sp, ready_at=utcnow() - dt.timedelta(days=9))
    new = factories.ready_job(sp)
    factories.job(sp, status="repairing")
    waiting = pickup_service.waiting_for_pickup([sp.id])
    assert [(w.job.number, w.days) for w in waiting] == [(old.number, 9), (new.number, 0)]


# -- HTML: the counter -----------------------------------------------------------------------------


@pytest.fixture
def ready(app, staff):
    with app.app_context():
        job = factories.ready_job(_sp(), warranty_chargeable=True, estimate_amount=Decimal("150.00"),
                                  accessories=["sim_tray"])
        db.session.commit()
        return job.number


def test_counter_scan_opens_the_pickup_page(client, auth, ready):
    auth.login("receptionist")
    r = client.get(f"/pickup?code={ready}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/pickup/{ready}")
    assert 'data-kind="scan"' in client.get(f"/jobs/{ready}").get_data(as_text=True)
    r = client.get("/pickup?code=SZ01-777777")
    assert r.status_code == 200 and "SZ01-777777" in r.get_data(as_text=True)


def test_counter_failed_verification_is_logged_and_changes_nothing(app, client, auth, ready):
    auth.login("receptionist")
    r = client.post(f"/pickup/{ready}/verify", data={"method": "phone_id", "phone_last4": "1111",
                                                    "id_checked": "y"})
    assert r.status_code == 403
    assert "do not match" in r.get_data(as_text=True)
    r = client.post(f"/pickup/{ready}/collect", data={"method": "cash", "amount": "150.00",
                                                     "accessories": ["sim_tray"]})
    assert r.status_code == 302  # not verified: back to the verification step
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.number == ready))
        assert job.status == "ready"
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "pickup.verification_failed")).all()
        assert [(a.subject_id, a.details["reason"]) for a in audit] == [(str(job.id), "phone_mismatch")]
    page = client.get(f"/pickup/{ready}").get_data(as_text=True)
    assert "1 failed verification attempt" in page


def test_counter_verify_pay_collect_and_print(app, client, auth, ready):
    auth.login("receptionist")
    assert "Verify the customer to see the bill" in client.get(f"/pickup/{ready}").get_data(as_text=True)
    r = client.post(f"/pickup/{ready}/verify", data={"method": "stub", "stub_code": _stub(app, ready)})
    assert r.status_code == 302
    page = client.get(f"/pickup/{ready}").get_data(as_text=True)
    assert 'id="bill-balance" data-amount="150.00"' in page
    r = client.post(f"/pickup/{ready}/collect", data={"method": "cash", "amount": "100.00",
                                                     "accessories": ["sim_tray"]})
    assert r.status_code == 422 and "must be exactly" in r.get_data(as_text=True)
    r = client.post(f"/pickup/{ready}/collect", data={"method": "cash", "amount": "150.00",
                                                     "accessories": ["sim_tray"]}, follow_redirects=True)
    assert r.status_code == 200 and 'id="pickup-done"' in r.get_data(as_text=True)
    for fmt in ("a5", "80mm"):  # the print buttons POST; a GET would log nothing
        r = client.post(f"/jobs/{ready}/pickup-receipt.pdf?format={fmt}")
        assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert client.get(f"/jobs/{ready}/pickup-receipt.pdf?format=a4").status_code == 422
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.number == ready))
        assert job.status == "collected"
        prints = [e.data for e in job.events if e.kind == "print"]
        assert [(p["document"], p["variant"], p["reprint"]) for p in prints] == [
            ("pickup_receipt", "a5", False), ("pickup_receipt", "80mm", True)]
    detail = client.get(f"/jobs/{ready}").get_data(as_text=True)
    assert "Paid at pickup" in detail and "Pickup receipt A5" in detail


def test_receipt_before_collection_is_refused(client, auth, ready):
    auth.login("receptionist")
    assert client.get(f"/jobs/{ready}/pickup-receipt.pdf").status_code == 409


def test_labour_and_discount_set_at_the_counter(app, client, auth, ready):
    auth.login("manager")
    client.post(f"/pickup/{ready}/verify", data={"method": "stub", "stub_code": _stub(app, ready)})
    r = client.post(f"/pickup/{ready}/charges", data={"kind": "discount", "amount": "15", "reason": ""})
    assert r.status_code == 422 and "Say why" in r.get_data(as_text=True)
    client.post(f"/pickup/{ready}/charges", data={"kind": "discount", "amount": "15", "reason": "late"})
    page = client.get(f"/pickup/{ready}").get_data(as_text=True)
    assert 'data-amount="135.00"' in page


def test_uncollected_list_and_csv(app, client, auth):
    with app.app_context():
        sp = factories.service_point("SZ01")
        factories.user("receptionist", username="desk", sp=sp)
        job = factories.ready_job(sp, ready_at=utcnow() - dt.timedelta(days=12))
        other = factories.ready_job(factories.service_point("OT01"))
        db.session.commit()
        number, other_number = job.number, other.number
    auth.login("desk")
    page = client.get("/pickup/uncollected").get_data(as_text=True)
    assert number in page and other_number not in page and 'class="age-warn"' in page
    r = client.get("/pickup/uncollected.csv")
    assert r.mimetype == "text/csv"
    rows = r.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0].startswith("job,service_point,status,since,days_waiting")
    assert rows[1].split(",")[0] == number and rows[1].split(",")[4] == "12"


# -- API --------------------------------------------------------------------------------------


def _api_ready(app, **kwargs):
    with app.app_context():
        job = factories.ready_job(factories.service_point("SZ01"), **kwargs)
        db.session.commit()
        return job.number


def test_api_pickup_collects(app, client, staff, token_for):
    number = _api_ready(app, warranty_chargeable=True, estimate_amount=Decimal("88.00"))
    headers = token_for(_api_user(app, staff, "receptionist"))
    assert client.get(f"/api/v1/jobs/{number}/bill", headers=headers).get_json()["balance"] == "88.00"
    r = client.post(f"/api/v1/jobs/{number}/pickup", headers=headers,
                    json={"phone_last4": "8000", "payment": {"method": "cash", "amount": "88.00"}})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "collected" and body["pickup"]["paid"] == "88.00"
    assert body["pickup"]["repair_warranty_ends_on"] is not None
    r = client.get(f"/api/v1/jobs/{number}", headers=headers)
    assert r.get_json()["status"] == "collected"


def _api_user(app, staff, role):
    with app.app_context():
        return db.session.get(User, staff[role])


def test_api_pickup_wrong_digits_is_403_logged_and_changes_nothing(app, client, staff, token_for):
    number = _api_ready(app, warranty_chargeable=True, estimate_amount=Decimal("88.00"))
    headers = token_for(_api_user(app, staff, "manager"))
    r = client.post(f"/api/v1/jobs/{number}/pickup", headers=headers,
                    json={"phone_last4": "0000", "payment": {"method": "cash", "amount": "88.00"}})
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert r.get_json()["errors"] == {"phone_last4": ["The last 4 digits do not match the customer's phone number."]}
    r = client.post(f"/api/v1/jobs/{number}/pickup", headers=headers,
                    json={"phone_last4": "8000", "id_checked": False, "payment": {"method": "cash", "amount": "88"}})
    assert r.status_code == 403
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.number == number))
        assert job.status == "ready" and len(job.events) == 2
        assert db.session.scalar(select(func.count(Payment.id))) == 0
        reasons = db.session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "pickup.verification_failed").order_by(AuditEvent.id)).all()
        assert [d["reason"] for d in reasons] == ["phone_mismatch", "id_not_checked"]


def test_api_pickup_refusals(app, client, staff, token_for):
    number = _api_ready(app, warranty_chargeable=True, estimate_amount=Decimal("88.00"))
    desk = token_for(_api_user(app, staff, "receptionist"))
    r = client.post(f"/api/v1/jobs/{number}/pickup", headers=desk,
                    json={"phone_last4": "8000", "payment": {"method": "cash", "amount": "10"}})
    assert r.status_code == 422 and "payment.amount" in r.get_json()["errors"]
    r = client.post(f"/api/v1/jobs/{number}/pickup", headers=desk, json={"payment": None})
    assert r.status_code == 422 and "phone_last4" in r.get_json()["errors"]
    r = client.post(f"/api/v1/jobs/{number}/pickup", headers=token_for(_api_user(app, staff, "engineer")),
                    json={"phone_last4": "8000", "payment": {"method": "cash", "amount": "88"}})
    assert r.status_code == 403
    r = client.post(f"/api/v1/jobs/{number}/pickup", headers=token_for(_api_user(app, staff, "other_manager")),
                    json={"phone_last4": "8000", "payment": {"method": "cash", "amount": "88"}})
    assert r.status_code == 403
    with app.app_context():
        open_job = factories.job(factories.service_point("SZ01"), status="repairing")
        db.session.commit()
        open_number = open_job.number
    r = client.post(f"/api/v1/jobs/{open_number}/pickup", headers=desk, json={"phone_last4": "8000"})
    assert r.status_code == 409
    assert client.post("/api/v1/jobs/SZ01-999999/pickup", headers=desk, json={"phone_last4": "8000"}).status_code == 404


def test_api_pickup_with_a_loaner_out_is_409(app, client, staff, token_for):
    with app.app_context():
        sp = factories.service_point("SZ01")
        job = factories.ready_job(sp)
        loaner_service.lend(db.session.get(User, staff["receptionist"]), factories.loaner(sp), job)
        db.session.commit()
        number = job.number
    r = client.post(f"/api/v1/jobs/{number}/pickup", headers=token_for(_api_user(app, staff, "receptionist")),
                    json={"phone_last4": "8000"})
    assert r.status_code == 409 and "loaner" in r.get_json()["detail"].lower()
    with app.app_context():
        assert db.session.scalar(select(Job.status).where(Job.number == number)) == "ready"
        assert db.session.scalar(select(func.count(LoanerLoan.id)).where(LoanerLoan.returned_at.is_(None))) == 1


def test_api_pickup_idempotency_key_replays(app, client, staff, token_for):
    number = _api_ready(app, warranty_chargeable=False)
    headers = {**token_for(_api_user(app, staff, "receptionist")), "Idempotency-Key": "pickup-1"}
    body = {"stub_code": _stub(app, number)}
    first = client.post(f"/api/v1/jobs/{number}/pickup", headers=headers, json=body)
    again = client.post(f"/api/v1/jobs/{number}/pickup", headers=headers, json=body)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true" and again.get_json() == first.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count(PickupRecord.id))) == 1


# -- re-repair: collected under our repair warranty, back again ---------------------------------------


def test_a_handset_back_within_the_repair_warranty_is_a_free_rerepair(app, client, staff, token_for):
    number = _api_ready(app, warranty_chargeable=True, warranty_status="expired",
                        estimate_amount=Decimal("260.00"), imei="356938035643809")
    desk = token_for(_api_user(app, staff, "receptionist"))
    r = client.post(f"/api/v1/jobs/{number}/pickup", headers=desk,
                    json={"phone_last4": "8000", "payment": {"method": "alipay", "amount": "260.00"}})
    assert r.status_code == 200
    warranty_end = r.get_json()["pickup"]["repair_warranty_ends_on"]
    with app.app_context():
        sp = db.session.scalar(select(ServicePoint).where(ServicePoint.code == "SZ01"))
        today = pickup_service.local_today(sp)
        assert warranty_end == (today + dt.timedelta(days=sp.repair_warranty_days)).isoformat()

    r = client.post("/api/v1/jobs", headers=desk, json={
        "customer": {"name": "王芳", "phone": "13800138000", "email": None},
        "device": {"imei": "356938035643809", "imei2": None, "brand": None, "model": None, "colour": "black"},
        "proof": None,
        "fault": {"category": "no_power", "description": "dead again", "component": "handset"},
        "condition": {"liquid_damage": False, "physical_damage": False, "seals_intact": True, "notes": ""},
        "accessories": [], "estimate": {"amount": "0.00", "ceiling": "0.00"},
        "consent": {"data_disclaimer": True, "lock_removed": True},
    })
    assert r.status_code == 201, r.get_json()
    again = r.get_json()
    assert again["rerepair_of"] == number
    assert again["warranty"]["chargeable"] is False
    bill = client.get(f"/api/v1/jobs/{again['number']}/bill", headers=desk).get_json()
    assert bill["chargeable"] is False and bill["free_reason"] == "rerepair" and bill["balance"] == "0.00"
