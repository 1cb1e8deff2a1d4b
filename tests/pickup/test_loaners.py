"""Loaner phones (备机): the pool, lending, returning with the condition, entitlement."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models import AuditEvent, Conflict, Loaner, LoanerLoan, PermissionDenied, User, ValidationError, db
from tests import factories
from workshop.pickup import loaners as loaner_service


def _user(staff, role):
    return db.session.get(User, staff[role])


def test_add_checks_the_imei_and_refuses_duplicates(db, staff):
    manager = _user(staff, "manager")
    sp = factories.service_point("SZ01")
    loaner = loaner_service.add_loaner(manager, sp, imei="35-693803-564380-9", brand="Xiaomi", model="Redmi 12")
    assert (loaner.imei, loaner.status, loaner.condition) == ("356938035643809", "available", "good")
    with pytest.raises(ValidationError) as exc:
        loaner_service.add_loaner(manager, sp, imei="356938035643809")
    assert "already" in exc.value.errors["imei"][0]
    with pytest.raises(ValidationError) as exc:
        loaner_service.add_loaner(manager, sp, imei="356938035643808")
    assert "check digit" in exc.value.errors["imei"][0]
    with pytest.raises(PermissionDenied):
        loaner_service.add_loaner(_user(staff, "other_manager"), sp, imei="353918051234561")
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.subject_type == "Loaner")) == "loaner.added"


def test_lend_and_return_are_recorded_on_the_job(db, staff):
    desk = _user(staff, "receptionist")
    sp = factories.service_point("SZ01")
    job = factories.job(sp, status="repairing")
    loaner = factories.loaner(sp)
    loan = loaner_service.lend(desk, loaner, job, notes="charger lent too")
    assert loaner.status == "lent" and loan.condition_out == "good"
    assert loaner_service.open_loan(job) is loan
    event = job.events[-1]
    assert (event.kind, event.data["action"], event.data["imei"]) == ("loaner", "lent", loaner.imei)

    with pytest.raises(Conflict):
        loaner_service.lend(desk, loaner, factories.job(sp, status="received"))  # it is out
    with pytest.raises(Conflict):
        loaner_service.lend(desk, factories.loaner(sp, imei="353918051234561"), job)  # job has one

    loaner_service.return_loaner(desk, loan, condition="worn", notes="new scratch on the back")
    assert (loaner.status, loaner.condition, loan.condition_in) == ("available", "worn", "worn")
    assert loan.returned_by_id == desk.id and job.events[-1].data["action"] == "returned"
    with pytest.raises(Conflict):
        loaner_service.return_loaner(desk, loan, condition="good")


def test_a_damaged_return_needs_notes_and_takes_the_loaner_out_of_the_pool(db, staff):
    desk = _user(staff, "receptionist")
    sp = factories.service_point("SZ01")
    loan = loaner_service.lend(desk, factories.loaner(sp), factories.job(sp, status="repairing"))
    with pytest.raises(ValidationError):
        loaner_service.return_loaner(desk, loan, condition="damaged")
    loaner_service.return_loaner(desk, loan, condition="damaged", notes="screen cracked")
    assert loan.loaner.status == "retired"
    assert loaner_service.available(sp.id) == []


def test_loaners_stay_in_their_service_point(db, staff):
    desk = _user(staff, "receptionist")
    other = factories.service_point("OT01")
    job = factories.job(factories.service_point("SZ01"), status="repairing")
    with pytest.raises(PermissionDenied):
        loaner_service.lend(desk, factories.loaner(other), job)
    assert loaner_service.pool(desk) == []


def test_the_database_allows_one_open_loan_per_loaner(db, staff):
    sp = factories.service_point("SZ01")
    loaner = factories.loaner(sp)
    desk = _user(staff, "receptionist")
    loaner_service.lend(desk, loaner, factories.job(sp, status="repairing"))
    db.session.add(LoanerLoan(loaner_id=loaner.id, job_id=factories.job(sp).id, lent_by_id=desk.id,
                              condition_out="good"))
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.flush()


def test_warranty_repairs_past_seven_days_are_owed_a_loaner(db, staff):
    sp = factories.service_point("SZ01")
    today = dt.date.today()
    late = factories.job(sp, status="repairing", warranty_chargeable=False, received_on=today - dt.timedelta(days=9))
    fresh = factories.job(sp, status="repairing", warranty_chargeable=False, received_on=today - dt.timedelta(days=3))
    paid = factories.job(sp, status="repairing", warranty_chargeable=True, received_on=today - dt.timedelta(days=9))
    assert [loaner_service.entitled(j, today) for j in (late, fresh, paid)] == [True, False, False]
    loaner_service.lend(_user(staff, "receptionist"), factories.loaner(sp), late)
    assert not loaner_service.entitled(late, today)


def test_pool_pages_add_lend_and_return(app, client, auth, staff):
    with app.app_context():
        sp = factories.service_point("SZ01")
        job = factories.job(sp, status="repairing", warranty_chargeable=False,
                            received_on=dt.date.today() - dt.timedelta(days=10))
        db.session.commit()
        number = job.number
    auth.login("manager")
    r = client.post("/loaners/new", data={"imei": "12345", "condition": "good"})
    assert r.status_code == 200 and 'data-error-for="imei"' in r.get_data(as_text=True)
    r = client.post("/loaners/new", data={"imei": "356938035643809", "brand": "Xiaomi", "model": "Redmi 12",
                                          "condition": "good"})
    assert r.status_code == 302
    pool = client.get("/loaners").get_data(as_text=True)
    assert "356938035643809" in pool and number in pool  # owed a loaner
    detail = client.get(f"/jobs/{number}").get_data(as_text=True)
    assert 'id="loaner-entitled"' in detail and 'id="lend-form"' in detail
    with app.app_context():
        loaner_id = db.session.scalar(select(Loaner.id))
    client.post(f"/jobs/{number}/loaner", data={"loaner": loaner_id, "notes": ""})
    assert 'id="job-loaner"' in client.get(f"/jobs/{number}").get_data(as_text=True)
    r = client.post(f"/loaners/{loaner_id}/return", data={"condition": "damaged", "notes": ""})
    assert r.status_code == 422 and "Describe the damage" in r.get_data(as_text=True)
    r = client.post(f"/loaners/{loaner_id}/return", data={"condition": "good", "notes": ""})
    assert r.status_code == 302
    page = client.get(f"/loaners/{loaner_id}").get_data(as_text=True)
    assert number in page and 'id="retire-form"' in page
    client.post(f"/loaners/{loaner_id}/retire", data={"reason": "battery swollen"})
    with app.app_context():
        assert db.session.get(Loaner, loaner_id).status == "retired"
    auth.logout()
    auth.login("receptionist")
    assert client.get("/loaners/new").status_code == 403
    assert client.get(f"/loaners/{loaner_id}").status_code == 200
