"""Demo data for a new counter: a service point, one user per role, and whatever
each area contributes (parts, TAC rows...).  Idempotent: running it twice adds
nothing the second time."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import func, select

from models import ServicePoint, User, db

from . import accounts, intake, loaners, parts

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


def seed() -> SeedResult:
    """Create the demo data that is missing.  Flushes; the caller commits."""
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
    intake.seed_demo(result)
    loaners.seed_demo(result)
    parts.seed_demo(result)
    return result


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
