"""Every counter path reads jobs, their events and customers through an index (issue 16).

Each named path is requested once; every statement it sends that reads ``jobs`` or
``job_events`` is then explained (``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN
(FORMAT JSON)`` with sequential scans disabled on PostgreSQL, so a tiny test table
cannot hide a missing index) and the test fails on a full scan of any of them.
Scanning a partial index of open jobs is allowed: it holds only the open jobs.

SQLite gets the statistics of a million-job shop, so its planner chooses as in
production, and an index search bounded only by the service point counts as a full
scan (it reads the point's whole history).  PostgreSQL's planner cannot be given
such statistics here: there the test catches sequential scans and index scans
without a condition; bench/web.py measures the paths on real data.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, text

from models import Job, db
from tests import factories

#: Tables that grow with the history (customers come with their jobs).
WATCHED = ("jobs", "job_events", "customers")
PARTIAL = ("ix_jobs_open_sp", "ix_jobs_open_engineer")
_FROM_WATCHED = re.compile(r"\b(FROM|JOIN)\s+(jobs|job_events|customers)\b", re.IGNORECASE)
_SQLITE_FULL = re.compile(r"^SCAN (jobs|job_events|customers)\b(?!.*USING (COVERING )?INDEX (ix_jobs_open_sp|ix_jobs_open_engineer)\b)"
                          # an index search bounded only by the service point reads its whole history
                          r"|^SEARCH (jobs|customers)\b(?!.*INDEX (ix_jobs_open_sp|ix_jobs_open_engineer)\b).*"
                          r"\(service_point_id=\?\)$")

_SQLITE_WALK = re.compile(r"^SEARCH jobs USING (COVERING )?INDEX (ix_jobs_sp_id_customer|ix_jobs_service_point_id) "
                          r"\(service_point_id=\?\)$")


@pytest.fixture
def shop(app, staff):
    """A few jobs at each step (open, on the shelf, collected long ago) and, on SQLite,
    the statistics of a million-job shop (removed afterwards)."""
    from models import User

    with app.app_context():
        sp = factories.service_point("SZ01")
        engineer = db.session.get(User, staff["engineer"])
        received = factories.job(sp)
        repairing = factories.job(sp, status="repairing", engineer=engineer, imei="356938035643809")
        ready = factories.ready_job(sp, ready_at=factories_now() - dt.timedelta(days=9))
        old = factories.job(sp, status="collected", closed_at=factories_now() - dt.timedelta(days=400),
                            serial_number="C39XK0ABCD12")
        factories.part("SCR-1", stock=3)
        db.session.commit()
        numbers = {"received": received.number, "repairing": repairing.number, "ready": ready.number,
                   "old": old.number}
    _production_statistics(app)
    yield numbers
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            with engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM sqlite_stat1")
            engine.dispose()


#: SQLite's statistics (sqlite_stat1) of a shop with a million jobs (bench/data.py), by
#: table and indexed columns: the planner then chooses as it does in production,
#: not as it does for the few rows of a test.
PRODUCTION_STATS = {
    ("customers", ("name",)): "599480 1470",
    ("customers", ("service_point_id", "name")): "599480 99914 245",
    ("customers", ("service_point_id", "phone")): "599480 99914 1",
    # (service point, the phone's last four digits): an expression, named None by index_info
    ("customers", ("service_point_id", None)): "599480 99914 10",
    ("job_events", ("job_id",)): "3249891 4",
    ("jobs", ("customer_id",)): "1000000 2",
    ("jobs", ("engineer_id",)): "1000000 32259",
    ("jobs", ("imei",)): "1000000 2",
    ("jobs", ("imei2",)): "1000000 6",
    ("jobs", ("engineer_id", "status")): "400 13 3",
    ("jobs", ("service_point_id", "status", "promised_by")): "400 67 8 3",
    ("jobs", ("serial_number",)): "1000000 4",
    ("jobs", ("service_point_id",)): "1000000 166667",
    ("jobs", ("service_point_id", "id", "customer_id")): "1000000 166667 1 1",
    ("jobs", ("service_point_id", "status")): "1000000 166667 17242",
    ("jobs", ("status",)): "1000000 100000",
    ("jobs", ("number",)): "1000000 1",
    # the reports' indexes (migration 3c9e1f2ab7d4): about 150 jobs a day per service point
    ("jobs", ("service_point_id", "received_on", "rerepair_of_id", "warranty_chargeable", "engineer_id")):
        "1000000 166667 152 150 75 5",
    ("jobs", ("rerepair_of_id",)): "1000000 50000",
}


def _production_statistics(app) -> None:
    """Give SQLite a million-job shop's statistics (PostgreSQL: sequential scans are
    disabled while explaining instead)."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl IN ('jobs', 'job_events', 'customers')")
            for table in WATCHED:
                for (index,) in conn.exec_driver_sql(
                        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)).all():
                    columns = tuple(r[2] for r in conn.exec_driver_sql(f"PRAGMA index_info('{index}')").all())
                    stat = PRODUCTION_STATS.get((table, columns))
                    if stat:
                        conn.exec_driver_sql("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)",
                                             (table, index, stat))
        engine.dispose()  # new connections load the statistics


#: Paths whose list has no condition but the service point: their jobs are walked
#: newest first on the point's id index and the walk stops at the page, so a search
#: bounded by the service point alone is what they should do, as long as it is read
#: in order (no sort of the point's history: no temporary B-tree in the plan).
UNFILTERED = {"jobs page"}


