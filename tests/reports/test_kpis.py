"""Each workshop KPI against a recount from raw rows, on a hand-built month at its
edges (service point in Asia/Shanghai: local midnight is 16:00 UTC the day before)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from decimal import Decimal

import pytest

from models import Job, PickupRecord, ValidationError, db
from tests import factories
from workshop.reports import kpis
from workshop.reports.period import Period, Scope

from .builders import collect, event, issue, job, local, repaired

NOV = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
NOW = local(2026, 12, 5, 12, 0)


@pytest.fixture
def month(shop):
    """The hand-built November; returns the jobs by name."""
    sp, p = shop
    j = {}
    # Ready at 23:30 on the promise day and collected that evening: on time, in November.
    j["A"] = repaired(sp, p, received_at=local(2026, 11, 2, 10), promised_by=dt.date(2026, 11, 9),
                      ready_at=local(2026, 11, 9, 23, 30), collected_at=local(2026, 11, 9, 23, 45), total="150.00")
    # Ready at 00:30 local on the day after the promise (still the promise day in UTC): late.
    j["B"] = repaired(sp, p, received_at=local(2026, 11, 3, 9), promised_by=dt.date(2026, 11, 5),
                      ready_at=local(2026, 11, 6, 0, 30), collected_at=local(2026, 11, 10, 10),
                      warranty_chargeable=False)
    # Taken in at 23:30 local on 31 October (October there), collected in November.
    j["C"] = repaired(sp, p, received_at=local(2026, 10, 31, 23, 30), ready_at=local(2026, 11, 1, 10),
                      collected_at=local(2026, 11, 1, 11), total="80.00")
    # Taken in at 23:50 local on 30 November (November), and at 00:10 on 1 December (not).
    j["D"] = job(sp, p, received_at=local(2026, 11, 30, 23, 50))
    j["E"] = job(sp, p, received_at=local(2026, 12, 1, 0, 10))
    # F: repair warranty to 20 November; G comes back on that last day: a re-repair.
    j["F"] = repaired(sp, p, received_at=local(2026, 11, 1, 9), ready_at=local(2026, 11, 3, 15),
                      collected_at=local(2026, 11, 4, 10), total="200.00", warranty_days=16)
    j["G"] = job(sp, p, received_at=local(2026, 11, 20, 18), rerepair_of=j["F"], warranty_chargeable=False)
    # H: repair warranty to 19 November; I is back on the 20th: outside it, H stays fixed.
    j["H"] = repaired(sp, p, received_at=local(2026, 11, 1, 9), ready_at=local(2026, 11, 4, 9),
                      collected_at=local(2026, 11, 5, 10), total="99.00", warranty_days=14)
    j["I"] = job(sp, p, received_at=local(2026, 11, 20, 9), rerepair_of=j["H"])
    # K: cancelled and handed back unrepaired: collected, but no repair to time or to fix.
    j["K"] = job(sp, p, received_at=local(2026, 11, 5, 9), status="cancelled")
    event(j["K"], p["receptionist"], "received", "cancelled", local(2026, 11, 6, 9))
    db.session.flush()
    collect(sp, p, j["K"], local(2026, 11, 7, 9), warranty_days=None)
    # L: ready on 25 November, still waiting on 5 December (10 days).
    j["L"] = repaired(sp, p, received_at=local(2026, 11, 20, 9), ready_at=local(2026, 11, 25, 10))
    # M: failed QC twice (engineer2's), collected in November.
    j["M"] = repaired(sp, p, received_at=local(2026, 11, 10, 9), ready_at=local(2026, 11, 15, 9),
                      collected_at=local(2026, 11, 16, 9), total="300.00", engineer=p["engineer2"], qc_failures=2)
    # N: collected at 00:05 on 1 December local (30 November in UTC): not November's.
    j["N"] = repaired(sp, p, received_at=local(2026, 11, 25, 9), ready_at=local(2026, 11, 28, 9),
                      collected_at=local(2026, 12, 1, 0, 5), total="55.00")
    screen = factories.part("SCR-1", cost="60.00")
    battery = factories.part("BAT-1", cost="25.00")
    issue(sp, p, j["A"], screen, qty=2, returned=1, at=local(2026, 11, 5, 10))
    issue(sp, p, j["M"], battery, qty=1, at=local(2026, 11, 12, 10), unit_cost="25.00")
    # Issued at 00:30 on 1 December local: December's consumption, but M's cost... (M is not its job)
    issue(sp, p, j["N"], screen, qty=1, at=local(2026, 12, 1, 0, 30))
    db.session.flush()
    return j


# --------------------------------------------------------------------------- the recount

def recount(sp, period: Period, now: dt.datetime) -> dict:
    """The figures counted by hand over every row, without the report's queries."""
    tz = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no daylight saving

    def local_date(moment):
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(tz).date()

    def inside(day):
        return period.start <= day <= period.end

    jobs = db.session.scalars(db.select(Job)).all()
    pickups = {pk.job_id: pk for pk in db.session.scalars(db.select(PickupRecord))}
    received = [j for j in jobs if inside(local_date(j.received_at))]
    collected = [j for j in jobs if j.id in pickups and inside(local_date(pickups[j.id].collected_at))]

    def ready_at(j):
        times = [e.at for e in j.events if e.kind == "status" and e.to_status == "ready"]
        return min(times) if times else None

    def days(a, b):
        a = a if a.tzinfo else a.replace(tzinfo=dt.UTC)
        b = b if b.tzinfo else b.replace(tzinfo=dt.UTC)
        return (b - a).total_seconds() / 86400

    to_ready = sorted(days(j.received_at, ready_at(j)) for j in collected if ready_at(j))
    on_time = [local_date(ready_at(j)) <= j.promised_by for j in collected if ready_at(j)]
    repaired_ones = [j for j in collected if pickups[j.id].repair_warranty_ends_on]
    back = [j for j in repaired_ones
            if any(o.rerepair_of_id == j.id and local_date(o.received_at) <= pickups[j.id].repair_warranty_ends_on
                   for o in jobs)]
    waiting = [j for j in jobs if j.status == "ready"]
    return {
        "jobs_received": len(received),
        "jobs_collected": len(collected),
        "turnaround_days_median": round(statistics.median(to_ready), 2),
        "turnaround_days_p90": round(to_ready[math.ceil(0.9 * len(to_ready)) - 1], 2),
        "on_time_rate": round(sum(on_time) / len(on_time), 4),
        "first_time_fix_rate": round((len(repaired_ones) - len(back)) / len(repaired_ones), 4),
        "rerepair_rate": round(sum(1 for j in received if j.rerepair_of_id) / len(received), 4),
        "warranty_share": round(sum(1 for j in received if not j.warranty_chargeable) / len(received), 4),
        "revenue": str(sum((Decimal(pickups[j.id].total) for j in collected), Decimal("0.00"))),
        "ready_uncollected": len(waiting),
    }


