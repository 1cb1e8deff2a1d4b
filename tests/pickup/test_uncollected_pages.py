"""The uncollected list a page at a time (keyset on how long a handset waits), with the
balances of a page read in one go (pickup.bills)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import event

from models import ValidationError, db, utcnow
from tests import factories
from workshop.pickup import collection as pickup_service
from workshop.pickup.collection import PaymentInput


def _shelf(n):
    sp = factories.service_point("SZ01")
    jobs = [factories.ready_job(sp, ready_at=utcnow() - dt.timedelta(days=20 - i), warranty_chargeable=True,
                                estimate_amount=Decimal(100 + i)) for i in range(n)]
    db.session.commit()
    return sp, jobs


def test_pages_follow_each_other_by_key_longest_waiting_first(db, staff):
    sp, jobs = _shelf(5)
    first = pickup_service.shelf_page([sp.id], limit=2)
    assert [w.job.number for w in first.waiting] == [jobs[0].number, jobs[1].number]
    assert first.total == 5 and first.next_after
    # A handset collected meanwhile does not shift the next page.
    jobs[0].status = "collected"
    db.session.commit()
    second = pickup_service.shelf_page([sp.id], after=first.next_after, limit=2)
    assert [w.job.number for w in second.waiting] == [jobs[2].number, jobs[3].number]
    last = pickup_service.shelf_page([sp.id], after=second.next_after, limit=2)
    assert [w.job.number for w in last.waiting] == [jobs[4].number] and last.next_after is None
    assert [w.job.number for w in pickup_service.waiting_for_pickup([sp.id])] == [j.number for j in jobs[1:]]


def test_a_cursor_that_is_not_one_is_refused(db, staff):
    sp, _ = _shelf(1)
    for bad in ("nonsense", "12~", "~SZ01-000001", "9" * 40 + "~x"):
        try:
            pickup_service.shelf_page([sp.id], after=bad)
        except ValidationError as exc:
            assert "after" in exc.errors
        else:
            raise AssertionError(f"{bad!r} was taken for a cursor")


def test_bills_of_a_page_equal_each_job_s_bill_in_a_fixed_number_of_queries(db, staff):
    from models import User

    _sp, jobs = _shelf(6)
    desk = db.session.get(User, staff["receptionist"])
    pickup_service.record_deposit(jobs[1], desk, PaymentInput(method="cash", amount="30"))
    pickup_service.set_charge(jobs[2], desk, "discount", "15", "loyal customer")
    pickup_service.set_charge(jobs[3], desk, "labour", "55")
    db.session.commit()
    one_by_one = {job.id: pickup_service.bill(job) for job in jobs}
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        together = pickup_service.bills(jobs)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert together == one_by_one
    assert together[jobs[1].id].deposit == Decimal("30.00")
    assert together[jobs[2].id].discount == Decimal("15.00")
    assert together[jobs[3].id].labour_source == "set"
    assert len(statements) <= 5  # pickups, parts, charges, deposits (+ lazy events at most once)


def test_the_uncollected_page_links_to_the_next_and_refuses_a_bad_cursor(app, client, auth, monkeypatch):
    with app.app_context():
        sp = factories.service_point("SZ01")
        factories.user("receptionist", username="desk", sp=sp)
        jobs = [factories.ready_job(sp, ready_at=utcnow() - dt.timedelta(days=9 - i)) for i in range(3)]
        db.session.commit()
        numbers = [j.number for j in jobs]
    monkeypatch.setattr(pickup_service, "SHELF_PAGE", 2)
    auth.login("desk")
    page = client.get("/pickup/uncollected").get_data(as_text=True)
    assert numbers[0] in page and numbers[1] in page and numbers[2] not in page
    assert 'id="uncollected-total">3<' in page and 'id="uncollected-next"' in page
    import re

    link = re.search(r'href="([^"]+)" id="uncollected-next"', page).group(1).replace("&amp;", "&")
    page2 = client.get(link).get_data(as_text=True)
    assert numbers[2] in page2 and numbers[0] not in page2 and 'id="uncollected-first"' in page2
    r = client.get("/pickup/uncollected?after=garbage")
    assert r.status_code in (400, 422) and "page link" in r.get_data(as_text=True)
