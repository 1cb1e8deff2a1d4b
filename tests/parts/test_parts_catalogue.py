"""The catalogue: rules for parts, CSV import/export (service, CLI and upload), the
catalogue pages and the demo data."""

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Part, Stock, StockMove, ValidationError, db
from tests import factories
from workshop.parts import catalogue as parts_service

CSV = """\ufeffsku,name,category,brand,compatible_models,bin_location,cost,price,warranty_category,reorder_point,safety_stock,serial_tracked
SCR-IP13,iPhone 13 屏幕总成,screen,Apple,iPhone 13; iPhone 13 mini,A-01-1,420,899.00,supplier,3,1,no
BAT-IP13,iPhone 13 电池,battery,Apple,iPhone 13,B-01-1,120,¥299,supplier,4,2,no
MB-IP13,iPhone 13 主板,board,Apple,iPhone 13,F-01-1,1800,2999,manufacturer,0,0,yes
BAD-1,,screen,Apple,,,1,2,supplier,0,0,no
BAD-2,Broken price,screen,Apple,,,1,12.345,supplier,0,0,no
SCR-IP13,dup,screen,Apple,,,1,2,supplier,0,0,no
BAD 3,Bad SKU,toaster,Apple,,,1,2,supplier,-1,0,maybe
"""


def test_part_rules(people):
    part = parts_service.create_part(people["clerk"], {"sku": " scr-ip13 ", "name": "  iPhone 13   screen ",
                                                    "price": "899", "compatible_models": "iPhone 13|iPhone 13"})
    assert (part.sku, part.name, part.price, part.compatible_models) == (
        "SCR-IP13", "iPhone 13 screen", Decimal("899.00"), ["iPhone 13"])
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "part.create")).details["sku"] == "SCR-IP13"
    with pytest.raises(ValidationError) as exc:
        parts_service.create_part(people["clerk"], {"sku": "SCR-IP13", "name": "again", "price": "1"})
    assert "sku" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        parts_service.create_part(people["clerk"], {"sku": "", "name": "", "price": "-1", "reorder_point": "x",
                                                 "warranty_category": "forever"})
    assert set(exc.value.errors) == {"sku", "name", "price", "reorder_point", "warranty_category"}
    parts_service.update_part(people["clerk"], part, {"sku": "OTHER", "price": "799.5", "bin_location": "a-01-1"})
    assert (part.sku, part.price, part.bin_location) == ("SCR-IP13", Decimal("799.50"), "A-01-1")


def test_serial_tracking_cannot_flip_with_stock_on_the_shelf(people):
    part = factories.part("SCR-IP13", stock=1)
    with pytest.raises(ValidationError) as exc:
        parts_service.update_part(people["clerk"], part, {"serial_tracked": True})
    assert "serial_tracked" in exc.value.errors


def test_csv_import_reports_rejected_rows_and_reimport_updates(people):
    result = parts_service.import_rows(people["clerk"], parts_service.read_csv(CSV))
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    rejected = dict(result.rejected)
    assert sorted(rejected) == [5, 6, 7, 8]
    assert "name" in rejected[5] and "price" in rejected[6] and "line 2" in rejected[7]
    assert "sku" in rejected[8] and "category" in rejected[8] and "serial_tracked" in rejected[8]
    scr = parts_service.get_part("SCR-IP13")
    assert scr.compatible_models == ["iPhone 13", "iPhone 13 mini"] and scr.price == Decimal("899.00")
    assert parts_service.get_part("BAT-IP13").price == Decimal("299.00")
    assert parts_service.get_part("MB-IP13").serial_tracked is True

    exported = parts_service.export_csv()
    again = parts_service.import_rows(people["clerk"], parts_service.read_csv(exported))
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, [])
    changed = exported.replace("899.00", "859.00")
    result = parts_service.import_rows(people["clerk"], parts_service.read_csv(changed))
    db.session.commit()
    assert (result.updated, result.unchanged) == (1, 2)
    assert parts_service.get_part("SCR-IP13").price == Decimal("859.00")


def test_csv_header_must_name_required_columns(people):
    with pytest.raises(ValidationError, match="price"):
        parts_service.read_csv("sku,name\nA,B\n")
    with pytest.raises(ValidationError, match="empty"):
        parts_service.read_csv("")
    rows = parts_service.read_csv("SKU;Name;Price\nA-1;Glue;5\n")  # semicolons, any case
    assert rows == [(2, {"sku": "A-1", "name": "Glue", "price": "5"})]


