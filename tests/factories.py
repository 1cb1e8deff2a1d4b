"""Model factories for tests: plain functions that build valid objects and flush."""

from __future__ import annotations

import itertools

from models import ServicePoint, User, db
from workshop.services import accounts

PASSWORD = "correct-horse-9"
_seq = itertools.count(1)


def service_point(code: str | None = None, **kwargs) -> ServicePoint:
    code = code or f"T{next(_seq):03d}"
    existing = accounts.service_point_by_code(code)
    if existing:
        return existing
    kwargs.setdefault("timezone", "Asia/Shanghai")
    return accounts.create_service_point(code, kwargs.pop("name", f"Service point {code}"), **kwargs)


def user(role: str = "receptionist", username: str | None = None, sp: ServicePoint | None = None,
         password: str = PASSWORD, **kwargs) -> User:
    sp = sp or service_point("SZ01")
    username = username or f"{role}{next(_seq)}"
    return accounts.create_user(username, role, password, service_point=sp, **kwargs)


def commit():
    db.session.commit()
