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

    link = re.search(r'id="uncollected-next" rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    page2 = client.get(link).get_data(as_text=True)
    assert numbers[2] in page2 and numbers[0] not in page2 and 'id="uncollected-first"' in page2
    r = client.get("/pickup/uncollected?after=garbage")
    assert r.status_code in (400, 422) and "page link" in r.get_data(as_text=True)


def test_the_uncollected_page_shows_each_handset_s_reminders_and_loaner(app, client, auth, staff):
    """The list's reminders column (how many, the day of the last) and its loaner badge
    come from the page's own query: per job, not mixed up between rows."""
    import re

    from models import OutboxMessage, User
    from workshop.notifications import outbox
    from workshop.pickup import loaners

    with app.app_context():
        sp = factories.service_point("SZ01")
        factories.user("receptionist", username="desk", sp=sp)
        reminded, lent, plain = (factories.ready_job(sp, ready_at=utcnow() - dt.timedelta(days=12 - i),
                                                     customer=factories.customer(sp, phone=f"+8613900000{i:03d}"))
                                 for i in range(3))
        for days in (7, 14):
            outbox.queue(reminded, "reminder", dedupe_key=f"reminder:{reminded.id}:{days}", days=days)
        db.session.flush()
        # The reminders went out on 2026-02-25 and 2026-03-04 (local time at the service point).
        first, last = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.job_id == reminded.id)
                                         .order_by(OutboxMessage.id)).all()
        first.created_at = dt.datetime(2026, 2, 25, 4, 0, tzinfo=dt.UTC)
        last.created_at = dt.datetime(2026, 3, 4, 4, 0, tzinfo=dt.UTC)
        # A message that is not a reminder does not count.
        outbox.queue(reminded, "ready_for_pickup", dedupe_key=f"ready:{reminded.id}")
        desk = db.session.get(User, staff["receptionist"])
        loaners.lend(desk, factories.loaner(sp), lent)
        db.session.commit()
        numbers = {"reminded": reminded.number, "lent": lent.number, "plain": plain.number}
    auth.login("desk")
    page = client.get("/pickup/uncollected").get_data(as_text=True)
    rows = {name: re.search(rf'<tr[^>]*data-job="{number}">(.*?)</tr>', page, re.DOTALL).group(1)
            for name, number in numbers.items()}
    cells = {name: re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for name, row in rows.items()}
    assert cells["reminded"][7].startswith("2") and "(2026-03-04)" in cells["reminded"][7]
    assert cells["lent"][7] == "0" and cells["plain"][7] == "0"
    assert "loaner out" in cells["lent"][5]
    assert "loaner out" not in cells["reminded"][5] and "loaner out" not in cells["plain"][5]
