"""Remedies and graded authority, the agreement, resolution and closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import (
    Conflict,
    FollowUp,
    Job,
    OutboxMessage,
    PermissionDenied,
    Remedy,
    ValidationError,
    db,
)
from tests import factories
from workshop.aftercare import agreements, complaints, followups, remedies
from workshop.services import pickup

from .conftest import at_local, job, person, register


def remedy(kind, amount=None, actor="receptionist", complaint=None, **kwargs):
    complaint = complaint or register()
    return remedies.propose(complaint, person(actor), kind=kind, amount=amount, **kwargs)


@pytest.mark.parametrize("kind", ["discount", "gift"])
def test_staff_authority_at_the_limit_and_one_cent_above(ctx, kind):
    assert remedy(kind, "50.00").status == "approved"
    assert remedy(kind, "50.01").status == "pending_approval"
    assert remedy(kind, "50.01", actor="manager").status == "approved"


def test_the_limit_is_the_service_points_setting(ctx):
    sp = factories.service_point("SZ01")
    assert sp.staff_remedy_limit == Decimal("50.00") and sp.followup_after_days == 3
    sp.staff_remedy_limit = Decimal("80.00")
    db.session.flush()
    assert remedy("discount", "80.00").status == "approved"
    assert remedy("discount", "80.01").status == "pending_approval"


@pytest.mark.parametrize("kind,amount,staff_status", [
    ("apology", None, "approved"), ("free_rerepair", None, "approved"), ("refund", "1.00", "pending_approval"),
    ("exchange", None, "pending_approval"), ("compensation", "0.01", "pending_approval")])
def test_what_a_receptionist_may_grant(ctx, kind, amount, staff_status):
    j = job()
    complaint = register(job_number=j.number, phone="", name="")
    assert remedy(kind, amount, complaint=complaint).status == staff_status
    assert remedy(kind, amount, actor="manager", complaint=complaint).status == "approved"


@pytest.mark.parametrize("amount", ["-0.01", "abc", "1.005", "NaN", "Infinity", True])
def test_bad_amounts_are_refused_with_nothing_written(ctx, amount):
    complaint = register()
    events = len(complaint.events)
    with pytest.raises(ValidationError) as err:
        remedies.propose(complaint, person("receptionist"), kind="discount", amount=amount)
    assert "amount" in err.value.errors
    assert db.session.scalar(db.select(db.func.count(Remedy.id))) == 0
    assert len(complaint.events) == events


def test_unknown_kind_is_refused(ctx):
    with pytest.raises(ValidationError) as err:
        remedy("voucher", "5.00")
    assert "kind" in err.value.errors


def test_done_only_once_approved_and_approval_is_a_managers(ctx):
    pending = remedy("refund", "300.00")
    with pytest.raises(Conflict):
        remedies.carry_out(pending, person("receptionist"), "refunded")
    with pytest.raises(PermissionDenied):
        remedies.approve(pending, person("receptionist"))
    remedies.approve(pending, person("manager"), "Within 三包")
    assert pending.status == "approved" and pending.approved_by.username == "manager"
    with pytest.raises(Conflict):
        remedies.approve(pending, person("manager"))
    remedies.carry_out(pending, person("receptionist"), "Refunded by card", now=at_local(2026, 11, 27, 23, 30))
    assert pending.status == "done" and pending.done_on == dt.date(2026, 11, 27)
    with pytest.raises(Conflict):
        remedies.carry_out(pending, person("receptionist"), "twice")
    kinds = [e.kind for e in pending.complaint.events]
    assert kinds[-3:] == ["remedy_added", "remedy_approved", "remedy_done"]


def test_free_rerepair_creates_a_zero_charge_job_linked_to_the_original(ctx):
    original = job()
    complaint = register(job_number=original.number, phone="", name="")
    granted = remedy("free_rerepair", complaint=complaint, note="Screen flickers again")
    new_job = granted.job
    assert new_job is not None and new_job.id != original.id
    assert new_job.rerepair_of_id == original.id
    assert new_job.imei == original.imei and new_job.customer_id == original.customer_id
    assert new_job.status == "received"
    bill = pickup.bill(new_job)
    assert bill.chargeable is False and bill.balance == 0
    assert complaint.number in new_job.events[0].note


def test_free_rerepair_links_an_existing_job_and_makes_it_free(ctx):
    original = job()
    again = job(warranty_chargeable=True, estimate_amount=Decimal("120.00"))
    complaint = register(job_number=original.number, phone="", name="")
    granted = remedy("free_rerepair", complaint=complaint, job=again.number)
    assert granted.job_id == again.id
    assert again.warranty_chargeable is False and again.estimate_amount == 0
    assert db.session.scalar(db.select(db.func.count(Job.id))) == 2
    with pytest.raises(ValidationError):
        remedy("free_rerepair")  # a complaint without a job and no job to link


def test_refund_shows_the_sanbao_entitlement(ctx):
    from workshop.services import policies

    policies.seed_presets()
    today = dt.date.today()
    fresh = job(purchase_date=today - dt.timedelta(days=5), proof_kind="invoice", proof_imei="352099001761481")
    complaint = register(job_number=fresh.number, phone="", name="")
    refund = remedy("refund", "999.00", complaint=complaint)
    assert refund.entitlement["status"] == "return_window"
    assert refund.entitlement["refund"] is True
    old = job(purchase_date=today - dt.timedelta(days=60), proof_kind="invoice", proof_imei="352099001761481")
    later = register(job_number=old.number, phone="", name="")
    exchange = remedy("exchange", complaint=later)
    assert exchange.entitlement["status"] == "in_warranty"
    assert exchange.entitlement["exchange"] is False
    # Two earlier repairs of the same fault handed back repaired: 三包 allows an exchange.
    for _ in range(2):
        job(purchase_date=old.purchase_date, proof_kind="invoice", proof_imei="352099001761481",
            repair_warranty_ends_on=today + dt.timedelta(days=80), status="collected")
    third = remedy("exchange", complaint=later)
    assert third.entitlement["exchange"] is True
    assert "repeat_fault" in third.entitlement["reason_codes"]


def resolve(complaint, now=None):
    complaints.respond(complaint, person("receptionist"), "Called back", now=now)
    for r in complaint.remedies:
        if r.status == "pending_approval":
            remedies.approve(r, person("manager"))
        if r.status == "approved":
            remedies.carry_out(r, person("receptionist"), "Done", now=now)
    agreements.record(complaint, person("receptionist"), accepted=True, note="Signed", now=now)
    return complaint


def test_resolved_when_responded_all_remedies_done_and_agreement_accepted(ctx):
    complaint = register()
    remedies.propose(complaint, person("receptionist"), kind="apology")
    big = remedies.propose(complaint, person("receptionist"), kind="compensation", amount="200.00")
    complaints.respond(complaint, person("receptionist"), "Apologised")
    agreements.record(complaint, person("receptionist"), accepted=True)
    assert complaint.status == "open"
    assert complaints.missing_for_resolution(complaint) == ["remedies carried out"]
    remedies.carry_out(complaint.remedies[0], person("receptionist"), "Said sorry")
    remedies.approve(big, person("manager"))
    remedies.carry_out(big, person("manager"), "Paid", now=at_local(2026, 11, 27, 23, 59))
    assert complaint.status == "resolved"
    followup = db.session.scalar(db.select(FollowUp).where(FollowUp.complaint_id == complaint.id))
    assert followup.kind == "complaint" and followup.due_on == dt.date(2026, 11, 28)
    resolved = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.template == "complaint_resolved"))
    assert complaint.number in resolved.body


def test_a_refused_agreement_keeps_the_complaint_open(ctx):
    complaint = register()
    complaints.respond(complaint, person("receptionist"), "Called")
    agreements.record(complaint, person("receptionist"), accepted=False, note="Wants a refund")
    assert complaint.status == "open"
    with pytest.raises(ValidationError):
        agreements.record(complaint, person("receptionist"), accepted="yes")


def test_closing_is_refused_naming_each_missing_step(ctx):
    complaint = register()
    discount = remedies.propose(complaint, person("receptionist"), kind="discount", amount="20.00")
    manager = person("manager")

    def missing():
        with pytest.raises(Conflict) as err:
            complaints.close(complaint, manager, root_cause="repair_quality")
        return err.value.errors["missing"]

    assert missing() == ["response", "remedies carried out", "agreement accepted by the customer",
                         "follow-up reached with satisfaction 3 or more"]
    complaints.respond(complaint, person("receptionist"), "Called")
    assert "response" not in missing()
    remedies.carry_out(discount, person("receptionist"), "Given")
    assert missing() == ["agreement accepted by the customer", "follow-up reached with satisfaction 3 or more"]
    agreements.record(complaint, person("receptionist"), accepted=True)
    assert complaint.status == "resolved"
    assert missing() == ["follow-up reached with satisfaction 3 or more"]
    call = complaints.latest_followup(complaint)
    followups.record(call, person("receptionist"), outcome="no_answer")
    assert missing() == ["follow-up reached with satisfaction 3 or more"]
    with pytest.raises(ValidationError):
        complaints.close(complaint, manager, root_cause="bad luck")
    followups.record(call, person("receptionist"), outcome="reached", satisfaction=3, comment="OK now")
    complaints.close(complaint, manager, root_cause="repair_quality", note="Loose connector",
                     preventive_action="Check connectors at QC")
    assert complaint.status == "closed" and complaint.root_cause == "repair_quality"
    assert complaint.events[-1].kind == "closed"
    with pytest.raises(Conflict):
        complaints.close(complaint, manager, root_cause="repair_quality")
    with pytest.raises(Conflict):
        remedies.propose(complaint, person("receptionist"), kind="apology")


def test_an_unhappy_answer_reopens_and_a_second_round_closes(ctx):
    complaint = resolve(register())
    first = complaints.latest_followup(complaint)
    followups.record(first, person("receptionist"), outcome="reached", satisfaction=2, comment="Still broken")
    assert complaint.status == "open" and complaint.agreement_accepted is None
    assert first.status == "done" and first.opened_complaint_id == complaint.id
    assert "reopened" in [e.kind for e in complaint.events]
    with pytest.raises(Conflict):
        complaints.close(complaint, person("manager"), root_cause="parts")
    agreements.record(complaint, person("receptionist"), accepted=True)
    second = complaints.latest_followup(complaint)
    assert second.id != first.id and second.status == "open"
    followups.record(second, person("receptionist"), outcome="reached", satisfaction=5)
    complaints.close(complaint, person("manager"), root_cause="parts")
    assert complaint.status == "closed"
