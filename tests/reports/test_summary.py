"""The collected-job summary equals a recount from the live rows after random
changes, and rolls back with the transaction that made it."""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
from decimal import Decimal

import pytest

from models import CollectedJobFact, Job, ReportDay, db
from tests import factories
from workshop.reports import kpis, summary
from workshop.reports.period import Period, Scope

from .builders import SHANGHAI, collect, event, issue, job, local, repaired

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
    assert kpis.collected_summary(scope, ALL_TIME) == live


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


# --------------------------------------------------------------------------- the daily summary

def _day_rows():
    return {(r.service_point_id, r.day): tuple(getattr(r, name) for name in ReportDay.COUNTS)
            for r in db.session.scalars(db.select(ReportDay))}


def _day_recount(scope):
    """Each (service point, local day)'s counts recounted in Python from the raw rows:
    the jobs by ``received_on`` and the live collected jobs (kpis.collected_jobs) by
    their collection day."""
    out: dict = {}

    def row(sp_id, day):
        return out.setdefault((sp_id, day), [0] * 10 + [Decimal("0.00"), Decimal("0.00")])

    for j in db.session.scalars(db.select(Job)):
        r = row(j.service_point_id, j.received_on)
        r[0] += 1
        r[1] += j.rerepair_of_id is not None
        r[2] += j.warranty_chargeable is False
    for c in kpis.collected_jobs(scope, ALL_TIME):
        r = row(c.service_point_id, c.collected_on)
        r[3] += 1
        r[4] += c.days_to_ready is not None
        r[5] += c.on_time is not None
        r[6] += c.on_time is True
        r[7] += c.first_time_fix is not None
        r[8] += c.first_time_fix is True
        r[9] += c.total > 0
        r[10] += c.total
        r[11] += c.parts_cost
    return {k: tuple(v) for k, v in out.items()}


def _period_figures_equal_recount(scope, period):
    """The KPIs over ``period`` (read from both summaries, medians and percentiles found
    in the database) equal the same figures recounted in Python from the raw rows."""
    live = kpis.collected_figures(kpis.collected_jobs(scope, period))
    assert kpis.collected_summary(scope, period) == live
    received = [j for j in db.session.scalars(db.select(Job)) if period.start <= j.received_on <= period.end]
    figures = kpis.received_figures(scope, period)
    assert figures["jobs_received"] == len(received)
    assert figures["rerepairs_received"] == sum(1 for j in received if j.rerepair_of_id is not None)
    assert figures["warranty_jobs"] == sum(1 for j in received if j.warranty_chargeable is False)
    by_day: dict = {}
    for c in kpis.collected_jobs(scope, period):
        if c.days_to_ready is not None:
            by_day.setdefault(c.collected_on, []).append(c.days_to_ready)
    assert kpis.turnaround_per_day(scope, period) == [(d, kpis.median(by_day.get(d, []))) for d in period.dates()]
    assert [n for _, n in kpis.collected_per_day(scope, period)] == [
        sum(1 for c in kpis.collected_jobs(scope, period) if c.collected_on == d) for d in period.dates()]


