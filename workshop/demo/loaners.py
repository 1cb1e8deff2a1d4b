"""The demo service point's loaner pool."""

from __future__ import annotations

from sqlalchemy import select

from models import Loaner, db


def seed_demo(result) -> int:
    """A few loaners in the demo service point's pool (idempotent; ``result`` is
    ``workshop.demo.seed.SeedResult``).  Returns how many were added."""
    service_point = result.service_point
    phones = [
        ("356938035643817", "Xiaomi", "Redmi Note 12", "good", ""),
        ("353918051234561", "Huawei", "nova 9", "worn", "Scratches on the back"),
        ("354565100234560", "Apple", "iPhone 11", "good", ""),
    ]
    added = 0
    for number, brand, model, condition, notes in phones:
        if db.session.scalar(select(Loaner.id).where(Loaner.imei == number)) is None:
            db.session.add(Loaner(service_point_id=service_point.id, imei=number, brand=brand, model=model,
                                  condition=condition, condition_notes=notes))
            added += 1
    db.session.flush()
    if added:
        result.notes.append(f"Loaner pool: {added} demo loaner phone(s) added.")
    return added
