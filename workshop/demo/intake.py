"""Intake's demo data: warranty policies, the shipped TAC table, a blocked IMEI."""

from __future__ import annotations

from sqlalchemy import select

from models import BlockedImei, db
from workshop.intake.devices import blocked, tac
from workshop.warranty import policies

#: A blocked IMEI in the demo data, to try the warning at the counter.
DEMO_BLOCKED_IMEI = "356938035643809"


def seed_demo(result) -> None:
    """Intake's demo data: the 三包 and EU24 policies, the shipped Osmocom TAC table
    (when the table is empty) and one blocked IMEI.  Idempotent; flushes only."""
    added = policies.seed_presets()
    if added:
        result.notes.append(f"Warranty policies: {', '.join(added)} (三包 is the chain default).")
    if tac.count() == 0 and tac.SHIPPED_TACDB.exists():
        imported = tac.import_file(tac.SHIPPED_TACDB)
        result.notes.append(f"TAC table from {tac.SHIPPED_TACDB.name}: {imported.summary()}")
    if not blocked.active_entries([DEMO_BLOCKED_IMEI]) and db.session.scalar(
            select(BlockedImei.id).where(BlockedImei.imei == DEMO_BLOCKED_IMEI)) is None:
        blocked.add(None, DEMO_BLOCKED_IMEI, reason="stolen", reference="DEMO-110",
                    note="Demo entry: scan it at intake to see the blocked warning.")
        result.notes.append(f"Blocked IMEI (demo, reported stolen): {DEMO_BLOCKED_IMEI}")
