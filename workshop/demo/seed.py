"""Demo data for a new counter: a service point, one user per role, and whatever
each area contributes (parts, TAC rows...).  Idempotent: running it twice adds
nothing the second time."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, select

from models import Job, ServicePoint, User, db
from workshop.bench import assignment
from workshop.core import accounts, clock
from workshop.demo import aftercare as demo_aftercare
from workshop.demo import intake as demo_intake
from workshop.demo import loaners as demo_loaners
from workshop.demo import parts as demo_parts
from workshop.intake.devices import imei
from workshop.intake.take_in import IntakeRequest, take_in
from workshop.jobs import workflow

DEMO_CODE = "SZ01"
DEMO_NAME = "深圳华强北维修中心 Shenzhen Huaqiangbei Service Centre"
DEMO_DETAILS = {"address": "深圳市福田区华强北路1号", "phone": "+86 755 8888 0000", "timezone": "Asia/Shanghai"}
#: The name the first migration gives the service point it creates.
FIRST_SERVICE_POINT_NAME = "Service point 1"
DEMO_USERS = [
    # username, role, display name, engineer level, brands
    ("reception", "receptionist", "前台 Li Na", None, ""),
    ("engineer", "engineer", "Zhang Wei (L2)", 2, ""),
    ("engineer2", "engineer", "Chen Jie (L1)", 1, "Apple,Samsung,Xiaomi,Huawei,OPPO"),
    ("clerk", "clerk", "Wang Fang (parts)", None, ""),
    ("manager", "manager", "Liu Yang (manager)", None, ""),
    ("admin", "admin", "System admin", None, ""),
]


@dataclass
class SeedResult:
    service_point: ServicePoint
    passwords: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def seed(*, with_jobs: bool = False) -> SeedResult:
    """Create the demo data that is missing; ``with_jobs`` adds a few handsets at each
    step of the journey (``python run.py`` does, ``seed-demo`` only when asked).
    Flushes; the caller commits."""
    # The demo lives at the first service point (the one `db upgrade` creates), so users
    # made later with `users create` (no --service-point) work alongside the demo users.
    sp = accounts.default_service_point()
    if sp is None:
        sp = accounts.create_service_point(DEMO_CODE, DEMO_NAME, **DEMO_DETAILS)
    elif sp.name == FIRST_SERVICE_POINT_NAME:
        accounts.update_service_point_settings(sp, actor=None, name=DEMO_NAME, **DEMO_DETAILS)
    result = SeedResult(service_point=sp)
    for username, role, display_name, level, brands in DEMO_USERS:
        exists = db.session.scalar(select(User.id).where(func.lower(User.username) == username))
        if exists:
            continue
        password = secrets.token_urlsafe(9)
        accounts.create_user(username, role, password, service_point=sp, display_name=display_name,
                             engineer_level=level, brands=brands)
        result.passwords[username] = password
    # Each area adds its own demo data below with one call taking ``result``.
    demo_intake.seed_demo(result)
    demo_loaners.seed_demo(result)
    demo_parts.seed_demo(result)
    if with_jobs:
        _seed_jobs(result)
    return result


def _demo_imei(tac: str, serial: str) -> str:
    return tac + serial + imei.check_digit(tac + serial)


def _seed_jobs(result: SeedResult) -> None:
    """A morning's counter: a few handsets at each step, made through the real services
    (intake, assignment, workflow), so every screen has something to show."""
    sp = result.service_point
    if db.session.scalar(select(func.count(Job.id)).where(Job.service_point_id == sp.id)):
        return
    users = {u.username: u for u in db.session.scalars(select(User).where(User.service_point_id == sp.id))}
    desk, manager = users.get("reception"), users.get("manager")
    l2, l1 = users.get("engineer"), users.get("engineer2")
    if not all((desk, manager, l2, l1)):
        return
    today = clock.local_today(sp)

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    def intake(name, phone, tac, serial, fault, description, *, proof_days=None, **extra):
        imei = _demo_imei(tac, serial)
        proof = {} if proof_days is None else {
            "proof_kind": "invoice", "proof_number": f"FP-{serial}", "purchase_date": ago(proof_days),
            "proof_seller": "华强北手机城", "proof_imei": imei}
        return take_in(desk, IntakeRequest(
            customer_name=name, customer_phone=phone, imei=imei, fault_category=fault,
            fault_description=description, data_disclaimer=True, lock_removed=True,
            accessories=["sim_tray"], estimate_amount="0.00", estimate_ceiling="500.00", **proof, **extra))

    waiting = intake("刘洋", "13912345678", "86927102", "104455", "screen", "屏幕摔碎，触摸正常",
                     physical_damage=True, condition_notes="左上角碎裂")
    battery = intake("陈静", "13600001111", "35381208", "204411", "battery", "电池鼓包，续航半天",
                     component="battery", proof_days=60)
    board = intake("Zhang Min", "13700002222", "35675904", "301122", "no_power", "Dead after charging overnight",
                   proof_days=10)
    port = intake("王丽", "13511118000", "35381208", "407788", "buttons_ports", "充电口接触不良",
                  proof_days=200)
    assignment.assign(battery, l1, manager)
    workflow.start_diagnosis(battery, l1)
    assignment.assign(board, l2, manager)
    workflow.start_diagnosis(board, l2)
    workflow.record_diagnosis(board, l2, findings="PMIC short to ground; board-level repair.")
    assignment.assign(port, l2, manager)
    workflow.start_diagnosis(port, l2)
    workflow.record_diagnosis(port, l2, findings="Charging port worn; replace the flex.", estimate="180.00")
    workflow.record_repair(port, l2, actions="Replaced the charging port flex, cleaned the contacts.",
                           hand_to_qc=True)
    workflow.qc_pass(port, l1)
    # Two handsets already handed back, for the after-sales screens.
    done = [intake("赵磊", "13800138000", "35675904", f"50{n}233", "audio", "听筒无声", proof_days=30)
            for n in (1, 2)]
    for job in done:
        assignment.assign(job, l2, manager)
        workflow.start_diagnosis(job, l2)
        workflow.record_diagnosis(job, l2, findings="Earpiece speaker open circuit.")
        workflow.record_repair(job, l2, actions="Replaced the earpiece speaker.", hand_to_qc=True)
        workflow.qc_pass(job, l1)
    result.notes += demo_aftercare.seed_demo(happy=done[0], unhappy=done[1], desk=desk, manager=manager)
    result.notes.append(
        f"Demo jobs: {waiting.number} waiting for the bench, {battery.number} diagnosing, "
        f"{board.number} repairing, {port.number} ready for pickup (customer phone ends 8000).")


def describe(result: SeedResult) -> str:
    lines = [f"Demo service point: {result.service_point.code} {result.service_point.name}"]
    if result.passwords:
        lines.append("Demo users (passwords are shown once; note them now):")
        lines += [f"  {u:<12} {p}" for u, p in result.passwords.items()]
    else:
        lines.append("Demo users already exist (their passwords were printed when they were created).")
    lines += result.notes
    return "\n".join(lines)


def is_empty() -> bool:
    return db.session.scalar(select(func.count(User.id))) == 0