def test_cli_import_with_progress_and_summary(runner, app, tmp_path):
    path = tmp_path / "parts.csv"
    path.write_text(CSV, encoding="utf-8")
    r = runner.invoke(args=["parts", "import", str(path)])
    assert r.exit_code == 0, r.output  # the good rows are imported, the bad ones listed
    assert "Importing parts.csv" in r.output
    assert "3 created, 0 updated, 0 unchanged, 4 rejected" in r.output
    assert "line 5: name: Required." in r.output and "line 8:" in r.output
    good = tmp_path / "good.csv"
    good.write_text("sku,name,price\nSCR-IP13,iPhone 13 screen (new name),899\n", encoding="utf-8")
    r = runner.invoke(args=["parts", "import", str(good)])
    assert r.exit_code == 0 and "0 created, 1 updated" in r.output
    r = runner.invoke(args=["parts", "export"])
    assert r.exit_code == 0 and r.output.startswith("sku,name,category") and "(new name)" in r.output
    out = tmp_path / "out.csv"
    r = runner.invoke(args=["parts", "export", str(out)])
    assert r.exit_code == 0 and "3 parts written" in r.output and out.read_text(encoding="utf-8-sig").count("\n") == 4
    with app.app_context():
        assert db.session.scalar(select(func.count(Part.id))) == 3
    r = runner.invoke(args=["parts", "import", str(tmp_path / "missing.csv")])
    assert r.exit_code != 0
    bad = tmp_path / "bad.csv"
    bad.write_text("part,cost\nX,1\n", encoding="utf-8")
    r = runner.invoke(args=["parts", "import", str(bad)])
    assert r.exit_code == 1 and "lacks the column(s): sku, name, price" in r.output


def test_cli_reorder_list(runner, app, staff):
    with app.app_context():
        factories.part("SCR-IP13", stock=1, reorder_point=2)
        db.session.commit()
    r = runner.invoke(args=["parts", "reorder", "--service-point", "SZ01"])
    assert r.exit_code == 0 and "SZ01,SCR-IP13" in r.output
    assert runner.invoke(args=["parts", "reorder", "--service-point", "NOPE"]).exit_code != 0


def test_upload_import_and_exports(client, auth, staff, app):
    auth.login("clerk")
    r = client.post("/parts/import", data={"file": (io.BytesIO(CSV.encode("utf-8")), "parts.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and b"3 created, 0 updated, 0 unchanged, 4 rejected" in r.data
    assert b'id="rejected-rows"' in r.data
    gbk = "sku,name,price\nGLUE,屏幕胶,15\n".encode("gb18030")
    r = client.post("/parts/import", data={"file": (io.BytesIO(gbk), "excel.csv")}, content_type="multipart/form-data")
    assert r.status_code == 200
    with app.app_context():
        assert parts_service.get_part("GLUE").name == "屏幕胶"
    r = client.post("/parts/import", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and b"invalid-feedback" in r.data
    r = client.get("/parts/export/catalogue.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    assert "屏幕胶" in r.data.decode("utf-8-sig")
    r = client.get("/parts/export/reorder.csv")
    assert r.status_code == 200 and r.data.decode("utf-8-sig").startswith("service_point,sku")


def test_part_form_shows_errors_beside_fields(client, auth, staff, app):
    auth.login("manager")
    r = client.post("/parts/new", data={"sku": "SCR-IP13", "name": "iPhone 13 screen", "price": "12.345",
                                        "category": "screen", "warranty_category": "supplier"})
    assert r.status_code == 422 and b'data-error-for="price"' in r.data and b"two decimals" in r.data
    r = client.post("/parts/new", data={"sku": "SCR-IP13", "name": "iPhone 13 screen", "price": "899",
                                        "category": "screen", "warranty_category": "supplier",
                                        "compatible_models": "iPhone 13\niPhone 13 mini", "bin_location": "a-01-1",
                                        "active": "y"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/parts/catalogue/SCR-IP13")
    r = client.get("/parts/catalogue/SCR-IP13/edit")
    assert r.status_code == 200 and b"iPhone 13\niPhone 13 mini" in r.data
    r = client.post("/parts/catalogue/SCR-IP13/edit", data={"name": "iPhone 13 屏幕总成", "price": "859",
                                                            "category": "screen", "warranty_category": "supplier",
                                                            "active": "y"})
    assert r.status_code == 302
    with app.app_context():
        part = parts_service.get_part("SCR-IP13")
        assert (part.name, part.price, part.bin_location) == ("iPhone 13 屏幕总成", Decimal("859.00"), "A-01-1")
    r = client.get("/parts/catalogue?q=屏幕")
    assert r.status_code == 200 and b'data-sku="SCR-IP13"' in r.data
    r = client.get("/parts/catalogue?q=nothing-like-this")
    assert b'data-sku="SCR-IP13"' not in r.data


def test_catalogue_is_read_only_for_the_bench(client, auth, staff):
    auth.login("engineer")
    assert client.get("/parts/catalogue").status_code == 200
    assert client.get("/parts/new").status_code == 403
    assert client.get("/parts/").status_code == 403
    assert client.get("/parts/requisitions").status_code == 403


def test_demo_seed_adds_parts_with_stock_once(runner, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        parts = db.session.scalar(select(func.count(Part.id)))
        on_hand = db.session.scalar(select(func.sum(Stock.on_hand)))
        ledger = db.session.scalar(select(func.sum(StockMove.qty)))
        assert parts >= 30 and on_hand == ledger > 100
        brands = set(db.session.scalars(select(Part.brand)))
        assert {"Apple", "Samsung", "Xiaomi", "Huawei", "OPPO"} <= brands
        board = parts_service.get_part("MB-IP13")
        assert board.serial_tracked
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Part.id))) == parts
        assert db.session.scalar(select(func.sum(Stock.on_hand))) == on_hand
