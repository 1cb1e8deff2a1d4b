"""No oversell: many clerks issuing against a small stock at the same moment, from
several processes (each with its own app and connections) and several threads in
each, on SQLite and on PostgreSQL.

Phase 1: 24 requisitions, none reserved (requested while the shelf was empty), race
for 5 units: exactly 5 are issued, the other 19 get StockShortage and issue nothing.
Phase 2: 9 clerks issue the same requisition at once: one succeeds, eight are told it
is already issued.  Afterwards on-hand equals the ledger's sum, nothing was ever
below zero and nothing stays reserved.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback

from sqlalchemy import func, select

from models import Part, Requisition, Stock, StockMove, User, db
from tests import factories
from workshop.parts import ledger as stock

WORKERS = 3
THREADS = 8  # per worker in phase 1: 24 attempts
STOCK = 5


def _issue_one(app, clerk_id: int, rid: int, go: threading.Barrier, outcome: list) -> None:
    from models import Conflict, StockShortage

    with app.app_context():
        go.wait()
        try:
            clerk = db.session.get(User, clerk_id)
            stock.issue_requisition(clerk, stock.get_requisition(clerk, rid))
            db.session.commit()
            outcome.append(("issued", rid, ""))
        except StockShortage as exc:
            db.session.rollback()
            outcome.append(("short", rid, exc.message))
        except Conflict as exc:
            db.session.rollback()
            outcome.append(("conflict", rid, exc.message))
        except Exception:  # noqa: BLE001 - reported to the test, which fails on it
            db.session.rollback()
            outcome.append(("error", rid, traceback.format_exc()))
        finally:
            db.session.remove()


def _race_worker(url: str, instance_path: str, clerk_id: int, tasks, results, barrier) -> None:
    """A separate process: its own app, engine and connections; issues what it is told, all threads at once."""
    os.environ["WORKSHOP_INSTANCE_PATH"] = instance_path
    from config import TestingConfig, normalise_database_url
    from workshop import create_app

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(url))
    while True:
        requisition_ids = tasks.get()
        if requisition_ids is None:
            break
        go = threading.Barrier(len(requisition_ids))
        outcome: list[tuple[str, int, str]] = []
        threads = [threading.Thread(target=_issue_one, args=(app, clerk_id, rid, go, outcome))
                   for rid in requisition_ids]
        barrier.wait(timeout=120)  # every process is ready: go together
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results.put(outcome)
    with app.app_context():
        db.engine.dispose()


def _run(tasks, results, per_worker: list[list[int]]) -> list[tuple[str, int, str]]:
    for ids in per_worker:
        tasks.put(ids)
    out = []
    for _ in per_worker:
        out += results.get(timeout=180)
    return out


def test_concurrent_issues_never_oversell(app, staff, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        sp = db.session.get(User, staff["clerk"]).service_point
        engineer = db.session.get(User, staff["engineer"])
        clerk = db.session.get(User, staff["clerk"])
        part = factories.part("SCR-RACE", stock=0)
        customer = factories.customer(sp)
        reqs = []
        for _ in range(WORKERS * THREADS):
            job = factories.job(sp, customer=customer, status="repairing", engineer=engineer)
            reqs.append(stock.request_parts(engineer, job, [{"sku": "SCR-RACE", "qty": 1}]))
        assert not any(r.lines[0].reserved_qty for r in reqs)
        stock.receive(clerk, sp, part, STOCK, note="the only delivery")
        db.session.commit()
        ids = [r.id for r in reqs]
        part_id, sp_id, clerk_id = part.id, sp.id, clerk.id

    ctx = multiprocessing.get_context("spawn")
    tasks, results = ctx.Queue(), ctx.Queue()
    barrier = ctx.Barrier(WORKERS)
    procs = [ctx.Process(target=_race_worker, args=(url, str(tmp_path / "instance"), clerk_id, tasks, results,
                                                    barrier), daemon=True) for _ in range(WORKERS)]
    for p in procs:
        p.start()
    try:
        # Phase 1: 24 different requisitions race for 5 units.
        outcome = _run(tasks, results, [ids[i::WORKERS] for i in range(WORKERS)])
        errors = [o[2] for o in outcome if o[0] == "error"]
        assert errors == [], errors[0] if errors else ""
        issued = sorted(rid for kind, rid, _ in outcome if kind == "issued")
        short = [o for o in outcome if o[0] == "short"]
        assert len(outcome) == WORKERS * THREADS
        assert len(issued) == STOCK, outcome
        assert len(short) == WORKERS * THREADS - STOCK
        assert all("Not enough stock" in message for _, _, message in short)

        # Phase 2: nine clerks issue one reserved requisition at the same moment.
        with app.app_context():
            sp = db.session.get(User, clerk_id).service_point
            clerk = db.session.get(User, clerk_id)
            engineer = db.session.get(User, staff["engineer"])
            part = db.session.get(Part, part_id)
            stock.receive(clerk, sp, part, 1)
            job = factories.job(sp, customer=factories.customer(sp, phone="+8613900139000"), status="repairing",
                                engineer=engineer)
            shared = stock.request_parts(engineer, job, [{"sku": "SCR-RACE", "qty": 1}])
            assert shared.lines[0].reserved_qty == 1
            db.session.commit()
            shared_id = shared.id
        outcome2 = _run(tasks, results, [[shared_id] * 3 for _ in range(WORKERS)])
        assert [o for o in outcome2 if o[0] == "error"] == []
        assert sorted(o[0] for o in outcome2) == ["conflict"] * (WORKERS * 3 - 1) + ["issued"]
    finally:
        for _ in procs:
            tasks.put(None)
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()

    with app.app_context():
        row = db.session.scalar(select(Stock).where(Stock.part_id == part_id, Stock.service_point_id == sp_id))
        ledger = db.session.scalar(select(func.sum(StockMove.qty)).where(StockMove.part_id == part_id,
                                                                        StockMove.service_point_id == sp_id))
        lowest = db.session.scalar(select(func.min(StockMove.balance)).where(StockMove.part_id == part_id))
        issues = db.session.scalar(select(func.count(StockMove.id)).where(StockMove.part_id == part_id,
                                                                         StockMove.kind == "issue"))
        statuses = db.session.execute(select(Requisition.status, func.count(Requisition.id))
                                      .group_by(Requisition.status)).all()
        assert (row.on_hand, row.reserved) == (0, 0)
        assert ledger == row.on_hand == 0
        assert lowest >= 0
        assert issues == STOCK + 1
        assert dict(statuses) == {"issued": STOCK + 1, "pending": WORKERS * THREADS - STOCK}
        assert sorted(issued) == sorted(db.session.scalars(
            select(Requisition.id).where(Requisition.status == "issued", Requisition.id != shared_id)))

