"""Model factories for tests: plain functions that build valid objects and flush."""

from __future__ import annotations

import itertools

from models import ServicePoint, User, db
from workshop.core import accounts

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


def customer(sp: ServicePoint | None = None, name: str = "王芳", phone: str = "+8613800138000", **kwargs):
    from models import Customer

    sp = sp or service_point("SZ01")
    existing = db.session.scalar(db.select(Customer).where(Customer.service_point_id == sp.id,
                                                           Customer.phone == phone))
    if existing is not None:  # customers are unique by phone at a service point
        return existing
    c = Customer(service_point=sp, name=name, phone=phone, **kwargs)
    db.session.add(c)
    db.session.flush()
    return c


def job(sp: ServicePoint | None = None, *, created_by: User | None = None, status: str = "received", **kwargs):
    """A job as intake would leave it, built directly (intake's own rules are tested elsewhere).

    ``status`` other than received is set directly, without events: use Job.move_to in
    tests about the workflow itself.
    """
    import datetime as dt

    from models import Job
    from workshop.jobs.numbering import next_job_number

    sp = sp or service_point("SZ01")
    created_by = created_by or user("receptionist", sp=sp)
    today = dt.date.today()
    values = {
        "number": next_job_number(sp), "service_point": sp, "customer": kwargs.pop("customer", None) or customer(sp),
        "created_by": created_by, "received_on": today, "promised_by": today + dt.timedelta(days=7),
        "imei": "352099001761481", "brand": "Apple", "model": "iPhone 13", "colour": "black",
        "fault_category": "no_power", "fault_description": "dead after charging", "component": "handset",
        "warranty_policy": "sanbao", "warranty_status": "in_warranty", "warranty_chargeable": False,
        "warranty_remedies": ["repair"], "warranty_reasons": [], "status": status,
    }
    values.update(kwargs)
    j = Job(**values)
    j.add_event("status", created_by, to_status="received", note="intake")
    db.session.add(j)
    db.session.flush()
    return j


def part(sku: str | None = None, *, price="128.00", cost="60.00", stock: int = 0, sp: ServicePoint | None = None,
         **kwargs):
    """A catalogue part (through the catalogue service); ``stock`` units received at ``sp``."""
    from workshop.parts import catalogue as parts_service
    from workshop.parts import ledger as stock_service

    data = dict(sku=sku or f"TST-{next(_seq):04d}", name=kwargs.pop("name", "屏幕总成 Test screen"), price=price,
                cost=cost, category=kwargs.pop("category", "screen"), brand=kwargs.pop("brand", "Apple"),
                compatible_models=kwargs.pop("compatible_models", ["iPhone 13"]), **kwargs)
    p = parts_service.create_part(None, data)
    if stock:
        stock_service.receive(None, sp or service_point("SZ01"), p, stock, note="factory",
                              serials=[f"{p.sku}-SN{i:03d}" for i in range(stock)] if p.serial_tracked else None)
    return p


def ready_job(sp: ServicePoint | None = None, *, repaired: bool = True, engineer: User | None = None,
              ready_at=None, **kwargs):
    """A job on the pickup shelf as the workflow leaves it: ``ready`` with the event that
    put it there (QC passed: qc -> ready; or unrepaired: unrepairable -> ready).
    ``ready_at`` backdates that event (how long the handset has been waiting)."""
    sp = sp or service_point("SZ01")
    engineer = engineer or user("engineer", sp=sp)
    j = job(sp, status="ready", **kwargs)
    j.location = "pickup_shelf"
    event = j.add_event("status", engineer, from_status="qc" if repaired else "unrepairable", to_status="ready",
                        data={"qc": {"result": "pass"}} if repaired else {"unrepaired": True})
    if ready_at is not None:
        event.at = ready_at
    db.session.flush()
    return j


def loaner(sp: ServicePoint | None = None, imei: str = "356938035643809", **kwargs):
    """A loaner phone in ``sp``'s pool."""
    from models import Loaner

    sp = sp or service_point("SZ01")
    lo = Loaner(service_point_id=sp.id, imei=imei, brand=kwargs.pop("brand", "Xiaomi"),
                model=kwargs.pop("model", "Redmi Note 12"), **kwargs)
    db.session.add(lo)
    db.session.flush()
    return lo