def factories_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _paths(shop) -> list[tuple[str, str, str, bool]]:
    """(name, role, path, through the API) for every counter path."""
    return [
        ("scan API by job number", "receptionist", f"/api/v1/scan/{shop['repairing']}", True),
        ("scan API by IMEI", "receptionist", "/api/v1/scan/356938035643809", True),
        ("scan API by serial", "receptionist", "/api/v1/scan/C39XK0ABCD12", True),
        ("scan API miss", "receptionist", "/api/v1/scan/SZ01-7654321", True),
        ("IMEI check at intake", "receptionist", "/api/v1/imei/352099001761481", True),
        ("job search by phone", "receptionist", "/api/v1/jobs?q=13800138000", True),
        ("job search by phone prefix", "receptionist", "/api/v1/jobs?q=1380013", True),
        ("job search by number", "receptionist", f"/api/v1/jobs?q={shop['old'].lower()}", True),
        ("job search by IMEI", "receptionist", "/api/v1/jobs?q=352099001761481", True),
        ("job search by IMEI prefix", "receptionist", "/api/v1/jobs?q=35209900", True),
        ("job search by name", "receptionist", "/api/v1/jobs?q=王芳", True),
        ("job search by the phone's last four digits", "receptionist", "/api/v1/jobs?q=8000", True),
        ("job search by a word of the name", "receptionist", "/api/v1/jobs?q=Wong", True),
        ("job search by fault text", "receptionist", "/api/v1/jobs?q=after charging", True),
        ("job list of open statuses", "receptionist", "/api/v1/jobs?status=ready,repairing", True),
        ("job page", "receptionist", f"/jobs/{shop['repairing']}", False),
        ("jobs page", "receptionist", "/jobs/", False),
        ("jobs page search by name", "receptionist", "/jobs/?q=王芳", False),
        ("header box search by the phone's last four digits", "receptionist", "/scan?code=8000", False),
        ("home page", "receptionist", "/", False),
        ("bench queue", "engineer", "/bench/", False),
        ("bench board and promise watch", "manager", "/bench/board", False),
        ("uncollected handsets", "receptionist", "/pickup/uncollected", False),
        ("pickup counter", "receptionist", "/pickup", False),
        ("loaners due", "receptionist", "/loaners", False),
        ("parts home and low stock", "clerk", "/parts/", False),
        ("parts API", "clerk", "/api/v1/parts", True),
    ]


def _capture(app, client, path, headers):
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith("SELECT") and _FROM_WATCHED.search(statement):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return response, seen


def _full_scans_sqlite(conn, statement, parameters, *, unfiltered: bool = False) -> list[str]:
    details = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()]
    bad = [d for d in details if _SQLITE_FULL.search(d)]
    if unfiltered and not any("TEMP B-TREE" in d for d in details):
        bad = [d for d in bad if not _SQLITE_WALK.search(d)]
    return bad


def _full_scans_postgres(conn, statement, parameters) -> list[str]:
    conn.execute(text("SET LOCAL enable_seqscan = off"))
    plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    bad: list[str] = []

    def walk(node):
        relation = node.get("Relation Name")
        if relation in WATCHED:
            kind = node["Node Type"]
            if kind == "Seq Scan":
                bad.append(f"Seq Scan on {relation}")
            elif kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node \
                    and node.get("Index Name") not in PARTIAL:
                bad.append(f"{kind} on {relation} using {node.get('Index Name')} with no condition")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return bad


def test_every_counter_path_reads_jobs_through_an_index(app, client, auth, staff, token_for, shop):
    from models import User

    with app.app_context():
        users = {role: db.session.get(User, staff[role]) for role in ("receptionist", "engineer", "manager", "clerk")}
        dialect = db.engine.dialect.name
        db.session.rollback()
    headers = {role: token_for(user) for role, user in users.items()}
    failures: list[str] = []
    explained = 0
    for name, role, path, api in _paths(shop):
        if api:
            response, statements = _capture(app, client, path, headers[role])
        else:
            auth.logout()
            auth.login(role)
            response, statements = _capture(app, client, path, {})
        assert response.status_code in (200, 302, 404), (name, response.status_code)
        with app.app_context(), db.engine.connect() as conn:
            for statement, parameters in statements:
                explained += 1
                if dialect == "sqlite":
                    scans = _full_scans_sqlite(conn, statement, parameters, unfiltered=name in UNFILTERED)
                else:
                    scans = _full_scans_postgres(conn, statement, parameters)
                for scan in scans:
                    failures.append(f"{name} ({path}): {scan}\n    {statement[:300]}")
                conn.rollback()
    assert explained > 30  # the paths really read jobs
    assert not failures, "full scans:\n" + "\n".join(failures)


def test_the_plan_check_catches_a_full_scan(app, shop):
    """The checker itself: a LIKE '%...%' over jobs is reported, an exact lookup is not."""
    with app.app_context(), db.engine.connect() as conn:
        dialect = db.engine.dialect.name
        check = _full_scans_sqlite if dialect == "sqlite" else _full_scans_postgres
        like = str(db.select(Job.id).where(Job.fault_description.like("%dead%"))
                   .compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
        exact = str(db.select(Job.id).where(Job.number == shop["old"])
                    .compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
        assert check(conn, like, ())
        conn.rollback()
        assert check(conn, exact, ()) == []
