"""Print the query plans of the counter paths on a bench database (bench/data.py).

Run from the repository root::

    python bench/plans.py --url sqlite:////tmp/bench.db
    python bench/plans.py --url postgresql://postgres@127.0.0.1:5432/bench

Each path is requested once in-process (test client, the bench users); every
statement it sends that reads ``jobs``, ``job_events`` or ``customers`` is explained
(``EXPLAIN QUERY PLAN`` / ``EXPLAIN``) and the plan lines that touch those tables
are printed under the path, with the request's time.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.data import BENCH_PASSWORD, BENCH_TOKEN_PREFIX

WATCHED = re.compile(r"\b(FROM|JOIN)\s+(jobs|job_events|customers)\b", re.IGNORECASE)
TABLES = re.compile(r"\b(jobs|job_events|customers)\b")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("WORKSHOP_INSTANCE_PATH", "/tmp/workshop-bench-instance")
    from sqlalchemy import event, text

    from config import normalise_database_url
    from models import db
    from workshop import create_app

    app = create_app(SQLALCHEMY_DATABASE_URI=normalise_database_url(args.url), SECRET_KEY="bench",
                     WTF_CSRF_ENABLED=False)
    with app.app_context():
        engine = db.engine
        dialect = engine.dialect.name
        row = db.session.execute(text(
            "SELECT j.number, j.imei, c.phone, c.name FROM jobs j JOIN customers c ON c.id = j.customer_id "
            "WHERE j.service_point_id = 1 AND j.imei IS NOT NULL ORDER BY j.id DESC LIMIT 1 OFFSET 5000")).one()
        db.session.rollback()
    number, imei, phone, name = row
    paths = [
        ("scan API by job number", "receptionist1_sz01", f"/api/v1/scan/{number}", True),
        ("scan API by IMEI", "receptionist1_sz01", f"/api/v1/scan/{imei}", True),
        ("scan API miss", "receptionist1_sz01", "/api/v1/scan/SZ01-7654321", True),
        ("IMEI check", "receptionist1_sz01", f"/api/v1/imei/{imei}", True),
        ("job search by phone", "receptionist1_sz01", "/api/v1/jobs?q=" + phone.replace("+", "%2B"), True),
        ("job search by number", "receptionist1_sz01", f"/api/v1/jobs?q={number.lower()}", True),
        ("job search by name", "receptionist1_sz01", f"/api/v1/jobs?q={name}", True),
        ("job search by last 4 digits", "receptionist1_sz01", f"/api/v1/jobs?q={phone[-4:]}", True),
        ("job search by a word of the name", "receptionist1_sz01", "/api/v1/jobs?q=Wong", True),
        ("job search by fault text", "receptionist1_sz01", "/api/v1/jobs?q=screen", True),
        ("job page", "receptionist1_sz01", f"/jobs/{number}", False),
        ("home page", "receptionist1_sz01", "/", False),
        ("bench queue", "engineer1_sz01", "/bench/", False),
        ("bench board", "manager1_sz01", "/bench/board", False),
        ("uncollected", "receptionist1_sz01", "/pickup/uncollected", False),
        ("loaners", "receptionist1_sz01", "/loaners", False),
        ("parts API", "clerk1_sz01", "/api/v1/parts", True),
    ]
    seen: list = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith("SELECT") and WATCHED.search(statement):
            seen.append((statement, parameters))

    for name_, user, path, api in paths:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {BENCH_TOKEN_PREFIX}{user}"} if api else {}
        if not api:
            client.post("/login", data={"username": user, "password": BENCH_PASSWORD})
        client.get(path, headers=headers)  # warm
        seen.clear()
        event.listen(engine, "before_cursor_execute", record)
        t0 = time.perf_counter()
        status = client.get(path, headers=headers).status_code
        elapsed = (time.perf_counter() - t0) * 1000
        event.remove(engine, "before_cursor_execute", record)
        print(f"\n### {name_}  ({path.split('?')[0]}, {status}, {elapsed:.0f} ms in-process, "
              f"{len(seen)} statements on jobs/events/customers)")
        lines: list[str] = []
        with engine.connect() as conn:
            for statement, parameters in seen:
                if dialect == "sqlite":
                    plan = [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
                else:
                    plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters)]
                for line in plan:
                    if TABLES.search(line) and line.strip() not in lines:
                        lines.append(line.strip())
                conn.rollback()
        for line in lines:
            print("    " + line)


if __name__ == "__main__":
    main()
