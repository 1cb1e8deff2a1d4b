"""Time every report on the million-job data set against a floor measured in the same run.

Make the data set with the one generator (``bench/data.py``), its after-sales and
parts generators and the reports' summaries included, then time::

    python bench/data.py --url sqlite:////tmp/reports2_1m.db --jobs 1000000 --service-points 5 --with-aftercare
    python bench/reports.py --url sqlite:////tmp/reports2_1m.db
    python bench/reports.py --url postgresql://postgres@127.0.0.1:5432/reports2_1m

(``--generate`` runs the first step from here.)  The data set: five service points
in Asia/Shanghai over three years up to the day it was made, 1,000,000 jobs,
~3.3 million job events, ~1 million pickups, ~250,000 parts requisitions, 50,000
complaints with 25,000 remedies, ~250,000 follow-up calls.

Each report is timed as the domain function the page, API and CLI call, over the
last whole month before the data set's end, for all five service points and for one;
then the pages themselves through the app (a manager of the five, signed in).  The
floor of a report is the same aggregate as one hand-written SQL query in the same
run: over the raw tables (what a report without the summaries would have to do) and,
for the summary-backed figures, over the summary tables.  Figures are the median of
``--runs`` runs after a warm-up, in milliseconds of wall time, with the CPU time of
this process in the same run (on a loaded machine the wall time includes waiting
for a core; with SQLite the CPU time is all of the work, with PostgreSQL the
server's is not in it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import bindparam, text

from config import TestingConfig, normalise_database_url
from models import ServicePoint, User, db

#: The manager the pages are timed for (granted the other service points here).
MANAGER = "manager1_sz01"


#: CPU milliseconds of this process in the last :func:`timed` (the median run's):
#: on a loaded machine the wall time includes waiting for a core; the CPU time does
#: not (with SQLite it is all of the work; with PostgreSQL the server's is not in it).
LAST_CPU: list[float] = [0.0]


def timed(fn: Callable[[], object], runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        samples.append(((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000))
        db.session.rollback()
    samples.sort()
    wall, cpu = samples[len(samples) // 2]
    LAST_CPU[0] = cpu
    return wall


def floors(dialect: str, start: dt.date, end: dt.date, lo: dt.datetime, hi: dt.datetime) -> dict[str, str]:
    """One hand-written SQL query per report: the same aggregate, nothing more.
    ``lo``/``hi``: the UTC instants of the month's first and last-but-one local midnights."""
    d0, d1 = f"'{start.isoformat()}'", f"'{end.isoformat()}'"
    if dialect == "sqlite":
        b0, b1 = f"'{lo:%Y-%m-%d %H:%M:%S.%f}'", f"'{hi:%Y-%m-%d %H:%M:%S.%f}'"
    else:
        b0, b1 = f"TIMESTAMPTZ '{lo.isoformat()}'", f"TIMESTAMPTZ '{hi.isoformat()}'"
    return {
        "received raw": "SELECT count(*), sum(CASE WHEN rerepair_of_id IS NOT NULL THEN 1 ELSE 0 END), "
                        "sum(CASE WHEN warranty_chargeable THEN 0 ELSE 1 END) FROM jobs "
                        f"WHERE service_point_id IN :sps AND received_on BETWEEN {d0} AND {d1}",
        "collected raw": "SELECT count(*), sum(p.total), sum(CASE WHEN (SELECT min(e.at) FROM job_events e WHERE "
                         "e.job_id = j.id AND e.to_status = 'ready') IS NOT NULL THEN 1 ELSE 0 END), "
                         "sum(CASE WHEN EXISTS (SELECT 1 FROM jobs r WHERE r.rerepair_of_id = j.id AND "
                         "r.received_on <= p.repair_warranty_ends_on) THEN 1 ELSE 0 END) FROM jobs j JOIN pickups p "
                         f"ON p.job_id = j.id WHERE j.service_point_id + 0 IN :sps AND p.collected_on BETWEEN {d0} "
                         f"AND {d1}",
        "days": "SELECT sum(received), sum(rerepairs), sum(warranty), sum(collected), sum(made_ready), "
                "sum(on_time_base), sum(on_time), sum(ftf_base), sum(first_time_fix), sum(charged), sum(revenue), "
                f"sum(parts_cost) FROM report_days WHERE service_point_id IN :sps AND day BETWEEN {d0} AND {d1}",
        "p90 facts": "SELECT days_to_ready FROM report_collected_jobs WHERE service_point_id IN :sps AND "
                     f"collected_on BETWEEN {d0} AND {d1} AND days_to_ready IS NOT NULL ORDER BY days_to_ready "
                     "LIMIT 1 OFFSET (SELECT CAST(0.9 * count(*) AS INTEGER) FROM report_collected_jobs WHERE "
                     f"service_point_id IN :sps AND collected_on BETWEEN {d0} AND {d1} AND days_to_ready IS NOT NULL)",
        "parts": "SELECT l.part_id, sum(l.issued_qty - l.returned_qty), "
                 "sum((l.issued_qty - l.returned_qty) * l.unit_cost) FROM requisition_lines l JOIN requisitions r "
                 f"ON r.id = l.requisition_id WHERE r.status = 'issued' AND r.service_point_id IN :sps AND "
                 f"r.issued_at >= {b0} AND r.issued_at < {b1} GROUP BY l.part_id",
        "engineers": "SELECT j.engineer_id, count(*) FROM job_events e JOIN jobs j ON j.id = e.job_id WHERE "
                     "e.from_status = 'qc' AND e.to_status IN ('ready', 'repairing') AND "
                     f"j.service_point_id IN :sps AND e.at >= {b0} AND e.at < {b1} GROUP BY j.engineer_id",
        "ready": "SELECT count(*) FROM jobs WHERE service_point_id IN :sps AND status = 'ready'",
        "complaints": "SELECT category, level, count(*) FROM complaints WHERE service_point_id IN :sps AND "
                      f"registered_at >= {b0} AND registered_at < {b1} GROUP BY category, level",
    }


