"""Generate a realistic workshop data set straight into SQLite or PostgreSQL.

Run from the repository root::

    python bench/data.py --url sqlite:////tmp/bench.db --jobs 1000000
    python bench/data.py --url postgresql://localhost/bench --jobs 1000000

The schema comes from the app's own migrations (``flask db upgrade``); reference
data (service points, staff, API tokens, TAC table, parts) goes in through the
ORM, the history in bulk: the big tables' secondary indexes are dropped, rows are
written with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), then the indexes
are rebuilt and the planner statistics refreshed.

What it makes, by default: 6 service points over 3 years, ~0.6 customers a job,
handsets that come back (same IMEI), a few hundred open jobs (the rest collected,
some after a cancellation), ~3 events a job, a parts catalogue with stock and the
moves behind it (receipts and issues to jobs, balances consistent), pickups.

Another benchmark can add its own rows: append a function to :data:`GENERATORS`
(or pass ``generators=``) taking the :class:`Context`; it runs after the jobs are
written and before the indexes are rebuilt, and writes with ``ctx.insert``.  The
context knows the ids it made (``ctx.job_ids_by_sp``, ``ctx.open_job_ids``,
``ctx.users``, ``ctx.customers``...).

Every API user gets the bearer token ``BENCH_TOKEN_PREFIX + username`` and the
password :data:`BENCH_PASSWORD`, so ``bench/web.py`` can drive the app.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_PASSWORD = "bench-password-1"
BENCH_TOKEN_PREFIX = "wst_bench_"
SERVICE_POINT_CODES = ["SZ01", "SZ02", "GZ01", "SH01", "BJ01", "CD01", "WH01", "HZ01", "NJ01", "XA01"]
#: Staff at each service point: (role, how many).
STAFF = [("receptionist", 3), ("engineer", 5), ("manager", 1), ("clerk", 1)]
#: Tables whose secondary indexes are dropped while they are loaded.
BULK_TABLES = ["customers", "jobs", "job_events", "stock_moves", "pickups", "audit_events"]
OPEN_STATUS_WEIGHTS = [("received", 20), ("diagnosing", 15), ("awaiting_approval", 8), ("awaiting_parts", 12),
                       ("repairing", 15), ("qc", 5), ("ready", 20), ("cancelled", 3), ("unrepairable", 2)]
#: The status path that leads to each open status (events written for it).
PATHS = {
    "received": ["received"],
    "diagnosing": ["received", "diagnosing"],
    "awaiting_approval": ["received", "diagnosing", "awaiting_approval"],
    "awaiting_parts": ["received", "diagnosing", "awaiting_parts"],
    "repairing": ["received", "diagnosing", "repairing"],
    "qc": ["received", "diagnosing", "repairing", "qc"],
    "ready": ["received", "diagnosing", "repairing", "qc", "ready"],
    "cancelled": ["received", "cancelled"],
    "unrepairable": ["received", "diagnosing", "unrepairable"],
}
LOCATION = {"received": "front_desk", "diagnosing": "bench", "awaiting_approval": "bench",
            "awaiting_parts": "parts_wait_shelf", "repairing": "bench", "qc": "qc", "ready": "pickup_shelf",
            "collected": "customer", "cancelled": "pickup_shelf", "unrepairable": "bench"}
FAULTS = ["screen", "battery", "charging", "camera", "audio", "water", "software", "buttons", "network", "other"]
FAULT_TEXT = {"screen": "Cracked screen, touch works", "battery": "Battery drains in two hours",
              "charging": "Does not charge", "camera": "Rear camera blurry", "audio": "No sound from speaker",
              "water": "Dropped in water", "software": "Stuck on logo", "buttons": "Power button stuck",
              "network": "No signal", "other": "Customer reports intermittent fault"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"]
LATIN = ["Li Na", "Wang Wei", "Zhang Min", "Liu Yang", "Chen Jie", "Amy Wong", "David Chan", "Kevin Ho"]


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_imei(tac: str, handset: int) -> str:
    body = tac + f"{(handset * 7919 + 12345) % 1_000_000:06d}"
    return body + luhn_digit(body)


def customer_phone(customer_id: int) -> str:
    """A unique mainland mobile number in E.164 for each customer id (< 10**9)."""
    return f"+861{3 + customer_id % 7}{(customer_id * 7919) % 1_000_000_000:09d}"


@dataclass
class Context:
    """What the generators share: the connection, the random source, the ids made."""

    app: object
    conn: object  # a DBAPI connection (sqlite3 or psycopg)
    dialect: str
    rng: random.Random
    now: dt.datetime
    jobs: int
    years: float
    open_jobs: int
    parts: int
    service_points: list[tuple[int, str]] = field(default_factory=list)  # (id, code)
    users: dict[int, dict[str, list[int]]] = field(default_factory=dict)  # sp id -> role -> user ids
    customers: int = 0
    job_ids_by_sp: dict[int, list[int]] = field(default_factory=dict)
    open_job_ids: list[int] = field(default_factory=list)
    part_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    tacs: list[str] = field(default_factory=list)

    # -- writing -------------------------------------------------------------
    def value(self, v):
        """A Python value as the driver should get it for this database."""
        if self.dialect == "sqlite":
            if isinstance(v, dt.datetime):
                return v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            if isinstance(v, dt.date):
                return v.isoformat()
            if isinstance(v, Decimal):
                return float(v)
        if isinstance(v, (list, dict)):
            return json.dumps(v, ensure_ascii=False)
        return v

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
        """Write ``rows`` (tuples in ``columns`` order) in bulk; returns how many."""
        n = 0
        conv = self.value
        if self.dialect == "postgresql":
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([conv(v) for v in row])
                    n += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            cur = self.conn.cursor()
            batch: list = []
            for row in rows:
                batch.append([conv(v) for v in row])
                if len(batch) >= 20000:
                    cur.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
                n += len(batch)
        self.counts[table] = self.counts.get(table, 0) + n
        return n


Generator = Callable[[Context], None]


# -- reference data through the ORM -----------------------------------------

def _reference_data(ctx: Context, n_service_points: int) -> None:
    from models import ApiToken, Part, User, db
    from models.parts import PartCategory
    from models.people import hash_token
    from workshop.core import accounts
    from workshop.intake.devices import tac

    first = accounts.default_service_point()
    first.code, first.name, first.timezone = SERVICE_POINT_CODES[0], "深圳华强北维修中心", "Asia/Shanghai"
    sps = [first]
    for code in SERVICE_POINT_CODES[1:n_service_points]:
        sps.append(accounts.create_service_point(code, f"Service centre {code}", timezone="Asia/Shanghai"))
    db.session.flush()
    pw_hash = None
    for sp in sps:
        ctx.service_points.append((sp.id, sp.code))
        ctx.users[sp.id] = {}
        for role, count in STAFF:
            for i in range(1, count + 1):
                user = User(username=f"{role}{i}_{sp.code.lower()}", role=role, display_name=f"{role} {i} {sp.code}",
                            service_point=sp, engineer_level=2 if role == "engineer" else None, active=True,
                            password_hash="")
                if pw_hash is None:
                    user.set_password(BENCH_PASSWORD, "pbkdf2:sha256:1000")
                    pw_hash = user.password_hash
                user.password_hash = pw_hash
                db.session.add(user)
                db.session.flush()
                db.session.add(ApiToken(user=user, token_hash=hash_token(BENCH_TOKEN_PREFIX + user.username),
                                        prefix=(BENCH_TOKEN_PREFIX + user.username)[:12]))
                ctx.users[sp.id].setdefault(role, []).append(user.id)
    admin = User(username="admin", role="admin", display_name="admin", service_point=sps[0], active=True,
                 password_hash=pw_hash, granted_service_points=sps[1:])
    db.session.add(admin)
    db.session.flush()
    db.session.add(ApiToken(user=admin, token_hash=hash_token(BENCH_TOKEN_PREFIX + "admin"), prefix="wst_bench_ad"))
    tac_file = Path(__file__).resolve().parent.parent / "data" / "tacdb.csv"
    with tac_file.open(newline="", encoding="utf-8") as fh:
        tac.import_stream(fh, filename=tac_file.name)
    # The parts catalogue and a stock row for each part at each service point.
    rng = ctx.rng
    brands = ["Apple", "Samsung", "Xiaomi", "Huawei", "OPPO", "vivo", "Honor"]
    kinds = ["screen", "battery", "camera", "charging_port", "speaker", "back_cover", "other"]
    categories = {c.value for c in PartCategory}
    for i in range(ctx.parts):
        brand = brands[i % len(brands)]
        kind = kinds[i % len(kinds)]
        part = Part(sku=f"P{i + 1:06d}", name=f"{brand} {kind.replace('_', ' ')} #{i + 1}",
                    category=kind if kind in categories else "other", brand=brand,
                    compatible_models=[f"{brand} M{i % 40}"], bin_location=f"A{i % 30:02d}-{i % 7}",
                    cost=Decimal(rng.randint(20, 400)), price=Decimal(rng.randint(60, 900)),
                    reorder_point=5, safety_stock=2, active=True)
        db.session.add(part)
        if i % 2000 == 1999:
            db.session.flush()
    db.session.flush()
    ctx.part_ids = list(db.session.scalars(db.select(Part.id).order_by(Part.id)))
    db.session.commit()


def _tacs(limit: int = 400) -> list[str]:
    from models import TacEntry, db

    return list(db.session.scalars(db.select(TacEntry.tac).order_by(TacEntry.tac).limit(limit))) or ["35675904"]


# -- the history -------------------------------------------------------------

JOB_COLUMNS = [
    "id", "number", "service_point_id", "customer_id", "status", "location", "engineer_id", "created_by_id",
    "received_at", "received_on", "promised_by", "closed_at", "imei", "imei2", "serial_number", "brand", "model",
    "colour", "tac_known", "fault_category", "fault_description", "component", "liquid_damage", "physical_damage",
    "seals_intact", "unauthorised_repair", "documents_altered", "condition_notes", "accessories",
    "data_disclaimer_accepted", "lock_removed", "estimate_amount", "warranty_policy", "warranty_status",
    "warranty_chargeable", "warranty_remedies", "warranty_reasons", "warranty_reason_codes", "warranty_reason_args",
    "version", "repair_warranty_ends_on", "stub_token",
]
EVENT_COLUMNS = ["id", "job_id", "at", "kind", "actor_id", "from_status", "to_status", "location", "note", "data"]
PICKUP_COLUMNS = ["id", "job_id", "collected_at", "collected_on", "collected_by_id", "verified_by", "id_checked",
                  "accessories_returned", "accessories_note", "chargeable", "total", "paid", "bill",
                  "repair_warranty_days", "repair_warranty_ends_on"]
MOVE_COLUMNS = ["id", "at", "part_id", "service_point_id", "kind", "qty", "balance", "actor_id", "job_id",
                "reason", "note"]


def generate_jobs(ctx: Context) -> None:
    """Customers, jobs, their events, pickups and the stock moves of parts fitted."""
    rng = ctx.rng
    n = ctx.jobs
    sps = ctx.service_points
    sp_weights = [1.0 / (i + 1) ** 0.5 for i in range(len(sps))]
    start = ctx.now - dt.timedelta(days=365 * ctx.years)
    span = (ctx.now - start).total_seconds()
    tacs = ctx.tacs
    brands = ["Apple", "Samsung", "Xiaomi", "Huawei", "OPPO", "vivo", "Honor"]
    # Open jobs: a few hundred of the last few thousand; the rest are closed.
    recent = max(n - max(ctx.open_jobs * 8, 2000), 0)
    open_ids = set(rng.sample(range(recent + 1, n + 1), min(ctx.open_jobs, n - recent)))
    statuses, weights = zip(*OPEN_STATUS_WEIGHTS, strict=True)
    seq = {sp_id: 0 for sp_id, _ in sps}
    cust_of_sp: dict[int, list[int]] = {sp_id: [] for sp_id, _ in sps}
    last_handset: dict[int, int] = {}
    customers: list[tuple] = []
    jobs: list[tuple] = []
    events: list[tuple] = []
    pickups: list[tuple] = []
    moves: list[tuple] = []
    balance: dict[tuple[int, int], int] = {}
    ev_id = 0
    handsets = 0
    empty_list = "[]"
    accessories = json.dumps(["sim_tray"])
    bill = json.dumps({"lines": []})

    def ev(job_id, at, kind, actor, frm, to, loc, note="", data="{}"):
        nonlocal ev_id
        ev_id += 1
        events.append((ev_id, job_id, at, kind, actor, frm, to, loc, note, data))

    sp_ids = [s[0] for s in sps]
    code_of = dict(sps)
    for job_id in range(1, n + 1):
        sp_id = rng.choices(sp_ids, sp_weights)[0]
        staff = ctx.users[sp_id]
        seq[sp_id] += 1
        received_at = start + dt.timedelta(seconds=span * (job_id - 0.5) / n)
        is_open = job_id in open_ids
        # A customer: 40% of jobs come from someone seen before at this point.
        pool = cust_of_sp[sp_id]
        if pool and rng.random() < 0.4:
            cust = pool[rng.randrange(len(pool))]
        else:
            ctx.customers += 1
            cust = ctx.customers
            pool.append(cust)
            name = (rng.choice(SURNAMES) + rng.choice(GIVEN)) if rng.random() < 0.85 else rng.choice(LATIN)
            customers.append((cust, sp_id, name, customer_phone(cust), None, "zh_Hans", received_at))
        if cust in last_handset and rng.random() < 0.35:
            handset = last_handset[cust]
        else:
            handsets += 1
            handset = handsets
            last_handset[cust] = handset
        tac = tacs[handset % len(tacs)]
        serial_only = handset % 37 == 0
        imei = None if serial_only else make_imei(tac, handset)
        imei2 = make_imei(tac, handset + 500_000) if (handset % 5 == 0 and not serial_only) else None
        serial = f"SN{handset:010d}" if (serial_only or handset % 3 == 0) else None
        brand = brands[handset % len(brands)]
        fault = FAULTS[job_id % len(FAULTS)]
        receptionist = rng.choice(staff["receptionist"])
        engineer = rng.choice(staff["engineer"])
        if is_open:
            status = rng.choices(statuses, weights)[0]
            if status == "ready":  # uncollected handsets wait on the shelf for days or weeks
                received_at = ctx.now - dt.timedelta(days=rng.uniform(3, 40))
            path = PATHS[status]
        else:
            cancelled = job_id % 20 == 0
            status = "collected"
            path = ["received", "cancelled", "collected"] if cancelled else ["received", "ready",
                                                                              "collected"]
        received_on = received_at.date()
        closed_at = received_at + dt.timedelta(days=rng.uniform(1, 10)) if status == "collected" else None
        repaired = status == "collected" and "cancelled" not in path
        warranty_end = (closed_at.date() + dt.timedelta(days=90)) if repaired else None
        jobs.append((
            job_id, f"{code_of[sp_id]}-{seq[sp_id]:06d}", sp_id, cust, status, LOCATION[status],
            None if status == "received" else engineer, receptionist, received_at, received_on,
            received_on + dt.timedelta(days=3), closed_at, imei, imei2, serial, brand, f"{brand} M{handset % 40}",
            "black", True, fault, FAULT_TEXT[fault], "handset", fault == "water", False, True, False, False, "",
            accessories, True, False, Decimal(rng.randint(0, 80) * 10), "", "out_of_warranty", True, empty_list,
            empty_list, empty_list, empty_list, len(path), warranty_end, f"{rng.randrange(10 ** 12):012d}",
        ))
        # Events: intake, then each move, spread between intake and close.
        at = received_at
        end = closed_at or ctx.now
        step = (end - received_at) / max(len(path), 1)
        prev = None
        for to in path:
            actor = receptionist if to in ("received", "collected", "cancelled") else engineer
            ev(job_id, at, "status", actor, prev, to, LOCATION[to])
            prev = to
            at = at + step
        if job_id % 4 == 0:
            ev(job_id, received_at + dt.timedelta(minutes=1), "print", receptionist, None, None, "front_desk",
               "", '{"document": "receipt"}')
        # A part fitted on about a quarter of the repairs.
        if repaired and job_id % 4 == 1 and ctx.part_ids:
            part = ctx.part_ids[(job_id * 31) % len(ctx.part_ids)]
            key = (part, sp_id)
            bal = balance.get(key, 0)
            if bal == 0:
                bal = 20
                moves.append((len(moves) + 1, received_at, part, sp_id, "receipt", 20, bal,
                              rng.choice(staff["clerk"]), None, "", "supplier delivery"))
            bal -= 1
            balance[key] = bal
            moves.append((len(moves) + 1, received_at + dt.timedelta(hours=2), part, sp_id, "issue", -1, bal,
                          rng.choice(staff["clerk"]), job_id, "", ""))
        if status == "collected":
            total = Decimal(0) if "cancelled" in path else Decimal(rng.randint(5, 80) * 10)
            pickups.append((job_id, job_id, closed_at, closed_at.date(), receptionist, "stub", False,
                            accessories, "", total > 0, total, total, bill, 90 if repaired else None, warranty_end))
        if is_open:
            ctx.open_job_ids.append(job_id)
        ctx.job_ids_by_sp.setdefault(sp_id, []).append(job_id)
        if len(jobs) >= 50000:
            _flush(ctx, customers, jobs, events, pickups)
    _flush(ctx, customers, jobs, events, pickups)
    ctx.insert("stock_moves", MOVE_COLUMNS, moves)
    # Stock rows: every part at every point; on hand = the balance of its moves.
    now = ctx.now
    ctx.insert("stock", ["part_id", "service_point_id", "on_hand", "reserved", "updated_at"],
               ((p, s, balance.get((p, s), 0), 0, now) for p in ctx.part_ids for s in sp_ids))
    ctx.insert("job_sequences", ["service_point_id", "last_value"], list(seq.items()))


def _flush(ctx: Context, customers, jobs, events, pickups) -> None:
    ctx.insert("customers", ["id", "service_point_id", "name", "phone", "email", "locale", "created_at"], customers)
    ctx.insert("jobs", JOB_COLUMNS, jobs)
    ctx.insert("job_events", EVENT_COLUMNS, events)
    ctx.insert("pickups", PICKUP_COLUMNS, pickups)
    for lst in (customers, jobs, events, pickups):
        lst.clear()


#: Run in order after the reference data.  Append a generator to add rows (e.g.
#: complaints and follow-ups for a reports benchmark); it gets the Context.
GENERATORS: list[Generator] = [generate_jobs]


# -- after-sales and parts for the reports (``--with-aftercare``) -------------

def _received_at(ctx: Context, job_id: int) -> dt.datetime:
    """When :func:`generate_jobs` took job ``job_id`` in (closed jobs; it spreads them evenly)."""
    start = ctx.now - dt.timedelta(days=365 * ctx.years)
    return start + dt.timedelta(seconds=(ctx.now - start).total_seconds() * (job_id - 0.5) / ctx.jobs)


def _with_defaults(table_name: str, columns: Sequence[str]) -> tuple[list[str], list]:
    """The NOT NULL columns of ``table_name`` not in ``columns`` and the value each gets
    (its model default, else a neutral value): bulk rows bypass the models' defaults."""
    from models import db

    extra, values = [], []
    for col in db.metadata.tables[table_name].columns:
        if col.name in columns or col.nullable or col.primary_key:
            continue
        default = col.default.arg if col.default is not None and col.default.is_scalar else None
        if default is None:
            kind = col.type.__class__.__name__.lower()
            default = False if "bool" in kind else [] if "json" in kind else 0 if (
                "int" in kind or "numeric" in kind) else ""
        extra.append(col.name)
        values.append(default)
    return extra, values


