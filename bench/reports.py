"""Time every report on a large data set against a floor measured in the same run.

Run from the repository root::

    python bench/reports.py --url sqlite:////tmp/reports-bench.db --jobs 1000000
    python bench/reports.py --url postgresql://postgres@127.0.0.1/reports_bench --jobs 1000000

The data set is written by set-based SQL (a recursive CTE on SQLite,
``generate_series`` on PostgreSQL) into a schema made from the models: five service
points in Asia/Shanghai over three years up to the end of November 2026, ``--jobs``
jobs (the newest few thousand still open), three status events a job (intake,
QC pass, collection) plus a QC failure on every 20th job, a pickup per collected
job, a requisition line on every 4th job, re-repairs on every 50th, and
``--complaints`` complaints with remedies and follow-up calls where the after-sales
tables exist.  ``--reuse`` keeps a database already filled.

Each report is the function a page or the API calls, over one month (October
2026) for all five service points and for one.  Its floor is the same aggregate
as one hand-written SQL query over the same database.  Figures are the median of
``--runs`` runs after a warm-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import inspect, text

from config import TestingConfig, normalise_database_url
from models import ServicePoint, User, db

START = dt.datetime(2023, 12, 1, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
SP_COUNT = 5
ENGINEERS_PER_SP = 5
#: Jobs still open (the newest): a few days' intake at a million jobs.
OPEN_JOBS = 5000
MONTH = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


# ----------------------------------------------------------------------------- SQL helpers per dialect

class Dialect:
    def __init__(self, name: str):
        self.name = name

    def series(self, n: int) -> str:
        if self.name == "sqlite":
            return f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s) AS g"
        return f"generate_series(1::bigint, {n}) AS g(i)"

    def ts(self, seconds: str) -> str:
        """START + seconds, as the column stores it."""
        if self.name == "sqlite":
            return (f"(strftime('%Y-%m-%d %H:%M:%f', '{START:%Y-%m-%d %H:%M:%S}', '+' || ({seconds}) || ' seconds')"
                    f" || '000')")
        return f"(TIMESTAMPTZ '{START.isoformat()}' + ({seconds}) * INTERVAL '1 second')"

    def local_date(self, seconds: str) -> str:
        """The Asia/Shanghai (UTC+8, no daylight saving) date of START + seconds."""
        if self.name == "sqlite":
            return f"date('{START:%Y-%m-%d %H:%M:%S}', '+' || ({seconds} + 28800) || ' seconds')"
        return f"((TIMESTAMP '{START:%Y-%m-%d %H:%M:%S}' + ({seconds} + 28800) * INTERVAL '1 second')::date)"

    def plus_days(self, date_sql: str, days: str) -> str:
        if self.name == "sqlite":
            return f"date({date_sql}, '+' || ({days}) || ' days')"
        return f"({date_sql} + ({days}))"

    def boolean(self, cond: str) -> str:
        return f"(CASE WHEN {cond} THEN 1 ELSE 0 END)" if self.name == "sqlite" else f"({cond})"

    def text_of(self, expr: str) -> str:
        return f"CAST({expr} AS TEXT)"


def _fill(table, given: dict[str, str], d: Dialect) -> tuple[str, str]:
    """Column list and SELECT list: ``given`` plus a plain value for every other
    NOT NULL column (the bulk insert bypasses the models' Python defaults)."""
    cols, exprs = [], []
    for col in table.columns:
        if col.name in given:
            cols.append(col.name)
            exprs.append(given[col.name])
        elif not col.nullable and not col.primary_key:
            kind = col.type.__class__.__name__.lower()
            if "bool" in kind:
                value = "0" if d.name == "sqlite" else "false"
            elif "json" in kind:
                value = "'[]'" if d.name == "sqlite" else "'[]'::json"
            elif "int" in kind or "numeric" in kind:
                value = "0"
            elif "date" in kind and "time" in kind:
                value = d.ts("0")
            elif "date" in kind:
                value = f"'{START:%Y-%m-%d}'"
            else:
                value = "''"
            cols.append(col.name)
            exprs.append(value)
    return ", ".join(cols), ", ".join(exprs)


def insert_select(conn, table_name: str, given: dict[str, str], source: str, where: str = "", d=None) -> int:
    table = db.metadata.tables[table_name]
    cols, exprs = _fill(table, given, d)
    sql = f"INSERT INTO {table_name} ({cols}) SELECT {exprs} FROM {source}" + (f" WHERE {where}" if where else "")
    started = time.perf_counter()
    count = conn.execute(text(sql)).rowcount
    print(f"  {table_name}: {count} rows in {time.perf_counter() - started:.1f} s", flush=True)
    return count


# ----------------------------------------------------------------------------- the data set

def generate(app, jobs: int, complaints: int) -> dict:
    """Fill an empty database; returns row counts and seconds taken."""
    from workshop.core import accounts

    counts: dict[str, int] = {}
    started = time.perf_counter()
    with app.app_context():
        d = Dialect(db.engine.dialect.name)
        db.drop_all()
        db.create_all()
        print(f"  schema: {time.perf_counter() - started:.1f} s", flush=True)
        sps = [accounts.create_service_point(f"BS{n:02d}", f"Bench {n}", timezone="Asia/Shanghai")
               for n in range(1, SP_COUNT + 1)]
        db.session.flush()
        for sp in sps:
            accounts.create_user(f"manager_{sp.code}", "manager", "bench-password-1", service_point=sp)
            accounts.create_user(f"desk_{sp.code}", "receptionist", "bench-password-1", service_point=sp)
            for e in range(ENGINEERS_PER_SP):
                accounts.create_user(f"eng{e}_{sp.code}", "engineer", "bench-password-1", service_point=sp)
        db.session.commit()
        boss = db.session.scalar(db.select(User).where(User.username == f"manager_{sps[0].code}"))
        boss.granted_service_points.extend(sps[1:])
        db.session.commit()
        print(f"  staff: {time.perf_counter() - started:.1f} s", flush=True)
        sp_ids = [sp.id for sp in sps]
        assert sp_ids == list(range(sp_ids[0], sp_ids[0] + SP_COUNT))
        engineers = {sp.id: sorted(db.session.scalars(db.select(User.id).where(
            User.service_point_id == sp.id, User.role == "engineer"))) for sp in sps}
        desk = {sp.id: db.session.scalar(db.select(User.id).where(User.service_point_id == sp.id,
                                                                     User.role == "receptionist")) for sp in sps}
        first_sp, first_desk = sp_ids[0], desk[sp_ids[0]]
        # Engineer and desk ids follow the service point: 7 users per service point, in order.
        eng0 = engineers[first_sp][0]
        per_sp_users = engineers[sp_ids[1]][0] - eng0
        span = int((END - START).total_seconds())
        step = span / jobs
        conn = db.session.connection()
        sp_of = f"({first_sp} + (i % {SP_COUNT}))"
        recv = f"(CAST(i * {step} AS INTEGER) + (i * 7919) % 3600)"
        ready = f"({recv} + 86400 * (1 + (i * 37) % 9) + (i * 131) % 36000)"
        coll = f"({ready} + 86400 * ((i * 13) % 5) + 3600)"
        collected = f"i <= {jobs - min(OPEN_JOBS, jobs // 200)}"
        engineer = f"({eng0} + (i % {SP_COUNT}) * {per_sp_users} + (i / {SP_COUNT}) % {ENGINEERS_PER_SP})"
        desk_id = f"({first_desk} + (i % {SP_COUNT}) * {per_sp_users})"
        number = "'B' || " + d.text_of("i")
        counts["customers"] = insert_select(conn, "customers", {
            "id": "i", "service_point_id": sp_of, "name": "'客户 ' || " + d.text_of("i"),
            "phone": "'+86138' || " + d.text_of("i"), "created_at": d.ts("0")}, d.series(20000), d=d)
        status = (f"CASE WHEN {collected} THEN 'collected' WHEN i % 3 = 0 THEN 'ready' "
                  f"ELSE 'repairing' END")
        counts["jobs"] = insert_select(conn, "jobs", {
            "id": "i", "number": number, "service_point_id": sp_of, "customer_id": "1 + i % 20000",
            "status": status, "location": "'bench'", "engineer_id": engineer, "created_by_id": desk_id,
            "received_at": d.ts(recv), "received_on": d.local_date(recv),
            "promised_by": d.plus_days(d.local_date(recv), "7"),
            "closed_at": f"CASE WHEN {collected} THEN {d.ts(coll)} END",
            "serial_number": "'SN' || " + d.text_of("i"), "brand": "'Apple'", "model": "'iPhone 13'",
            "fault_category": "'screen'", "component": "'handset'", "estimate_amount": "0",
            "warranty_status": "'in_warranty'", "warranty_chargeable": d.boolean("i % 3 <> 0"),
            "rerepair_of_id": "CASE WHEN i % 50 = 0 AND i > 1000 THEN i - 1000 END",
            "repair_warranty_ends_on": f"CASE WHEN {collected} THEN {d.plus_days(d.local_date(coll), '90')} END",
            "version": "1"}, d.series(jobs), d=d)
        ev = {"job_id": "i", "kind": "'status'", "location": "'bench'", "note": "''", "data": "'{}'"}
        if d.name == "postgresql":
            ev["data"] = "'{}'::json"
        counts["job_events"] = insert_select(conn, "job_events", {
            **ev, "at": d.ts(recv), "actor_id": desk_id, "to_status": "'received'"}, d.series(jobs), d=d)
        counts["job_events"] += insert_select(conn, "job_events", {
            **ev, "at": d.ts(f"{recv} + 43200"), "actor_id": engineer, "from_status": "'qc'",
            "to_status": "'repairing'"}, d.series(jobs), "i % 20 = 0", d=d)
        counts["job_events"] += insert_select(conn, "job_events", {
            **ev, "at": d.ts(ready), "actor_id": engineer, "from_status": "'qc'", "to_status": "'ready'"},
            d.series(jobs), f"{collected} OR i % 3 = 0", d=d)
        counts["job_events"] += insert_select(conn, "job_events", {
            **ev, "at": d.ts(coll), "actor_id": desk_id, "from_status": "'ready'", "to_status": "'collected'"},
            d.series(jobs), collected, d=d)
        counts["pickups"] = insert_select(conn, "pickups", {
            "job_id": "i", "collected_at": d.ts(coll), "collected_on": d.local_date(coll),
            "collected_by_id": desk_id, "verified_by": "'phone_id'", "total": "(i % 7) * 50", "paid": "(i % 7) * 50",
            "bill": "'{}'" if d.name == "sqlite" else "'{}'::json", "repair_warranty_days": "90",
            "repair_warranty_ends_on": d.plus_days(d.local_date(coll), "90")}, d.series(jobs), collected, d=d)
        conn.execute(text("INSERT INTO parts (id, sku, name, category, brand, compatible_models, bin_location, "
                          "cost, price, warranty_category, reorder_point, safety_stock, serial_tracked, active, "
                          "created_at, updated_at) SELECT i, 'SKU-' || " + d.text_of("i") + ", 'Part ' || "
                          + d.text_of("i") + ", 'screen', 'Apple', " + ("'[]'" if d.name == "sqlite" else "'[]'::json")
                          + ", '', 20, 60, 'supplier', 0, 0, " + ("0, 1" if d.name == "sqlite" else "false, true")
                          + f", {d.ts('0')}, {d.ts('0')} FROM {d.series(200)}"))
        counts["requisitions"] = insert_select(conn, "requisitions", {
            "id": "i / 4", "service_point_id": sp_of, "job_id": "i", "status": "'issued'", "requested_by_id": engineer,
            "requested_at": d.ts(f"{recv} + 3600"), "issued_by_id": desk_id, "issued_at": d.ts(f"{recv} + 7200")},
            d.series(jobs), "i % 4 = 0", d=d)
        counts["requisition_lines"] = insert_select(conn, "requisition_lines", {
            "requisition_id": "i / 4", "part_id": "1 + i % 200", "qty": "1 + i % 2", "issued_qty": "1 + i % 2",
            "returned_qty": "CASE WHEN i % 40 = 0 THEN 1 ELSE 0 END", "unit_cost": "20 + i % 50",
            "unit_price": "0", "list_price": "60"}, d.series(jobs), "i % 4 = 0", d=d)
        if "complaints" in db.metadata.tables and complaints:
            counts.update(generate_complaints(conn, d, jobs, complaints, sp_of, desk_id, span))
        db.session.commit()
        if d.name == "postgresql":
            for seq_table in ("customers", "jobs", "parts", "requisitions"):
                conn = db.session.connection()
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{seq_table}', 'id'), "
                                  f"(SELECT max(id) FROM {seq_table}))"))
            db.session.commit()
        print(f"  rows written: {time.perf_counter() - started:.1f} s", flush=True)
        with db.engine.connect() as c:
            c = c.execution_options(isolation_level="AUTOCOMMIT")
            c.execute(text("ANALYZE"))
        print(f"  analyzed: {time.perf_counter() - started:.1f} s", flush=True)
        fill_summary(app)
        print(f"  summary rebuilt: {time.perf_counter() - started:.1f} s", flush=True)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def add_missing_columns(app) -> list[str]:
    """Columns the models gained since a reused database was made (with their
    defaults), so the app's queries run on it."""
    added = []
    with app.app_context():
        inspector = inspect(db.engine)
        present = set(inspector.get_table_names())
        columns = {t: {c["name"] for c in inspector.get_columns(t)} for t in present}
        with db.engine.begin() as conn:
            for table in db.metadata.sorted_tables:
                if table.name not in present:
                    continue
                have = columns[table.name]
                for col in table.columns:
                    if col.name in have:
                        continue
                    default = col.default.arg if col.default is not None and col.default.is_scalar else None
                    sql = f"ALTER TABLE {table.name} ADD COLUMN {col.name} {col.type.compile(db.engine.dialect)}"
                    if default is not None:
                        sql += f" DEFAULT {default!r}" if isinstance(default, str) else f" DEFAULT {default}"
                    conn.execute(text(sql))
                    added.append(f"{table.name}.{col.name}")
    return added