def test_daily_summary_equals_recount_after_random_moves(shop):
    """Seeded random jobs through the workflow at the KPI edges (ready on the promise
    day or the day after, collected a minute either side of local midnight, re-repairs
    on the warranty's last day or the day after), then random corrections (warranty
    decision, promise, intake date, re-repair link, a late ready move, parts), with
    commits and a rollback between: the daily rows equal a recount from the raw rows,
    and so do the period figures read from them."""
    sp, p = shop
    rng = random.Random(2026)
    scope = Scope((sp,))
    screen = factories.part("SCR-D", cost="30.00")
    jobs, collected = [], []
    for _ in range(36):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randrange(50))
        received = local(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60))
        ready = received + dt.timedelta(hours=rng.randrange(3, 300))
        ready_day = ready.astimezone(SHANGHAI).date()
        promise = ready_day + dt.timedelta(days=rng.choice([-1, 0, 0, 1]))
        if rng.random() < 0.75:
            # Collected a minute before or after a local midnight.
            night = ready.astimezone(SHANGHAI).date() + dt.timedelta(days=1 + rng.randrange(4))
            collected_at = local(night.year, night.month, night.day, 0, 0) + dt.timedelta(minutes=rng.choice([-1, 1]))
        else:
            collected_at = None
        j = repaired(sp, p, received_at=received, ready_at=ready, collected_at=collected_at, promised_by=promise,
                     total=rng.choice(["0.00", "35.50", "120.00"]), warranty_days=rng.choice([None, 7, 30]),
                     warranty_chargeable=rng.random() < 0.7)
        jobs.append(j)
        if rng.random() < 0.3:
            issue(sp, p, j, screen, qty=1, at=received + dt.timedelta(hours=1), unit_cost="30.00")
        if collected_at is not None:
            collected.append(j)
        if collected and rng.random() < 0.3:
            earlier = rng.choice(collected)
            ends = earlier.repair_warranty_ends_on or dt.date(2026, 11, 1)
            back = ends + dt.timedelta(days=rng.choice([0, 1]))
            jobs.append(job(sp, p, received_at=local(back.year, back.month, back.day, 23, 59), rerepair_of=earlier))
        if rng.random() < 0.25:
            db.session.commit()
    db.session.commit()
    assert _day_rows() == _day_recount(scope)
    for _ in range(30):
        j = rng.choice(jobs)
        move = rng.randrange(6)
        if move == 0:
            j.warranty_chargeable = not j.warranty_chargeable
        elif move == 1:
            j.promised_by = j.promised_by + dt.timedelta(days=rng.choice([-1, 1]))
        elif move == 2:  # the intake date corrected across a local midnight
            j.received_at = j.received_at + dt.timedelta(hours=rng.choice([-20, 20]))
            j.received_on = j.received_at.astimezone(SHANGHAI).date()
        elif move == 3:
            j.rerepair_of = None if j.rerepair_of is not None else rng.choice(collected)
        elif move == 4 and j.status == "ready":  # ready again earlier (a second move to ready)
            event(j, p["qc"], "qc", "ready", j.received_at + dt.timedelta(hours=2))
        elif move == 5 and j in collected:
            issue(sp, p, j, screen, qty=1, returned=rng.randrange(2), at=j.received_at + dt.timedelta(hours=3))
        db.session.flush()
        if rng.random() < 0.2:
            db.session.rollback()
            jobs = [db.session.merge(x) for x in jobs]
            collected = [db.session.merge(x) for x in collected]
        elif rng.random() < 0.5:
            db.session.commit()
    db.session.commit()
    assert _day_rows() == _day_recount(scope)
    assert _summary_rows() == _recount(scope)
    for start, end in ((dt.date(2026, 10, 1), dt.date(2026, 10, 31)), (dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
                       (dt.date(2026, 10, 15), dt.date(2026, 11, 14)), (ALL_TIME.start, ALL_TIME.end)):
        _period_figures_equal_recount(scope, Period(start, end))


@pytest.mark.parametrize("n", [1, 2, 3, 9, 10, 11])
def test_median_and_p90_found_in_the_database(shop, n):
    """The median (of an even count, the mean of the two middle values) and the
    nearest-rank 90th percentile (the ⌈0.9 n⌉-th value) found in the database equal
    Python's over the same values."""
    sp, p = shop
    scope = Scope((sp,))
    hours = [5, 77, 13, 41, 29, 101, 3, 60, 45, 88, 17][:n]
    for h in hours:
        received = local(2026, 11, 2, 9)
        repaired(sp, p, received_at=received, ready_at=received + dt.timedelta(hours=h),
                 collected_at=local(2026, 11, 12, 10))
    db.session.commit()
    days = sorted(h / 24 for h in hours)
    period = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    figures = kpis.collected_summary(scope, period)
    assert figures["turnaround_days_median"] == round(statistics.median(days), 2)
    assert figures["turnaround_days_p90"] == round(days[math.ceil(0.9 * n) - 1], 2)
    assert dict(kpis.turnaround_per_day(scope, period))[dt.date(2026, 11, 12)] == round(statistics.median(days), 2)