def _insert_full(ctx: Context, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    extra, values = _with_defaults(table, columns)
    return ctx.insert(table, [*columns, *extra], (tuple(r) + tuple(values) for r in rows))


def _closed_jobs(ctx: Context) -> tuple[dict[int, int], list[int]]:
    sp_of = {j: sp for sp, ids in ctx.job_ids_by_sp.items() for j in ids}
    open_ids = set(ctx.open_job_ids)
    return sp_of, [j for j in range(1, ctx.jobs + 1) if j not in open_ids]


def _spread(ids: list[int], n: int) -> list[int]:
    """``n`` of ``ids`` (or all), evenly spread from the first to the last."""
    if n >= len(ids):
        return list(ids)
    return [ids[k * len(ids) // n] for k in range(n)]


def generate_requisitions(ctx: Context) -> None:
    """An issued parts requisition (one line) for each part :func:`generate_jobs` fitted
    (repaired jobs ``job_id % 4 == 1``: the same part as its stock move), a unit
    returned on every 10th; what the parts-consumption report and parts cost read."""
    sp_of, closed = _closed_jobs(ctx)
    if not ctx.part_ids:
        return
    reqs, lines = [], []
    for job_id in closed:
        if job_id % 4 != 1 or job_id % 20 == 0:
            continue
        sp = sp_of[job_id]
        at = _received_at(ctx, job_id) + dt.timedelta(hours=2)
        staff = ctx.users[sp]
        rid = len(reqs) + 1
        reqs.append((rid, sp, job_id, "issued", staff["engineer"][job_id % len(staff["engineer"])],
                     at - dt.timedelta(minutes=30), staff["clerk"][0], at))
        part = ctx.part_ids[(job_id * 31) % len(ctx.part_ids)]
        cost = Decimal(20 + (job_id * 7) % 380)
        lines.append((rid, rid, part, 1, 0, 1, 1 if job_id % 10 == 3 else 0, cost * 3, cost * 3, cost))
    _insert_full(ctx, "requisitions", ["id", "service_point_id", "job_id", "status", "requested_by_id",
                                       "requested_at", "issued_by_id", "issued_at"], reqs)
    _insert_full(ctx, "requisition_lines", ["id", "requisition_id", "part_id", "qty", "reserved_qty", "issued_qty",
                                            "returned_qty", "unit_price", "list_price", "unit_cost"], lines)


def generate_qc_failures(ctx: Context) -> None:
    """A failed quality check (qc -> repairing) on every 12th repaired job, a day after
    intake, by its engineer (the engineer workload report counts them)."""
    sp_of, closed = _closed_jobs(ctx)
    next_id = ctx.counts.get("job_events", 0)
    rows = []
    for job_id in closed:
        if job_id % 12 != 5:
            continue
        next_id += 1
        eng = ctx.users[sp_of[job_id]]["engineer"]
        rows.append((next_id, job_id, _received_at(ctx, job_id) + dt.timedelta(hours=20), "status",
                     eng[job_id % len(eng)], "qc", "repairing", "bench", "", "{}"))
    ctx.insert("job_events", EVENT_COLUMNS, rows)


def generate_rerepairs(ctx: Context) -> None:
    """Every 50th collected repair comes back as a re-repair (返修) of the job taken in
    at the same service point 40 jobs before it (often within its repair warranty):
    the first-time-fix and re-repair rates then have something to count."""
    open_ids = set(ctx.open_job_ids)
    pairs = []
    for ids in ctx.job_ids_by_sp.values():
        for k in range(40, len(ids), 50):
            if ids[k] not in open_ids and ids[k] % 20 != 0 and ids[k - 40] % 20 != 0:
                pairs.append((ids[k - 40], ids[k]))
    mark = "?" if ctx.dialect == "sqlite" else "%s"
    ctx.conn.cursor().executemany(f"UPDATE jobs SET rerepair_of_id = {mark} WHERE id = {mark}", pairs)
    ctx.counts["rerepairs"] = len(pairs)


COMPLAINT_CHANNELS = ["walk_in", "phone", "phone", "online", "walk_in", "email", "manufacturer", "carrier",
                      "regulator", "media"]
COMPLAINT_CATEGORIES = ["repair_quality", "service_attitude", "delay", "price", "parts", "product_quality", "other"]
ROOT_CAUSES = ["repair_quality", "staff", "process", "parts", "customer_expectation", "product", "other"]


def generate_complaints(ctx: Context, complaints: int = 50_000) -> None:
    """``complaints`` complaints about closed jobs, spread over the years: the answer
    between 1 and 30 hours after registration (on time up to 24 h), serious and critical
    ones with a written report, all but the newest 300 closed (root cause, 1-12 days);
    a remedy on every second one (carried out when closed); a complaint follow-up call
    on every closed one (answered, scored)."""
    from models.aftercare import CHANNEL_LEVELS

    sp_of, closed = _closed_jobs(ctx)
    rng = ctx.rng
    chosen = _spread(closed, complaints)
    rows, remedies, calls, seqs = [], [], [], {}
    for i, job_id in enumerate(chosen, start=1):
        sp = sp_of[job_id]
        staff = ctx.users[sp]
        at = _received_at(ctx, job_id) + dt.timedelta(days=5, seconds=rng.randrange(86400))
        if at > ctx.now:
            at = ctx.now - dt.timedelta(hours=1)
        channel = COMPLAINT_CHANNELS[i % len(COMPLAINT_CHANNELS)]
        level = CHANNEL_LEVELS[channel]
        hours = 1 + i % 30
        responded = at + dt.timedelta(hours=hours)
        is_closed = i <= len(chosen) - 300
        closed_at = at + dt.timedelta(days=1 + i % 12) if is_closed else None
        report_by = at + dt.timedelta(hours=48) if level != "general" else None
        reported = at + dt.timedelta(hours=12 + i % 48) if report_by else None
        month = at.strftime("%Y%m")
        seqs[(sp, month)] = seqs.get((sp, month), 0) + 1
        owner = staff["manager"][0]
        rows.append((i, f"C{sp:02d}-{month}-{seqs[(sp, month)]:05d}", sp, 1 + job_id % max(ctx.customers, 1), job_id,
                     channel, COMPLAINT_CATEGORIES[i % 7], level, "closed" if is_closed else "open",
                     staff["receptionist"][0], owner, channel == "media", at, at + dt.timedelta(hours=24), report_by,
                     responded, hours <= 24, reported, i % 3 != 0, closed_at,
                     ROOT_CAUSES[i % 7] if is_closed else None, closed_at, 1))
        if i % 2 == 0:
            amount = Decimal(10 * (i % 9))
            remedies.append((i // 2, i, "discount", amount, "done" if is_closed else "approved", owner, at,
                             closed_at - dt.timedelta(hours=1) if is_closed else None))
        if is_closed:
            answered = closed_at + dt.timedelta(days=2)
            if answered <= ctx.now:
                calls.append((sp, "complaint", job_id, i, 1 + job_id % max(ctx.customers, 1),
                              answered.date(), "done", 1, "reached", "phone", 1 + (i * 7) % 5, answered,
                              f"cbench{i}", f"bench-complaint-{i}", closed_at))
    _insert_full(ctx, "complaints", ["id", "number", "service_point_id", "customer_id", "job_id", "channel",
                                     "category", "level", "status", "recorded_by_id", "owner_id", "escalated",
                                     "registered_at", "respond_by", "report_by", "responded_at", "responded_on_time",
                                     "reported_at", "founded", "closed_at", "root_cause", "resolved_at", "version"],
                 rows)
    _insert_full(ctx, "remedies", ["id", "complaint_id", "kind", "amount", "status", "proposed_by_id", "proposed_at",
                                   "done_at"], remedies)
    _insert_full(ctx, "complaint_sequences", ["service_point_id", "period", "last_value"],
                 [(sp, month, n) for (sp, month), n in seqs.items()])
    ctx.aftercare_calls = calls


def generate_followups(ctx: Context, pickup_calls: int = 200_000) -> None:
    """Pickup follow-up calls on ``pickup_calls`` collected jobs (three days after the
    collection, scored 1-5; those due in the last three days still open), plus the complaint calls
    :func:`generate_complaints` prepared."""
    sp_of, closed = _closed_jobs(ctx)
    rows = []
    for n, job_id in enumerate(_spread(closed, pickup_calls), start=1):
        answered = _received_at(ctx, job_id) + dt.timedelta(days=6, hours=n % 9)
        is_open = answered > ctx.now - dt.timedelta(days=3)  # the last days' calls still to make
        rows.append((sp_of[job_id], "pickup", job_id, None, 1 + job_id % max(ctx.customers, 1), answered.date(),
                     "open" if is_open else "done", 0 if is_open else 1, None if is_open else "reached",
                     None if is_open else "phone", None if is_open else 1 + (n * 7) % 5 if n % 11 else 3,
                     None if is_open else answered, f"pbench{job_id}", f"bench-pickup-{job_id}",
                     answered - dt.timedelta(days=3)))
    rows.extend(getattr(ctx, "aftercare_calls", []))
    columns = ["service_point_id", "kind", "job_id", "complaint_id", "customer_id", "due_on", "status", "attempts",
               "outcome", "channel", "satisfaction", "answered_at", "token", "dedupe_key", "created_at"]
    _insert_full(ctx, "followups", ["id", *columns], ((i, *r) for i, r in enumerate(rows, start=1)))


#: What ``--with-aftercare`` adds for the reports benchmark (bench/reports.py).
AFTERCARE_GENERATORS: list[Generator] = [generate_rerepairs, generate_requisitions, generate_qc_failures,
                                         generate_complaints, generate_followups]


def fill_report_summaries(app, log=print) -> None:
    """The reports' maintained summaries (per collected job, per service point and
    day), computed by the app's own rebuild, as the migration that made them does:
    bulk rows bypass the listeners that keep them right."""
    from models import db
    from workshop.reports import summary

    t1 = time.perf_counter()
    with app.app_context():
        written = summary.rebuild(db.session.connection())
        db.session.commit()
        with db.engine.connect() as c:  # the planner's statistics of the new rows
            c.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    log(f"report summaries: {written} rows in {time.perf_counter() - t1:.1f} s")


# -- indexes, sequences, statistics ------------------------------------------

def _drop_indexes(ctx: Context) -> list:
    from models import db

    dropped = []
    cur = ctx.conn.cursor()
    for name in BULK_TABLES:
        table = db.metadata.tables[name]
        for index in table.indexes:
            cur.execute(f"DROP INDEX IF EXISTS {index.name}")
            dropped.append(index)
    return dropped


def _create_indexes(ctx: Context, engine, indexes: list) -> None:
    from sqlalchemy.schema import CreateIndex

    cur = ctx.conn.cursor()
    for index in indexes:
        cur.execute(str(CreateIndex(index).compile(dialect=engine.dialect)))


def _fix_sequences(ctx: Context) -> None:
    if ctx.dialect != "postgresql":
        return
    cur = ctx.conn.cursor()
    extra = tuple(t for t in ("requisitions", "requisition_lines", "complaints", "remedies", "followups")
                  if t in ctx.counts)
    for table in ("customers", "jobs", "job_events", "stock_moves", "pickups", "stock") + extra:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")


def generate(url: str, *, jobs: int = 1_000_000, service_points: int = 6, years: float = 3.0,
             open_jobs: int = 400, parts: int = 2000, seed: int = 13,
             generators: Sequence[Generator] | None = None, with_aftercare: bool = False,
             fill_summaries: bool = False, log=print) -> Context:
    """Create the schema at ``url`` (which must be empty) and fill it.  Returns the Context.

    ``with_aftercare`` adds :data:`AFTERCARE_GENERATORS` (parts requisitions, QC
    failures, complaints, remedies, follow-up calls); ``fill_summaries`` computes the
    reports' summaries at the end (:func:`fill_report_summaries`)."""
    from flask_migrate import upgrade

    from config import normalise_database_url
    from models import db
    from workshop import create_app

    url = normalise_database_url(url)
    os.environ.setdefault("WORKSHOP_INSTANCE_PATH", "/tmp/workshop-bench-instance")
    app = create_app(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench")
    t0 = time.perf_counter()
    with app.app_context():
        upgrade()
        ctx = Context(app=app, conn=None, dialect=db.engine.dialect.name, rng=random.Random(seed),
                      now=dt.datetime.now(dt.UTC).replace(microsecond=0), jobs=jobs, years=years,
                      open_jobs=open_jobs, parts=parts)
        _reference_data(ctx, service_points)
        ctx.tacs = _tacs()
        db.session.commit()
        log(f"schema and reference data: {time.perf_counter() - t0:.1f} s")
        engine = db.engine
        raw = engine.raw_connection()
        try:
            ctx.conn = raw.driver_connection
            if ctx.dialect == "sqlite":
                ctx.conn.execute("PRAGMA synchronous=OFF")
                ctx.conn.execute("BEGIN")
            indexes = _drop_indexes(ctx)
            chosen = list(generators if generators is not None else GENERATORS)
            if with_aftercare:
                chosen += AFTERCARE_GENERATORS
            for gen in chosen:
                t1 = time.perf_counter()
                gen(ctx)
                log(f"{gen.__name__}: {time.perf_counter() - t1:.1f} s {ctx.counts}")
            t1 = time.perf_counter()
            _create_indexes(ctx, engine, indexes)
            _fix_sequences(ctx)
            ctx.conn.commit()
            log(f"indexes: {time.perf_counter() - t1:.1f} s")
            t1 = time.perf_counter()
            from workshop.jobs import name_index

            with engine.begin() as conn:  # the names' index, as the app keeps it
                rows = name_index.rebuild(conn, log=lambda _line: None)
            log(f"job_name_prefixes: {rows:,} rows in {time.perf_counter() - t1:.1f} s")
            t1 = time.perf_counter()
            if ctx.dialect == "sqlite":
                ctx.conn.execute("ANALYZE")
                ctx.conn.execute("PRAGMA synchronous=FULL")
            else:
                ctx.conn.autocommit = True
                ctx.conn.execute("VACUUM ANALYZE")
            log(f"analyze: {time.perf_counter() - t1:.1f} s")
        finally:
            raw.close()
    if fill_summaries:
        fill_report_summaries(app, log)
    log(f"total: {time.perf_counter() - t0:.1f} s")
    return ctx


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="sqlite:///path.db or postgresql://... (an empty database)")
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--service-points", type=int, default=6)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--open-jobs", type=int, default=400)
    parser.add_argument("--parts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--with-aftercare", action="store_true",
                        help="Add parts requisitions, QC failures, 50k complaints, remedies and follow-up calls "
                             "(the reports data set) and fill the reports' summaries.")
    args = parser.parse_args(argv)
    ctx = generate(args.url, jobs=args.jobs, service_points=args.service_points, years=args.years,
                   open_jobs=args.open_jobs, parts=args.parts, seed=args.seed, with_aftercare=args.with_aftercare,
                   fill_summaries=args.with_aftercare)
    print(json.dumps(ctx.counts))


if __name__ == "__main__":
    main()