def add_complaints(app, n: int) -> dict:
    """Complaints and follow-up calls into a database filled before the after-sales
    tables existed (the same rows :func:`generate` writes)."""
    with app.app_context():
        db.create_all()
        d = Dialect(db.engine.dialect.name)
        jobs = db.session.scalar(text("SELECT max(id) FROM jobs"))
        first_sp = db.session.scalar(text("SELECT min(id) FROM service_points"))
        desks = sorted(db.session.scalars(text("SELECT id FROM users WHERE role = 'receptionist'")))
        sp_of = f"({first_sp} + (i % {SP_COUNT}))"
        desk_id = f"({desks[0]} + (i % {SP_COUNT}) * {desks[1] - desks[0]})"
        counts = generate_complaints(db.session.connection(), d, jobs, n, sp_of, desk_id,
                                     int((END - START).total_seconds()))
        db.session.commit()
    return counts


def fill_summary(app) -> int:
    """The collected-job summary, by the app's own rebuild (as the migration does)."""
    from workshop.reports import summary

    with app.app_context():
        db.create_all()  # a reused database made before the summary existed
        written = summary.rebuild(db.session.connection())
        db.session.commit()
    return written


def generate_complaints(conn, d: Dialect, jobs: int, n: int, sp_of: str, desk_id: str, span: int) -> dict:
    """Complaints spread over the three years, about every (jobs/n)-th job, with a
    remedy on half and a complaint follow-up call on the closed ones; pickup
    follow-up calls for every 10th collected job."""
    every = max(1, jobs // n)
    at = f"(CAST(i * {span / n} AS INTEGER) + (i * 104729) % 86400)"
    categories = ["repair_quality", "service_attitude", "delay", "price", "parts", "product_quality", "other"]
    channels = ["walk_in", "phone", "email", "online", "manufacturer", "carrier", "regulator", "media"]
    levels = {"walk_in": "general", "phone": "general", "email": "general", "online": "general",
              "manufacturer": "serious", "carrier": "serious", "regulator": "serious", "media": "critical"}
    cat = "CASE i % 7 " + " ".join(f"WHEN {k} THEN '{v}'" for k, v in enumerate(categories)) + " END"
    chan = "CASE i % 8 " + " ".join(f"WHEN {k} THEN '{v}'" for k, v in enumerate(channels)) + " END"
    lvl = "CASE i % 8 " + " ".join(f"WHEN {k} THEN '{levels[v]}'" for k, v in enumerate(channels)) + " END"
    closed = "i < " + str(n - 300)
    responded = f"{at} + 3600 * (1 + i % 30)"
    given = {
        "id": "i", "number": "'C' || " + d.text_of("i"), "service_point_id": sp_of, "customer_id": "1 + i % 20000",
        "job_id": f"i * {every}", "channel": chan, "category": cat, "level": lvl, "status":
            f"CASE WHEN {closed} THEN 'closed' ELSE 'open' END", "recorded_by_id": desk_id, "owner_id": desk_id,
        "escalated": d.boolean("i % 8 = 7"), "registered_at": d.ts(at), "respond_by": d.ts(f"{at} + 86400"),
        "report_by": f"CASE WHEN i % 8 >= 4 THEN {d.ts(f'{at} + 172800')} END",
        "responded_at": d.ts(responded), "responded_on_time": d.boolean("1 + i % 30 <= 24"),
        "founded": d.boolean("i % 3 <> 0"),
        "closed_at": f"CASE WHEN {closed} THEN {d.ts(f'{at} + 86400 * (1 + i % 12)')} END",
        "root_cause": f"CASE WHEN {closed} THEN (CASE i % 5 WHEN 0 THEN 'repair_quality' WHEN 1 THEN 'staff' "
                      f"WHEN 2 THEN 'process' WHEN 3 THEN 'parts' ELSE 'customer_expectation' END) END",
        "version": "1",
    }
    table = db.metadata.tables["complaints"]
    given = {k: v for k, v in given.items() if k in table.columns}
    out = {"complaints": insert_select(conn, "complaints", given, d.series(n), d=d)}
    if "remedies" in db.metadata.tables:
        rem = {"complaint_id": "i", "kind": "'discount'", "amount": "10 * (i % 9)",
               "status": f"CASE WHEN {closed} THEN 'done' ELSE 'approved' END", "proposed_at": d.ts(at),
               "done_at": f"CASE WHEN {closed} THEN {d.ts(f'{at} + 86400')} END"}
        rem = {k: v for k, v in rem.items() if k in db.metadata.tables["remedies"].columns}
        out["remedies"] = insert_select(conn, "remedies", rem, d.series(n), "i % 2 = 0", d=d)
    if "followups" in db.metadata.tables:
        table = db.metadata.tables["followups"]
        at_f = f"(CAST(i * {span / (4 * n)} AS INTEGER) + (i * 104729) % 86400)"
        answered = f"{at_f} + 86400 * 3"
        fu = {"service_point_id": sp_of, "kind": "'pickup'", "job_id": f"1 + (i * 5) % {jobs}",
              "customer_id": "1 + i % 20000",
              "due_on": d.local_date(answered), "status": "'done'", "attempts": "1", "outcome": "'reached'",
              "satisfaction": "1 + (i * 7) % 5", "answered_at": d.ts(answered), "token": "'t' || " + d.text_of("i"),
              "dedupe_key": "'bench-' || " + d.text_of("i"), "created_at": d.ts(at_f)}
        fu = {k: v for k, v in fu.items() if k in table.columns}
        out["followups"] = insert_select(conn, "followups", fu, d.series(n * 4), d=d)
    return out


# ----------------------------------------------------------------------------- timing

def timed(fn: Callable[[], object], runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
        db.session.rollback()
    return statistics.median(samples)


def floors(d: str) -> dict[str, str]:
    """One hand-written SQL query per report: the same aggregate, nothing more."""
    lo_month = "'2026-10-01'"
    hi_month = "'2026-10-31'"
    bounds = ("'2026-09-30 16:00:00.000000'", "'2026-10-31 16:00:00.000000'") if d == "sqlite" else \
        ("TIMESTAMPTZ '2026-09-30 16:00:00+00'", "TIMESTAMPTZ '2026-10-31 16:00:00+00'")
    return {
        "received": f"SELECT count(*), sum(CASE WHEN rerepair_of_id IS NOT NULL THEN 1 ELSE 0 END), "
                    f"sum(CASE WHEN warranty_chargeable THEN 0 ELSE 1 END) FROM jobs "
                    f"WHERE service_point_id IN :sps AND received_on BETWEEN {lo_month} AND {hi_month}",
        "collected": "SELECT count(*), sum(p.total), sum(CASE WHEN (SELECT min(e.at) FROM job_events e WHERE "
                     "e.job_id = j.id AND e.to_status = 'ready') IS NOT NULL THEN 1 ELSE 0 END), "
                     "sum(CASE WHEN EXISTS (SELECT 1 FROM jobs r WHERE r.rerepair_of_id = j.id AND r.received_on <= "
                     "p.repair_warranty_ends_on) THEN 1 ELSE 0 END) FROM jobs j JOIN pickups p ON p.job_id = j.id "
                     f"WHERE j.service_point_id + 0 IN :sps AND p.collected_on BETWEEN {lo_month} AND {hi_month}",
        "parts": "SELECT l.part_id, sum(l.issued_qty - l.returned_qty), sum((l.issued_qty - l.returned_qty) * l.unit_cost) "
                 "FROM requisition_lines l JOIN requisitions r ON r.id = l.requisition_id WHERE r.status = 'issued' "
                 f"AND r.service_point_id IN :sps AND r.issued_at >= {bounds[0]} AND r.issued_at < {bounds[1]} "
                 "GROUP BY l.part_id",
        "engineers": "SELECT j.engineer_id, count(*) FROM job_events e JOIN jobs j ON j.id = e.job_id WHERE "
                     "e.from_status = 'qc' AND e.to_status = 'repairing' AND "
                     f"j.service_point_id IN :sps AND e.at >= {bounds[0]} AND e.at < {bounds[1]} GROUP BY j.engineer_id",
        "ready_waiting": "SELECT count(*) FROM jobs WHERE service_point_id IN :sps AND status = 'ready'",
        "complaints": "SELECT category, level, count(*) FROM complaints WHERE service_point_id IN :sps AND "
                      f"registered_at >= {bounds[0]} AND registered_at < {bounds[1]} GROUP BY category, level",
    }


def measure(app, runs: int, only_sp: bool) -> list[tuple[str, str, float, float | None]]:
    from sqlalchemy import bindparam

    from workshop.reports import dashboard, kpis
    from workshop.reports.period import Period, Scope

    try:
        from workshop.reports import complaints as complaint_reports
    except ImportError:
        complaint_reports = None
    rows = []
    with app.app_context():
        d = db.engine.dialect.name
        all_sps = tuple(db.session.scalars(db.select(ServicePoint).order_by(ServicePoint.code)))
        period = Period(*MONTH)
        boss = db.session.scalar(db.select(User).where(User.username == f"manager_{all_sps[0].code}"))
        now = dt.datetime(2026, 11, 30, 4, tzinfo=dt.UTC)
        sql = floors(d)

        def floor(name, scope):
            if name not in sql:
                return None
            q = text(sql[name]).bindparams(bindparam("sps", expanding=True))
            return timed(lambda: db.session.execute(q, {"sps": scope.ids}).all(), runs)

        for label, scope in (("5 service points", Scope(all_sps)), ("1 service point", Scope(all_sps[:1]))):
            if only_sp and len(scope.ids) > 1:
                continue
            cases = [
                ("jobs received, rerepair, warranty share", "received",
                 lambda s=scope: kpis.received_figures(s, period)),
                ("collected cohort: turnaround, on time, first-time fix, revenue, parts cost", "collected",
                 lambda s=scope: kpis.collected_summary(s, period)),
                ("parts consumption by SKU", "parts", lambda s=scope: kpis.parts_by_sku(s, period)),
                ("engineer workload and output", "engineers", lambda s=scope: kpis.engineers(s, period)),
                ("ready but uncollected ageing", "ready_waiting",
                 lambda s=scope: kpis.ageing(kpis.ready_waiting(s, now))),
                ("jobs per day (chart)", None, lambda s=scope: kpis.received_per_day(s, period)),
                ("whole KPI report (all of the above)", None, lambda s=scope: kpis.compute(s, period, now=now)),
                ("drill-down: jobs collected", None, lambda s=scope: kpis.drill("jobs_collected", s, period)),
            ]
            if complaint_reports is not None:
                cases += [("complaint statistics table", "complaints",
                           lambda s=scope: complaint_reports.statistics(s, period)),
                          ("complaint and satisfaction KPIs", None,
                           lambda s=scope: complaint_reports.kpi_figures(s, period))]
            for name, floor_name, fn in cases:
                ms = timed(fn, runs)
                fl = floor(floor_name, scope) if floor_name else None
                rows.append((label, name, ms, fl))
                print(f"{d:10} {label:17} {name:62} {ms:8.1f} ms  floor {fl if fl is None else round(fl, 1)}",
                      flush=True)
        ms = timed(lambda: dashboard.for_user(boss, now=now), runs)
        rows.append(("all of the manager's", "home dashboard (today + month, with previous periods)", ms, None))
        print(f"{d:10} dashboard {ms:8.1f} ms", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="Keep the data already in the database.")
    parser.add_argument("--one-service-point", action="store_true", help="Only the one-service-point cases.")
    args = parser.parse_args()
    os.environ.setdefault("WORKSHOP_INSTANCE_PATH", "/tmp/reports-bench-instance")
    from workshop import create_app

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(args.url))
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        filled = "jobs" in tables and db.session.scalar(text("SELECT count(*) FROM jobs"))
    if not (args.reuse and filled):
        print("generating...", flush=True)
        print(generate(app, args.jobs, args.complaints), flush=True)
    if args.reuse:
        print("columns added:", add_missing_columns(app), flush=True)
    with app.app_context():
        from models import REPORT_INDEXES

        present = set(inspect(db.engine).get_table_names())
        for index in REPORT_INDEXES:  # a reused database gets the indexes of this revision
            if index.table.name not in present:
                continue  # made with its indexes below
            existing = {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes(index.table.name)}
            if existing.get(index.name) not in (None, [c.name for c in index.columns]):
                index.drop(db.engine)
            if existing.get(index.name) != [c.name for c in index.columns]:
                index.create(db.engine)
        tables = set(inspect(db.engine).get_table_names())
        if args.complaints and "complaints" in db.metadata.tables and (
                "complaints" not in tables or not db.session.scalar(text("SELECT count(*) FROM complaints"))):
            db.session.rollback()
            print("complaints:", add_complaints(app, args.complaints), flush=True)
        db.session.rollback()  # SQLite: the count above holds the write lock (BEGIN IMMEDIATE)
        tables = set(inspect(db.engine).get_table_names())
        if "report_collected_jobs" not in tables or not db.session.scalar(
                text("SELECT count(*) FROM report_collected_jobs")):
            db.session.rollback()
            with db.engine.connect() as c:
                c.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
            started = time.perf_counter()
            print("summary:", fill_summary(app), f"rows in {time.perf_counter() - started:.1f} s", flush=True)
        db.session.rollback()
        with db.engine.connect() as c:
            c.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        tables = set(inspect(db.engine).get_table_names())
        counts = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}"))
                  for t in ("jobs", "job_events", "pickups", "requisition_lines", "complaints", "followups")
                  if t in tables}
    print(counts, platform.python_version(), flush=True)
    measure(app, args.runs, args.one_service_point)


if __name__ == "__main__":
    main()
