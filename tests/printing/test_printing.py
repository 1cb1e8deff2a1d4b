"""Printing from the app: /jobs/<n>/label.pdf and ticket.pdf scan back to the job
number at the printer's resolution, are the label stock's size, log every print
and reprint on the job, and obey the service-point check."""

import pytest

from models import JobEvent, User, db
from tests import factories
from tests.scanning import needs_pdftotext, needs_scanner, page_sizes_mm, pdf_text, scan
from workshop.core import accounts


@pytest.fixture
def job_number(app, staff):
    with app.app_context():
        sp = accounts.service_point_by_code("SZ01")
        job = factories.job(sp, created_by=db.session.get(User, staff["receptionist"]),
                            customer=factories.customer(sp, name="王芳"))
        db.session.commit()
        return job.number


@needs_scanner
@pytest.mark.parametrize(("size", "dpi", "expected_mm"), [
    ("62x29", 203, (62.0, 29.0)), ("62x29", 300, (62.0, 29.0)),
    ("57x32", 203, (57.15, 31.75)), ("57x32", 300, (57.15, 31.75)),
])
def test_tag_label_scans_at_the_printers_resolution(client, auth, app, job_number, size, dpi, expected_mm, tmp_path):
    with app.app_context():
        accounts.service_point_by_code("SZ01").printer_dpi = dpi
        db.session.commit()
    auth.login("receptionist")
    r = client.get(f"/jobs/{job_number}/label.pdf?size={size}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("inline")
    (w, h), = page_sizes_mm(r.data)
    assert w == pytest.approx(expected_mm[0], abs=0.05) and h == pytest.approx(expected_mm[1], abs=0.05)
    assert scan(r.data, dpi, tmp_path) == [job_number]


@needs_scanner
@needs_pdftotext
@pytest.mark.parametrize("fmt", ["a5", "80mm"])
def test_ticket_scans_and_carries_the_chinese_name(client, auth, job_number, fmt, tmp_path):
    auth.login("receptionist")
    r = client.get(f"/jobs/{job_number}/ticket.pdf?format={fmt}")
    assert r.status_code == 200
    # The receipt stub's own code: the job number and the job's secret token.
    assert scan(r.data, 203, tmp_path)[0].startswith(job_number + "-")
    text = pdf_text(r.data, tmp_path)
    assert "王芳" in text and job_number in text and "/track" in text
    if fmt == "a5":
        (w, h), = page_sizes_mm(r.data)[:1]
        assert w == pytest.approx(148.0, abs=0.05) and h == pytest.approx(210.0, abs=0.05)


@needs_pdftotext
@pytest.mark.parametrize(("locale", "said"), [
    ("zh_Hans", ["电池三包期内", "因维修顺延 5 天", "保卡上没有 IMEI"]),
    ("en", ["within the battery warranty", "extended by 5 days", "The warranty card carries no IMEI"]),
])
def test_intake_receipt_says_the_warranty_reasons_in_its_language(client, auth, app, staff, tmp_path,
                                                                   locale, said):
    import datetime as dt

    from workshop.warranty.engine import SANBAO, WarrantyCase, assess

    decision = assess(SANBAO, WarrantyCase(
        today=dt.date(2027, 1, 5), component="battery", purchase_date=dt.date(2026, 11, 10),
        proof_kind="warranty_card", device_imei="352099001761481", extension_days=5))
    with app.app_context():
        sp = accounts.service_point_by_code("SZ01")
        job = factories.job(sp, created_by=db.session.get(User, staff["receptionist"]),
                            customer=factories.customer(sp, name="王芳", locale=locale),
                            component="battery", warranty_status=decision.status,
                            warranty_reasons=decision.reasons, warranty_reason_codes=decision.reason_codes,
                            warranty_reason_args=decision.reason_args)
        db.session.commit()
        number = job.number
    auth.login("receptionist")
    r = client.get(f"/jobs/{number}/ticket.pdf?format=a5")
    assert r.status_code == 200
    text = "".join(pdf_text(r.data, tmp_path).split())  # lines wrap anywhere in Chinese
    for words in said:
        assert "".join(words.split()) in text


def test_prints_and_reprints_are_job_events(client, auth, app, job_number):
    auth.login("engineer")
    # the print buttons POST (static/js/print.js); a plain GET only shows the PDF
    assert client.post(f"/jobs/{job_number}/label.pdf").status_code == 200
    assert client.post(f"/jobs/{job_number}/label.pdf?size=57x32").status_code == 200
    assert client.post(f"/jobs/{job_number}/ticket.pdf").status_code == 200
    with app.app_context():
        prints = db.session.scalars(db.select(JobEvent).where(JobEvent.kind == "print").order_by(JobEvent.id)).all()
        assert [(e.data["document"], e.data["variant"], e.data["reprint"]) for e in prints] == [
            ("tag_label", "62x29", False), ("tag_label", "57x32", True), ("intake_receipt", "a5", False)]
        assert all(e.actor.username == "engineer" for e in prints)


def test_unknown_size_is_refused_and_logs_nothing(client, auth, app, job_number):
    auth.login("receptionist")
    r = client.get(f"/jobs/{job_number}/label.pdf?size=100x50", headers={"Accept": "application/json"})
    assert r.status_code == 422 and "62x29" in r.json["detail"]
    r = client.get(f"/jobs/{job_number}/ticket.pdf?format=a4")
    assert r.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(JobEvent).where(JobEvent.kind == "print")) is None