def prepare(app) -> tuple[dt.date, dt.date]:
    """Grant the bench manager every service point; ANALYZE; the month to time (the
    last whole month before the newest job)."""
    with app.app_context():
        manager = db.session.scalar(db.select(User).where(User.username == MANAGER))
        sps = db.session.scalars(db.select(ServicePoint).order_by(ServicePoint.id)).all()
        missing = [sp for sp in sps if sp.id not in manager.service_point_ids]
        if missing:
            manager.granted_service_points.extend(sp for sp in missing if sp.id != manager.service_point_id)
            db.session.commit()
        db.session.rollback()
        with db.engine.connect() as c:
            c.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        newest = db.session.scalar(text("SELECT max(received_on) FROM jobs"))
        newest = newest if isinstance(newest, dt.date) else dt.date.fromisoformat(str(newest))
        end = newest.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end


def measure(app, runs: int, month: tuple[dt.date, dt.date], pages: bool) -> None:
    from workshop.reports import complaints as complaint_reports
    from workshop.reports import dashboard, kpis
    from workshop.reports.period import Period, Scope

    with app.app_context():
        d = db.engine.dialect.name
        sps = tuple(db.session.scalars(db.select(ServicePoint).order_by(ServicePoint.id)))
        first_code = sps[0].code
        period = Period(*month)
        manager = db.session.scalar(db.select(User).where(User.username == MANAGER))
        now = dt.datetime.combine(period.end + dt.timedelta(days=20), dt.time(4), dt.UTC)
        lo, hi = Scope(sps).utc_bounds(period)[0][1:]
        sql = floors(d, period.start, period.end, lo, hi)

        def floor(name, scope):
            q = text(sql[name]).bindparams(bindparam("sps", expanding=True))
            return timed(lambda: db.session.execute(q, {"sps": scope.ids}).all(), runs)

        def show(label, name, ms, fl=(), cpu=None):
            floor_text = "  ".join(f"floor {n}: {v:.1f}" for n, v in fl)
            print(f"{d:10} {label:6} {name:58} {ms:8.1f} ms (cpu {cpu:6.1f})  {floor_text}", flush=True)

        extra = complaint_reports.kpi_extra(now)
        for label, scope in (("5 SPs", Scope(sps)), ("1 SP", Scope(sps[:1]))):
            middle = kpis.drill("jobs_collected", scope, period, limit=kpis.MAX_PAGE)["next"]
            cases = [
                ("jobs received, re-repair rate, warranty share", ("received raw", "days"),
                 lambda s=scope: kpis.received_figures(s, period)),
                ("collected: counts, rates, revenue, parts cost, median, p90", ("collected raw", "days", "p90 facts"),
                 lambda s=scope: kpis.collected_summary(s, period)),
                ("parts consumption by SKU", ("parts",), lambda s=scope: kpis.parts_by_sku(s, period)),
                ("engineer workload and output", ("engineers",), lambda s=scope: kpis.engineers(s, period)),
                ("ready but uncollected ageing", ("ready",), lambda s=scope: kpis.ageing(kpis.ready_waiting(s, now))),
                ("jobs received and collected per day (charts)", (),
                 lambda s=scope: (kpis.received_per_day(s, period), kpis.collected_per_day(s, period))),
                ("median days to ready per day (chart)", (), lambda s=scope: kpis.turnaround_per_day(s, period)),
                ("all KPIs with the complaint figures (kpis.compute)", (),
                 lambda s=scope: kpis.compute(s, period, now=now, more_figures=extra)),
                ("drill-down jobs collected: first page (100)", (),
                 lambda s=scope: kpis.drill("jobs_collected", s, period, limit=100)),
                ("drill-down jobs collected: page after 1000 rows", (),
                 lambda s=scope, m=middle: kpis.drill("jobs_collected", s, period, after=m, limit=100)),
                ("drill-down jobs received: first page (100)", (),
                 lambda s=scope: kpis.drill("jobs_received", s, period, limit=100)),
                ("complaint statistics table", ("complaints",),
                 lambda s=scope: complaint_reports.statistics(s, period, now=now)),
                ("complaint and satisfaction KPIs", (),
                 lambda s=scope: complaint_reports.kpi_figures(s, period, now=now)),
            ]
            for name, floor_names, fn in cases:
                ms = timed(fn, runs)
                cpu = LAST_CPU[0]
                show(label, name, ms, [(n, floor(n, scope)) for n in floor_names], cpu)
            rows = 0

            def export(s=scope):
                nonlocal rows
                rows = sum(1 for _ in kpis.drill_rows("jobs_collected", s, period))
            ms = timed(export, max(1, runs // 2))
            show(label, f"drill-down CSV rows, all {rows} (export)", ms, cpu=LAST_CPU[0])
        ms = timed(lambda: dashboard.for_user(manager, now=now, more_figures=extra), runs)
        show("5 SPs", "dashboard figures and charts (dashboard.for_user)", ms, cpu=LAST_CPU[0])
        with app.test_request_context("/"):
            from flask_login import login_user

            from workshop.reports.web import home_dashboard

            login_user(manager)
            ms = timed(home_dashboard, runs)
        show("5 SPs", "dashboard with overdue lists, complaint charts (home_dashboard)", ms, cpu=LAST_CPU[0])
    if pages:
        client = app.test_client()
        from bench.data import BENCH_PASSWORD

        r = client.post("/login", data={"username": MANAGER, "password": BENCH_PASSWORD})
        assert r.status_code == 302, r.status_code
        q = f"from={period.start}&to={period.end}"
        for label, suffix in (("5 SPs", ""), ("1 SP", f"&service_point={first_code}")):
            for name, url in (("page: KPIs with charts and trends", f"/reports/?{q}{suffix}"),
                              ("page: drill-down jobs collected", f"/reports/jobs/jobs_collected?{q}{suffix}"),
                              ("page: complaint statistics", f"/reports/complaints?{q}{suffix}"),
                              ("API: /api/v1/reports/kpis", f"/api/v1/reports/kpis?{q}{suffix}"),
                              ("export: workbook of the month (XLSX)",
                               f"/reports/workbook.xlsx?month={period.start:%Y-%m}{suffix}"),
                              ("export: monthly complaint report (PDF)",
                               f"/reports/complaints.pdf?month={period.start:%Y-%m}{suffix}")):
                def get(u=url):
                    resp = client.get(u)
                    assert resp.status_code == 200, (u, resp.status_code)
                with app.app_context():
                    ms = timed(get, runs)
                print(f"{d:10} {label:6} {name:58} {ms:8.1f} ms (cpu {LAST_CPU[0]:6.1f})", flush=True)
        with app.app_context():
            ms = timed(lambda: client.get("/").status_code == 200 or sys.exit("home page failed"), runs)
        print(f"{d:10} {'5 SPs':6} {'page: manager home (dashboard and the other cards)':58} {ms:8.1f} ms "
              f"(cpu {LAST_CPU[0]:6.1f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--generate", action="store_true",
                        help="Make the data set first with bench/data.py (the database must be empty).")
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pages", action="store_true", help="Only the domain functions.")
    args = parser.parse_args()
    os.environ.setdefault("WORKSHOP_INSTANCE_PATH", "/tmp/reports-bench-instance")
    url = normalise_database_url(args.url)
    if args.generate:
        from bench.data import generate

        generate(url, jobs=args.jobs, service_points=5, with_aftercare=True, fill_summaries=True)
    from workshop import create_app

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    month = prepare(app)
    with app.app_context():
        counts = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}"))
                  for t in ("jobs", "job_events", "pickups", "requisition_lines", "complaints", "remedies",
                            "followups", "report_collected_jobs", "report_days")}
        db.session.rollback()
    print(counts, "month", month[0], "-", month[1], "Python", platform.python_version(), flush=True)
    print("load average (1, 5, 15 min):", os.getloadavg(), flush=True)
    measure(app, args.runs, month, not args.no_pages)
    print("load average (1, 5, 15 min):", os.getloadavg(), flush=True)


if __name__ == "__main__":
    main()
