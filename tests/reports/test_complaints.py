"""Complaint statistics, the complaint and satisfaction KPIs, the monthly PDF: each
figure against a recount on a hand-built month at its edges (an answer at exactly
24 h, registrations around the service point's midnight)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest

from models import Complaint, FollowUp, Remedy, db
from tests import factories
from workshop.reports import complaints as complaint_reports
from workshop.reports import kpis
from workshop.reports.period import Period, Scope, month_of

from .builders import job, local

NOV = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
NOW = local(2026, 12, 5, 12)
H = dt.timedelta(hours=1)
_seq = iter(range(1, 10_000))


def complaint(sp, p, *, at, channel="walk_in", category="repair_quality", level=None, responded_after=None,
              reported_after=None, closed_after=None, founded=None, root_cause=None, remedies=()):
    levels = {"walk_in": "general", "phone": "general", "manufacturer": "serious", "media": "critical"}
    level = level or levels[channel]
    c = Complaint(number=f"TS{next(_seq):05d}", service_point_id=sp.id, customer_id=factories.customer(sp).id,
                  channel=channel, category=category, level=level, status="closed" if closed_after else "open",
                  recorded_by_id=p["receptionist"].id, owner_id=p["manager"].id, registered_at=at,
                  respond_by=at + 24 * H, report_by=at + 48 * H if level != "general" else None,
                  responded_at=at + responded_after if responded_after is not None else None,
                  reported_at=at + reported_after if reported_after is not None else None,
                  closed_at=at + closed_after if closed_after else None, founded=founded, root_cause=root_cause)
    db.session.add(c)
    db.session.flush()
    for amount, status in remedies:
        db.session.add(Remedy(complaint_id=c.id, kind="discount", amount=Decimal(amount), status=status))
    db.session.flush()
    return c


def followup(sp, *, answered_at=None, satisfaction=None, due_on=dt.date(2026, 11, 20), status=None):
    n = next(_seq)
    f = FollowUp(service_point_id=sp.id, kind="pickup", customer_id=factories.customer(sp).id, due_on=due_on,
                 status=status or ("done" if answered_at else "open"), attempts=1 if answered_at else 0,
                 outcome="reached" if answered_at else None, satisfaction=satisfaction, answered_at=answered_at,
                 token=f"tok{n}", dedupe_key=f"test-{n}")
    db.session.add(f)
    db.session.flush()
    return f


@pytest.fixture
def month(shop):
    sp, p = shop
    c = {
        # Answered at exactly 24 h: on time.  Closed after 3 days; one remedy carried out, one only approved.
        "C1": complaint(sp, p, at=local(2026, 11, 2, 10), responded_after=24 * H, closed_after=72 * H, founded=True,
                        root_cause="repair_quality", remedies=[("50.00", "done"), ("20.00", "approved")]),
        # 23:30 local on 30 November: November's.  Answered a second after 24 h: late, so overdue.
        "C2": complaint(sp, p, at=local(2026, 11, 30, 23, 30), channel="phone", category="delay",
                        responded_after=24 * H + dt.timedelta(seconds=1)),
        # 00:10 local on 1 December, 23:59 on 31 October: not November's.
        "C3": complaint(sp, p, at=local(2026, 12, 1, 0, 10)),
        "C4": complaint(sp, p, at=local(2026, 10, 31, 23, 59)),
        # Serious, never answered nor reported: overdue and open.
        "C5": complaint(sp, p, at=local(2026, 11, 10, 9), channel="manufacturer", category="parts", founded=True),
        # Critical, answered and reported in time, closed after 5 days, not founded.
        "C6": complaint(sp, p, at=local(2026, 11, 15, 9), channel="media", category="service_attitude",
                        responded_after=2 * H, reported_after=40 * H, closed_after=120 * H, founded=False,
                        root_cause="staff", remedies=[("100.00", "done")]),
    }
    followup(sp, answered_at=local(2026, 11, 3, 10), satisfaction=5)
    followup(sp, answered_at=local(2026, 11, 29, 10), satisfaction=3)
    followup(sp, answered_at=local(2026, 11, 30, 23, 30), satisfaction=4)  # November, local
    followup(sp, answered_at=local(2026, 12, 1, 0, 30), satisfaction=1)  # December, local
    followup(sp, due_on=dt.date(2026, 11, 20))  # still to call: overdue on 5 December
    followup(sp, due_on=dt.date(2026, 12, 9))  # not yet due
    for day in range(1, 9):  # 8 jobs received in November
        job(sp, p, received_at=local(2026, 11, day, 10))
    db.session.flush()
    return c


def recount(period: Period, now: dt.datetime) -> dict:
    """Counted by hand over every complaint row (Asia/Shanghai is UTC+8 all year)."""
    tz = dt.timezone(dt.timedelta(hours=8))

    def utc(m):
        return m if m.tzinfo else m.replace(tzinfo=dt.UTC)

    rows = [c for c in db.session.scalars(db.select(Complaint))
            if period.start <= utc(c.registered_at).astimezone(tz).date() <= period.end]
    on_time = [c for c in rows if c.responded_at is not None and utc(c.responded_at) <= utc(c.respond_by)]

    def late(done, due):
        return due is not None and (utc(done) > utc(due) if done is not None else now > utc(due))

    overdue = [c for c in rows if late(c.responded_at, c.respond_by) or late(c.reported_at, c.report_by)]
    closed = [c for c in rows if c.status == "closed"]
    cost = sum((r.amount for c in rows for r in db.session.scalars(db.select(Remedy).where(
        Remedy.complaint_id == c.id, Remedy.status == "done"))), Decimal("0.00"))
    days = [(utc(c.closed_at) - utc(c.registered_at)).total_seconds() / 86400 for c in closed]
    answers = [f.satisfaction for f in db.session.scalars(db.select(FollowUp))
               if f.satisfaction is not None and f.answered_at is not None
               and period.start <= utc(f.answered_at).astimezone(tz).date() <= period.end]
    return {"received": len(rows), "responded_on_time": len(on_time), "overdue": len(overdue),
            "closed": len(closed), "founded": sum(1 for c in rows if c.founded),
            "remedy_cost": str(cost), "avg_days_to_close": round(sum(days) / len(days), 2),
            "satisfaction_average": round(sum(answers) / len(answers), 2),
            "satisfied_rate": round(sum(1 for a in answers if a >= 4) / len(answers), 4)}


def test_statistics_and_kpis_equal_the_recount(shop, month):
    sp, _ = shop
    scope = Scope((sp,))
    stats = complaint_reports.statistics(scope, NOV, now=NOW)
    expected = recount(NOV, NOW)
    totals = stats["totals"]
    for key in ("received", "responded_on_time", "overdue", "closed", "founded", "remedy_cost", "avg_days_to_close"):
        assert totals[key] == expected[key], key
    figures = complaint_reports.kpi_figures(scope, NOV, now=NOW)
    assert figures["satisfaction_average"] == expected["satisfaction_average"]
    assert figures["satisfied_rate"] == expected["satisfied_rate"]
    # By name: C1 C2 C5 C6 are November's; C1 (exactly 24 h) and C6 answered in time.
    assert totals["received"] == 4 and totals["responded_on_time"] == 2
    assert totals["overdue"] == 2  # C2 answered a second late, C5 never
    assert totals["remedy_cost"] == "150.00"  # 50 + 100 carried out; the approved 20 is not spent yet
    assert totals["avg_days_to_close"] == 4.0  # C1 3 days, C6 5 days
    assert totals["responded_on_time_rate"] == 0.5 and totals["resolution_rate"] == 0.5
    assert figures["complaints_per_100_jobs"] == 50.0  # 4 complaints, 8 jobs
    assert figures["satisfaction_average"] == 4.0 and figures["satisfied_rate"] == round(2 / 3, 4)


def test_rows_by_month_category_level(shop, month):
    sp, _ = shop
    stats = complaint_reports.statistics(Scope((sp,)), NOV, now=NOW)
    rows = {(r["month"], r["category"], r["level"]): r for r in stats["rows"]}
    assert set(rows) == {("2026-11", "repair_quality", "general"), ("2026-11", "delay", "general"),
                         ("2026-11", "parts", "serious"), ("2026-11", "service_attitude", "critical")}
    first = rows[("2026-11", "repair_quality", "general")]
    assert first["channels"] == {"walk_in": 1} and first["responded_on_time"] == 1 and first["closed"] == 1
    assert rows[("2026-11", "delay", "general")]["channels"] == {"phone": 1}
    both = complaint_reports.statistics(Scope((sp,)), Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31)), now=NOW)
    assert {r["month"] for r in both["rows"]} == {"2026-10", "2026-11", "2026-12"}


def test_lists_behind_the_figures(shop, month):
    sp, _ = shop
    scope = Scope((sp,))
    on_time = complaint_reports.drill("responded_on_time_rate", scope, NOV, now=NOW)
    marks = {r["case"].number: r["counted"] for r in on_time["rows"]}
    assert marks[month["C1"].number] is True and marks[month["C2"].number] is False
    assert month["C3"].number not in marks and month["C4"].number not in marks
    assert [c.number for c in complaint_reports.open_serious(scope)] == [month["C5"].number]
    # Overdue now, whenever registered: C3 and C4 (never answered) too.
    assert {c.number for c in complaint_reports.open_overdue(scope, NOW)} == {
        month[k].number for k in ("C2", "C3", "C4", "C5")}
    assert len(complaint_reports.overdue_calls(scope, NOW)) == 1
    assert complaint_reports.root_causes(scope, NOV) == [("repair_quality", 1), ("staff", 1)]
    assert len(complaint_reports.answers(scope, NOV)) == 3


def test_kpis_carry_the_complaint_figures(shop, month):
    sp, _ = shop
    figures = kpis.compute(Scope((sp,)), NOV, now=NOW, more_figures=complaint_reports.kpi_extra(NOW))
    assert figures["jobs_received"] == 8 and figures["complaints_received"] == 4
    assert figures["complaints_per_100_jobs"] == 50.0 and figures["satisfaction_average"] == 4.0


NOV_Q = {"from": "2026-11-01", "to": "2026-11-30"}


def _login(client, name):
    assert client.post("/login", data={"username": name, "password": factories.PASSWORD}).status_code == 302


def test_api_and_pages(app, shop, month, token_for):
    _, p = shop
    db.session.commit()
    serious = month["C5"].number
    db.session.commit()  # no transaction left open here while the requests run (SQLite locks)
    manager = token_for(p["manager"])
    client = app.test_client()
    body = client.get("/api/v1/reports/complaints", query_string=NOV_Q, headers=manager).json
    row = body["rows"][0]
    for key in ("month", "category", "level", "received", "closed", "responded_on_time", "overdue"):
        assert key in row
    assert body["totals"]["received"] == 4 and "responded_on_time_rate" in body["totals"]
    k = client.get("/api/v1/reports/kpis", query_string=NOV_Q, headers=manager).json
    for key in ("complaints_received", "complaints_per_100_jobs", "satisfaction_average", "satisfied_rate"):
        assert key in k
    assert client.get("/api/v1/reports/complaints", query_string={"from": "2026-11-31"},
                      headers=manager).status_code == 422
    _login(client, "manager")
    page = client.get("/reports/complaints", query_string=NOV_Q).get_data(as_text=True)
    assert 'id="complaint-stats"' in page and "<svg" in page
    listing = client.get("/reports/complaints/list/complaints_overdue", query_string=NOV_Q).get_data(as_text=True)
    assert listing.count('data-complaint="') == 4
    assert client.get("/reports/satisfaction", query_string=NOV_Q).get_data(as_text=True).count('data-followup="') == 3
    csv_text = client.get("/reports/complaints.csv", query_string=NOV_Q).get_data(as_text=True)
    assert "repair_quality" in csv_text and len(csv_text.strip().splitlines()) == 5
    home = client.get("/").get_data(as_text=True)
    assert 'id="dashboard-overdue"' in home and serious in home


@pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdftoppm"), reason="poppler-utils missing")
def test_monthly_pdf_renders_with_its_text(app, shop, month, tmp_path):
    db.session.commit()
    serious = month["C5"].number
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    _login(client, "manager")
    r = client.get("/reports/complaints.pdf", query_string={"month": "2026-11"})
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(r.data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "客户投诉情况及处理月报" in text and "2026-11" in text
    assert serious in text  # the open serious case
    assert "150.00" in text  # remedy cost
    assert client.get("/reports/complaints.pdf", query_string={"month": "11/2026"}).status_code == 422
    assert io.BytesIO(r.data).read(4) == b"%PDF"


@pytest.mark.parametrize("now", [local(2026, 11, 2, 9), local(2026, 11, 20, 12), NOW])
def test_counted_totals_equal_the_cases_totals(shop, month, now):
    """The complaint KPIs' totals counted by the database equal the same totals over the
    period's cases in Python (the statistics table's), as deadlines pass."""
    sp, _ = shop
    scope = Scope((sp,))
    for period in (NOV, Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31)), Period(NOW.date(), NOW.date())):
        group = complaint_reports.cases(scope, period)
        assert complaint_reports._counted_totals(scope, period, now) == complaint_reports._totals(group, now)


def test_satisfaction_by_month_equals_each_month_counted_alone(shop, month):
    """The twelve months in one statement give each month's own average, with answers
    a few minutes either side of a local midnight that starts a month."""
    sp, _ = shop
    scope = Scope((sp,))
    followup(sp, answered_at=local(2026, 11, 1, 0, 5), satisfaction=1)  # 31 October in UTC: November's
    followup(sp, answered_at=local(2026, 10, 31, 23, 55), satisfaction=5)  # October's
    followup(sp, answered_at=local(2026, 1, 15, 9), satisfaction=3)  # eleven months before December
    db.session.flush()
    got = complaint_reports.satisfaction_by_month(scope, dt.date(2026, 12, 3))
    assert [m for m, _ in got] == [f"2026-{k:02d}" for k in range(1, 13)]
    for label, value in got:
        alone = month_of(dt.date.fromisoformat(label + "-01"))
        assert value == complaint_reports.satisfaction(scope, alone)["satisfaction_average"]
    assert dict(got)["2026-01"] == 3.0 and dict(got)["2026-10"] is not None


def test_count_by_category_equals_the_statistics(shop, month):
    sp, _ = shop
    scope = Scope((sp,))
    for period in (NOV, Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))):
        assert complaint_reports.count_by_category(scope, period) == complaint_reports.by_category(
            complaint_reports.statistics(scope, period, now=NOW))