def test_every_kpi_equals_the_recount(shop, month):
    sp, _ = shop
    figures = kpis.compute(Scope((sp,)), NOV, now=NOW)
    expected = recount(sp, NOV, NOW)
    for key, value in expected.items():
        assert figures[key] == value, key


def test_edges_by_name(shop, month):
    sp, _ = shop
    scope = Scope((sp,))
    figures = kpis.compute(scope, NOV, now=NOW)
    # Received: A B D F G H I K L M N (C is October's, E December's local date).
    assert figures["jobs_received"] == 11
    # Collected: A B C F H K M (N at 00:05 on 1 December local is not November's).
    assert figures["jobs_collected"] == 7
    # Ready by the promise: everyone repaired except B (ready 00:30 the day after, local).
    on_time = kpis.drill("on_time_rate", scope, NOV)
    marks = {r["number"]: r["counted"] for r in on_time["rows"]}
    assert marks[month["A"].number] is True  # ready and collected on the promise day
    assert marks[month["B"].number] is False
    assert month["K"].number not in marks  # never repaired: not in the base
    assert figures["on_time_rate"] == round(5 / 6, 4)
    # First-time fix: F came back on the last day of its repair warranty; H a day too late.
    ftf = {r["number"]: r["counted"] for r in kpis.drill("first_time_fix_rate", scope, NOV)["rows"]}
    assert ftf[month["F"].number] is False and ftf[month["H"].number] is True
    assert figures["first_time_fix_rate"] == round(5 / 6, 4)
    assert figures["rerepair_rate"] == round(2 / 11, 4) and figures["warranty_share"] == round(2 / 11, 4)
    assert figures["revenue"] == "829.00"
    # Parts cost of the collected jobs: A kept 1 screen at 60, M 1 battery at 25 (N is December's).
    assert figures["parts_cost"] == "85.00"
    parts = {row["sku"]: row for row in figures["parts"]}
    assert parts["SCR-1"]["issued"] == 2 and parts["SCR-1"]["returned"] == 1 and parts["SCR-1"]["net"] == 1
    assert parts["BAT-1"]["net"] == 1 and parts["BAT-1"]["cost"] == "25.00"
    # Engineers: engineer2's M failed QC twice, then passed.
    people = {e["engineer"]: e for e in figures["engineers"]}
    assert people["engineer2"]["qc_failures"] == 2 and people["engineer2"]["passed_qc"] == 1
    assert people["engineer"]["qc_failures"] == 0
    assert people["engineer"]["passed_qc"] == 7  # A B C F H L N: C passed QC on 1 November
    # Ready, not collected: L, 10 local days on 5 December.
    assert figures["ready_uncollected"] == 1
    assert {b["bucket"]: b["jobs"] for b in figures["ready_ageing"]}["8-14"] == 1