def test_other_service_point_cannot_print(client, auth, job_number):
    auth.login("other_manager")
    assert client.get(f"/jobs/{job_number}/label.pdf").status_code == 403
    assert client.get(f"/jobs/{job_number}/ticket.pdf").status_code == 403


@needs_scanner
def test_a_days_intake_prints_as_one_batch(client, auth, app, staff, tmp_path):
    with app.app_context():
        sp = accounts.service_point_by_code("SZ01")
        jobs = [factories.job(sp) for _ in range(3)]
        numbers, day = [j.number for j in jobs], jobs[0].received_on.isoformat()
        db.session.commit()
    auth.login("receptionist")
    r = client.get(f"/labels/intake.pdf?date={day}")
    assert r.status_code == 200
    assert scan(r.data, 203, tmp_path) == numbers
    assert client.get("/labels/intake.pdf?date=2001-01-01").status_code == 404
    assert client.get("/labels/intake.pdf?date=yesterday").status_code == 400


@needs_scanner
def test_a_shelf_of_bin_labels_scans_to_its_skus(client, auth, app, staff, tmp_path):
    with app.app_context():
        for sku, bin_location in (("SCR-IP13-BLK", "A-01-1"), ("BAT-IP13", "A-01-2"), ("PORT-S23", "B-02-1")):
            factories.part(sku, bin_location=bin_location)
        db.session.commit()
    auth.login("clerk")
    r = client.get("/labels/bins.pdf?shelf=A-01")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert scan(r.data, 203, tmp_path) == ["SCR-IP13-BLK", "BAT-IP13"]
    r = client.get("/labels/bins.pdf?sku=PORT-S23&size=57x32")
    assert scan(r.data, 203, tmp_path) == ["PORT-S23"]
    assert client.get("/labels/bins.pdf?shelf=Z-99").status_code == 404
    assert client.get("/labels/bins.pdf", headers={"Accept": "application/json"}).status_code == 422
    auth.logout()
    auth.login("engineer")
    assert client.get("/labels/bins.pdf?shelf=A-01").status_code == 403


def test_a_sku_too_long_for_a_label_is_named(client, auth, app, staff):
    with app.app_context():
        factories.part("ABCDEFGHIJKLMNOPQRSTUVWXYZ", bin_location="C-01")
        db.session.commit()
    auth.login("clerk")
    r = client.get("/labels/bins.pdf?shelf=C-01", headers={"Accept": "application/json"})
    assert r.status_code == 422 and "ABCDEFGHIJKLMNOPQRSTUVWXYZ" in r.json["errors"]["sku"][0]


@pytest.mark.sqlite_only
def test_a_pdf_may_be_framed_by_this_site_only(client, auth, job_number):
    # The job page right after intake loads the tag label and receipt in frames to print
    # them; any other site still may not frame them.
    auth.login("receptionist")
    r = client.get(f"/jobs/{job_number}/label.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Content-Security-Policy" not in r.headers
    page = client.get(f"/jobs/{job_number}")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
