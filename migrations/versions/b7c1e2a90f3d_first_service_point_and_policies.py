"""first service point and the preset warranty policies

After `flask db upgrade` the chain has one service point (so `users create` without
--service-point has a home) and the 三包 (chain default) and EU24 warranty policies.
The policy terms are a snapshot of workshop.services.warranty.PRESETS at this revision.

Revision ID: b7c1e2a90f3d
Revises: 59d45b82ef5d
Create Date: 2026-11-22 18:20:00
"""

import datetime as dt
import os
import zoneinfo

import sqlalchemy as sa
from alembic import op

revision = "b7c1e2a90f3d"
down_revision = "59d45b82ef5d"
branch_labels = None
depends_on = None

FIRST_CODE = "SP01"
FIRST_NAME = "Service point 1"  # workshop.services.demo.FIRST_SERVICE_POINT_NAME

SANBAO = {
    "code": "sanbao", "name": "三包 (China mobile phone three guarantees)", "return_days": 7, "exchange_days": 15,
    "component_months": {"handset": 12, "battery": 6, "charger": 12, "wired_headset": 3},
    "proof_required": True, "restart_on_exchange": False, "promise_days": 7, "loaner_after_days": 7,
    "exchange_after_days": 30, "repair_warranty_days": 90, "repeat_fault_exchange_after": 2,
}
EU24 = {
    "code": "eu24", "name": "EU 24-month guarantee", "return_days": None, "exchange_days": None,
    "component_months": {"handset": 24, "battery": 24, "charger": 24, "wired_headset": 24},
    "proof_required": True, "restart_on_exchange": False, "promise_days": 7, "loaner_after_days": 7,
    "exchange_after_days": 30, "repair_warranty_days": 90, "repeat_fault_exchange_after": 2,
}

service_points = sa.table(
    "service_points", sa.column("code", sa.String), sa.column("name", sa.String), sa.column("address", sa.String),
    sa.column("phone", sa.String), sa.column("timezone", sa.String), sa.column("label_size", sa.String),
    sa.column("receipt_format", sa.String), sa.column("printer_dpi", sa.Integer),
    sa.column("repair_warranty_days", sa.Integer), sa.column("reminder_after_days", sa.Integer),
    sa.column("receipt_terms", sa.Text), sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
policies = sa.table(
    "warranty_policies", sa.column("code", sa.String), sa.column("name", sa.String), sa.column("terms", sa.JSON),
    sa.column("chain_default", sa.Boolean), sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _timezone() -> str:
    name = os.environ.get("WORKSHOP_TIMEZONE", "UTC")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise RuntimeError(f"WORKSHOP_TIMEZONE={name!r} is not an IANA timezone name") from None
    return name


def upgrade():
    conn = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    if conn.execute(sa.text("SELECT COUNT(*) FROM service_points")).scalar() == 0:
        op.bulk_insert(service_points, [{
            "code": FIRST_CODE, "name": FIRST_NAME, "address": "", "phone": "", "timezone": _timezone(),
            "label_size": "62x29", "receipt_format": "a5", "printer_dpi": 203, "repair_warranty_days": 90,
            "reminder_after_days": 7, "receipt_terms": "", "active": True, "created_at": now,
        }])
    if conn.execute(sa.text("SELECT COUNT(*) FROM warranty_policies")).scalar() == 0:
        op.bulk_insert(policies, [
            {"code": t["code"], "name": t["name"], "terms": t, "chain_default": t is SANBAO, "active": True,
             "created_at": now, "updated_at": now}
            for t in (SANBAO, EU24)
        ])


def downgrade():
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM warranty_policies WHERE code IN ('sanbao', 'eu24')"))
    conn.execute(sa.text(
        "DELETE FROM service_points WHERE code = :code AND NOT EXISTS "
        "(SELECT 1 FROM users WHERE users.service_point_id = service_points.id)"), {"code": FIRST_CODE})
