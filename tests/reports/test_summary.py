"""The collected-job summary equals a recount from the live rows after random
changes, and rolls back with the transaction that made it."""

from __future__ import annotations

import datetime as dt
import random

from models import CollectedJobFact, db
from tests import factories
from workshop.reports import kpis, summary
from workshop.reports.period import Period, Scope

from .builders import collect, issue, job, local, repaired

ALL_TIME = Period(dt.date(2025, 12, 1), dt.date(2026, 12, 31))


def _summary_rows():
    return {f.job_id: (f.collected_on, f.ready_on, round(f.days_to_ready, 9) if f.days_to_ready is not None else None,
                       round(f.days_to_collected, 9), f.on_time, f.first_time_fix, f.total, f.parts_cost)
            for f in db.session.scalars(db.select(CollectedJobFact))}


def _recount(scope):
    return {c.job_id: (c.collected_on, c.ready_on, round(c.days_to_ready, 9) if c.days_to_ready is not None else None,
                       round(c.days_to_collected, 9), c.on_time, c.first_time_fix, c.total, c.parts_cost)
            for c in kpis.collected_jobs(scope, ALL_TIME)}


def test_summary_equals_recount_after_random_changes(shop):
    sp, p = shop
    rng = random.Random(12)
    scope = Scope((sp,))
    screen = factories.part("SCR-R", cost="42.50")
    done = []
    for n in range(40):
        received = local(2026, 1 + rng.randrange(10), 1 + rng.randrange(28), rng.randrange(24), rng.randrange(60))
        ready = received + dt.timedelta(hours=rng.randrange(2, 400))
        collected = ready + dt.timedelta(hours=rng.randrange(1, 200)) if rng.random() < 0.8 else None
        j = repaired(sp, p, received_at=received, ready_at=ready, collected_at=collected,
                     promised_by=(received + dt.timedelta(days=rng.randrange(2, 12))).date(),
                     total=f"{rng.randrange(0, 500)}.00", warranty_days=rng.choice([None, 10, 30, 90]))
        if rng.random() < 0.4:
            issue(sp, p, j, screen, qty=1 + rng.randrange(2), at=received + dt.timedelta(hours=1))
        if collected is not None:
            done.append(j)
        if done and rng.random() < 0.3:  # a re-repair of an earlier collected job, inside or outside its warranty
            earlier = rng.choice(done)
            ends = earlier.repair_warranty_ends_on or dt.date(2026, 6, 1)
            back_on = ends + dt.timedelta(days=rng.choice([-3, 0, 1, 5]))
            job(sp, p, received_at=local(back_on.year, back_on.month, back_on.day, 10), rerepair_of=earlier)
        if rng.random() < 0.3:
            db.session.commit()
    # A collected job that gets a pickup later, a requisition line returned after pickup
    late = repaired(sp, p, received_at=local(2026, 11, 1, 9), ready_at=local(2026, 11, 2, 9))
    db.session.flush()
    collect(sp, p, late, local(2026, 11, 3, 9), total="12.00")
    req = issue(sp, p, done[0], screen, qty=2, at=local(2026, 11, 4, 9))
    req.lines[0].returned_qty = 1
    db.session.commit()
    expected = _recount(scope)
    assert len(expected) == len(done) + 1
    assert _summary_rows() == expected
    # The KPIs read the summary and equal the recount's figures.
    live = kpis.collected_figures(kpis.collected_jobs(scope, ALL_TIME))
    assert kpis.collected_figures(kpis.collected_facts(scope, ALL_TIME)) == live
    assert kpis.collected_summary(scope, ALL_TIME)[0] == live


def test_summary_rolls_back_with_the_change(shop):
    sp, p = shop
    j = repaired(sp, p, received_at=local(2026, 11, 1, 9), ready_at=local(2026, 11, 2, 9),
                 collected_at=local(2026, 11, 3, 9), total="50.00", warranty_days=30)
    db.session.commit()
    assert _summary_rows()[j.id][5] is True  # first-time fix so far
    job(sp, p, received_at=local(2026, 11, 20, 9), rerepair_of=j)
    db.session.flush()
    assert _summary_rows()[j.id][5] is False  # back within its warranty
    db.session.rollback()
    assert _summary_rows()[j.id][5] is True


def test_rebuild_recomputes_everything(shop):
    sp, p = shop
    j = repaired(sp, p, received_at=local(2026, 11, 1, 9), ready_at=local(2026, 11, 2, 9),
                 collected_at=local(2026, 11, 3, 9), total="50.00")
    db.session.commit()
    before = _summary_rows()
    db.session.execute(db.delete(CollectedJobFact))
    assert _summary_rows() == {}
    assert summary.rebuild(db.session.connection()) == 1
    assert _summary_rows() == before and j.id in before