def test_drill_lists_add_up_to_their_figures(shop, month):
    sp, _ = shop
    scope = Scope((sp,))
    figures = kpis.compute(scope, NOV, now=NOW)
    assert kpis.drill("jobs_received", scope, NOV)["counted"] == figures["jobs_received"]
    assert kpis.drill("jobs_collected", scope, NOV)["counted"] == figures["jobs_collected"]
    rr = kpis.drill("rerepair_rate", scope, NOV)
    assert kpis.rate(rr["counted"], rr["base"]) == figures["rerepair_rate"]
    assert {r["number"] for r in rr["rows"] if r["counted"]} == {month["G"].number, month["I"].number}
    turnaround = kpis.drill("turnaround", scope, NOV)
    assert statistics.median(r["days_to_ready"] for r in turnaround["rows"]) == pytest.approx(
        figures["turnaround_days_median"], abs=0.01)
    assert kpis.drill("ready_uncollected", scope, NOV, now=NOW)["rows"][0]["number"] == month["L"].number


def test_a_day_boundary_in_another_timezone(app, shop):
    """The same instant is 30 November in New York and 1 December in Shanghai."""
    sp, p = shop
    ny = factories.service_point("NY01", timezone="America/New_York")
    moment = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # 21:00 on 30 Nov in New York, 10:00 on 1 Dec in Shanghai
    job(ny, p, received_at=moment)
    job(sp, p, received_at=moment)
    db.session.flush()
    both = Scope((ny, sp))
    assert kpis.received_figures(Scope((ny,)), NOV)["jobs_received"] == 1
    assert kpis.received_figures(Scope((sp,)), NOV)["jobs_received"] == 0
    assert kpis.received_figures(both, Period(dt.date(2026, 12, 1), dt.date(2026, 12, 1)))["jobs_received"] == 1


def test_empty_period_has_no_rates(shop):
    sp, _ = shop
    figures = kpis.compute(Scope((sp,)), NOV, now=NOW)
    assert figures["jobs_received"] == 0 and figures["on_time_rate"] is None
    assert figures["turnaround_days_median"] is None and figures["revenue"] == "0.00"


def test_percentile_is_nearest_rank():
    assert kpis.percentile([float(i) for i in range(1, 11)], 0.9) == 9.0
    assert kpis.percentile([5.0], 0.9) == 5.0
    assert kpis.median([1.0, 2.0, 3.0, 10.0]) == 2.5


@pytest.mark.parametrize("figure", ["jobs_received", "jobs_collected", "on_time_rate", "first_time_fix_rate",
                                    "revenue", "ready_uncollected"])
def test_drill_pages_add_up_to_the_whole_list(shop, month, figure):
    """Keyset pages of two rows, followed by their ``next`` cursors, give the whole list
    in order, once each; every page carries the figure's own counts."""
    sp, _ = shop
    scope = Scope((sp,))
    whole = kpis.drill(figure, scope, NOV, now=NOW)
    assert whole["next"] is None
    pages, after = [], None
    while True:
        page = kpis.drill(figure, scope, NOV, now=NOW, after=after, limit=2)
        assert len(page["rows"]) <= 2
        assert (page["base"], page["counted"]) == (whole["base"], whole["counted"])
        pages.extend(page["rows"])
        after = page["next"]
        if after is None:
            break
    assert pages == whole["rows"]
    assert len(whole["rows"]) == whole["base"]
    assert sum(1 for r in whole["rows"] if r["counted"]) == whole["counted"]


def test_drill_refuses_a_bad_cursor_or_page_size(shop):
    sp, _ = shop
    scope = Scope((sp,))
    for after, limit, field in (("2026-11-05", 10, "after"), ("x.1", 10, "after"), (None, 0, "per_page"),
                                (None, kpis.MAX_PAGE + 1, "per_page")):
        with pytest.raises(ValidationError) as err:
            kpis.drill("jobs_collected", scope, NOV, after=after, limit=limit)
        assert field in err.value.errors
    with pytest.raises(ValidationError):
        kpis.drill("ready_uncollected", scope, NOV, after="-3", limit=5)
