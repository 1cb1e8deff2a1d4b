"""The demo counter's parts catalogue with opening stock."""

from __future__ import annotations

from sqlalchemy import select

from models import Part, db
from workshop.parts import ledger as stock_service
from workshop.parts.catalogue import create_part

#: sku, name, category, brand, models, bin, cost, price, warranty, reorder point, safety stock, opening stock
DEMO_PARTS = [
    ("SCR-IP13", "iPhone 13 屏幕总成 OLED screen", "screen", "Apple", "iPhone 13", "A-01-1", 420, 899, "supplier", 3, 1, 6),
    ("SCR-IP14", "iPhone 14 屏幕总成 OLED screen", "screen", "Apple", "iPhone 14", "A-01-2", 480, 999, "supplier", 3, 1, 4),
    ("SCR-IP15P", "iPhone 15 Pro 屏幕总成 screen", "screen", "Apple", "iPhone 15 Pro", "A-01-3", 820, 1599, "supplier", 2, 1, 2),
    ("SCR-IP12", "iPhone 12 / 12 Pro 屏幕总成 screen", "screen", "Apple", "iPhone 12; iPhone 12 Pro", "A-01-4",
     350, 799, "supplier", 2, 1, 1),
    ("BAT-IP13", "iPhone 13 电池 battery 3227mAh", "battery", "Apple", "iPhone 13", "B-01-1", 120, 299, "supplier", 4, 2, 10),
    ("BAT-IP14", "iPhone 14 电池 battery 3279mAh", "battery", "Apple", "iPhone 14", "B-01-2", 130, 329, "supplier", 4, 2, 3),
    ("BAT-IP12", "iPhone 12 / 12 Pro 电池 battery", "battery", "Apple", "iPhone 12; iPhone 12 Pro", "B-01-3",
     100, 269, "supplier", 3, 1, 5),
    ("BAT-IP11", "iPhone 11 电池 battery 3110mAh", "battery", "Apple", "iPhone 11", "B-01-4", 90, 249, "supplier", 3, 1, 0),
    ("PORT-IP13", "iPhone 13 尾插排线 charging port flex", "charging_port", "Apple", "iPhone 13", "C-01-1",
     45, 199, "supplier", 2, 1, 4),
    ("PORT-IP14", "iPhone 14 尾插排线 charging port flex", "charging_port", "Apple", "iPhone 14", "C-01-2",
     50, 219, "supplier", 2, 1, 2),
    ("CAM-IP13", "iPhone 13 后置摄像头 rear camera", "camera", "Apple", "iPhone 13", "D-01-1", 260, 599, "supplier", 1, 0, 2),
    ("BCV-IP13", "iPhone 13 后盖玻璃 back glass", "back_cover", "Apple", "iPhone 13", "E-01-1", 60, 249, "supplier", 2, 1, 3),
    ("MB-IP13", "iPhone 13 主板 logic board 128GB", "board", "Apple", "iPhone 13", "F-01-1", 1800, 2999,
     "manufacturer", 0, 0, 2),
    ("SCR-S23", "Galaxy S23 屏幕总成 AMOLED screen", "screen", "Samsung", "Galaxy S23", "A-02-1", 650, 1299,
     "manufacturer", 2, 1, 3),
    ("SCR-S22", "Galaxy S22 屏幕总成 AMOLED screen", "screen", "Samsung", "Galaxy S22", "A-02-2", 560, 1099,
     "manufacturer", 2, 1, 1),
    ("SCR-A54", "Galaxy A54 屏幕 screen", "screen", "Samsung", "Galaxy A54", "A-02-3", 220, 499, "supplier", 3, 1, 5),
    ("BAT-S23", "Galaxy S23 电池 battery EB-BS912ABY", "battery", "Samsung", "Galaxy S23", "B-02-1", 90, 259,
     "supplier", 3, 1, 6),
    ("BAT-A54", "Galaxy A54 电池 battery", "battery", "Samsung", "Galaxy A54", "B-02-2", 70, 199, "supplier", 3, 1, 2),
    ("PORT-S23", "Galaxy S23 USB-C 尾插小板 charging board", "charging_port", "Samsung", "Galaxy S23", "C-02-1",
     40, 169, "supplier", 2, 1, 3),
    ("SCR-RN12", "红米 Redmi Note 12 屏幕总成 screen", "screen", "Xiaomi", "Redmi Note 12; Redmi Note 12 5G", "A-03-1",
     160, 399, "supplier", 3, 1, 7),
    ("SCR-X13", "小米 13 屏幕总成 screen", "screen", "Xiaomi", "Xiaomi 13", "A-03-2", 520, 999, "manufacturer", 2, 1, 2),
    ("BAT-RN12", "红米 Redmi Note 12 电池 BN5E battery", "battery", "Xiaomi", "Redmi Note 12; Redmi Note 12 5G",
     "B-03-1", 50, 159, "supplier", 4, 2, 8),
    ("BAT-X13", "小米 13 电池 battery", "battery", "Xiaomi", "Xiaomi 13", "B-03-2", 60, 189, "supplier", 3, 1, 3),
    ("PORT-RN12", "红米 Redmi Note 12 尾插小板 charging board", "charging_port", "Xiaomi", "Redmi Note 12", "C-03-1",
     25, 129, "supplier", 3, 1, 1),
    ("SCR-P60", "华为 P60 屏幕总成 screen", "screen", "Huawei", "P60", "A-04-1", 700, 1399, "manufacturer", 2, 1, 2),
    ("SCR-M50", "华为 Mate 50 屏幕总成 screen", "screen", "Huawei", "Mate 50", "A-04-2", 780, 1599, "manufacturer", 1, 1, 1),
    ("SCR-NOVA11", "华为 nova 11 屏幕 screen", "screen", "Huawei", "nova 11", "A-04-3", 300, 699, "supplier", 2, 1, 3),
    ("BAT-P60", "华为 P60 电池 battery", "battery", "Huawei", "P60", "B-04-1", 80, 229, "supplier", 3, 1, 4),
    ("BAT-M50", "华为 Mate 50 电池 battery", "battery", "Huawei", "Mate 50", "B-04-2", 85, 239, "supplier", 2, 1, 2),
    ("PORT-P60", "华为 P60 尾插小板 charging board", "charging_port", "Huawei", "P60", "C-04-1", 35, 149, "supplier", 2, 1, 2),
    ("SCR-RENO10", "OPPO Reno10 屏幕总成 screen", "screen", "OPPO", "Reno10", "A-05-1", 380, 799, "supplier", 2, 1, 3),
    ("SCR-A78", "OPPO A78 屏幕 screen", "screen", "OPPO", "A78", "A-05-2", 150, 359, "supplier", 3, 1, 4),
    ("BAT-RENO10", "OPPO Reno10 电池 battery", "battery", "OPPO", "Reno10", "B-05-1", 70, 199, "supplier", 3, 1, 5),
    ("BAT-FINDX6", "OPPO Find X6 电池 battery", "battery", "OPPO", "Find X6", "B-05-2", 95, 259, "supplier", 2, 1, 0),
    ("PORT-A78", "OPPO A78 尾插小板 charging board", "charging_port", "OPPO", "A78", "C-05-1", 20, 119, "supplier", 2, 1, 3),
    ("ADH-B7000", "B-7000 屏幕胶 screen adhesive 15ml", "adhesive", "", "", "G-01-1", 5, 15, "none", 10, 5, 40),
    ("ADH-SEAL-IP", "防水背胶 waterproof seal (iPhone)", "adhesive", "Apple", "iPhone 12; iPhone 13; iPhone 14",
     "G-01-2", 2, 20, "none", 20, 10, 60),
    ("SCREW-KIT", "螺丝套装 screw kit", "other", "", "", "G-02-1", 3, 10, "none", 10, 5, 25),
]


def seed_demo(result) -> None:
    """The parts catalogue of the demo counter with opening stock at its service point.

    Idempotent: parts already in the catalogue are left alone.  Flushes only.
    """
    sp = result.service_point
    added = 0
    for (sku, name, category, brand, models, bin_location, cost, price, warranty, reorder, safety,
         opening) in DEMO_PARTS:
        if db.session.scalar(select(Part.id).where(Part.sku == sku)):
            continue
        part = create_part(None, {
            "sku": sku, "name": name, "category": category, "brand": brand, "compatible_models": models,
            "bin_location": bin_location, "cost": str(cost), "price": str(price), "warranty_category": warranty,
            "reorder_point": reorder, "safety_stock": safety, "serial_tracked": category == "board",
        })
        if opening:
            serials = [f"{sku}-DEMO{i + 1:03d}" for i in range(opening)] if part.serial_tracked else None
            stock_service.receive(None, sp, part, opening, note="opening stock (demo)", serials=serials)
        added += 1
    if added:
        result.notes.append(f"Parts: {added} catalogue entries with opening stock at {sp.code}.")
