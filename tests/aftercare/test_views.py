"""The after-sales pages: registering from a scanned ticket, the register, a complaint's
page and its actions, printouts read back by a scanner, the call screens, the contact
log, the public follow-up page, the job panel and the home card."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models import Complaint, ContactLog, FollowUp, User, db
from tests import factories
from tests.scanning import needs_pdftotext, needs_scanner, pdf_text, scan
from workshop.services import workflow


@pytest.fixture
def job_number(app, staff):
    with app.app_context():
        sp = factories.service_point("SZ01")
        rec = db.session.get(User, staff["receptionist"])
        job = factories.job(sp, created_by=rec, status="ready")
        workflow.move(job, "collected", rec, handover=True)
        db.session.commit()
        return job.number


def complaint_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Complaint.id)))


def register_from_scan(client, number, **extra):
    page = client.get(f"/complaints/new?code={number}")
    assert page.status_code == 200
    once = re.search(r'name="once" type="hidden" value="([0-9a-f]+)"', page.text).group(1)
    data = {"once": once, "job": number, "customer_name": "", "customer_phone": "", "channel": "walk_in",
            "level": "", "category": "repair_quality", "description": "Flickers again", "demand": "", **extra}
    return page, client.post("/complaints/new", data=data)


def test_register_from_a_scanned_ticket(app, client, auth, job_number):
    auth.login("receptionist")
    page, saved = register_from_scan(client, job_number)
    assert 'id="found-job"' in page.text and job_number in page.text
    assert saved.status_code == 302
    number = saved.headers["Location"].rsplit("/", 1)[1]
    detail = client.get(f"/complaints/{number}")
    assert detail.status_code == 200 and number in detail.text and job_number in detail.text
    # Pressing "register" twice (the same one-time token) registers one complaint.
    once = re.search(r'name="once" type="hidden" value="([0-9a-f]+)"', page.text).group(1)
    again = client.post("/complaints/new", data={"once": once, "job": job_number, "channel": "walk_in",
                                                  "category": "repair_quality", "description": "Flickers again",
                                                  "level": "", "demand": "", "customer_name": "",
                                                  "customer_phone": ""})
    assert again.status_code == 302 and complaint_count(app) == 1


def test_bad_input_rerenders_the_form_and_writes_nothing(app, client, auth, job_number):
    auth.login("receptionist")
    _page, saved = register_from_scan(client, job_number, description="", channel="regulator", level="general")
    assert saved.status_code == 422
    assert "Say what the customer complains about." in saved.text
    assert "never lowered" in saved.text
    assert complaint_count(app) == 0
    typed = client.post("/complaints/new", data={"once": "x1", "channel": "walk_in", "category": "delay",
                                                 "description": "Slow", "customer_phone": "12",
                                                 "customer_name": "", "level": ""})
    assert typed.status_code == 422 and complaint_count(app) == 0


def test_scan_of_an_unknown_code_and_a_known_phone(client, auth, job_number):
    auth.login("receptionist")
    unknown = client.get("/complaints/new?code=NOPE-1")
    assert "Nothing here matches" in unknown.text
    by_phone = client.get("/complaints/new?code=13800138000")
    assert 'id="found-customer"' in by_phone.text


def test_the_whole_case_on_the_complaint_page(app, client, auth, job_number, tmp_path):
    auth.login("receptionist")
    number = register_from_scan(client, job_number)[1].headers["Location"].rsplit("/", 1)[1]
    base = f"/complaints/{number}"
    assert client.post(f"{base}/respond", data={"respond-note": ""}).status_code == 422
    assert client.post(f"{base}/respond", data={"respond-note": "Called back"}).status_code == 302
    assert client.post(f"{base}/escalate", data={"escalate-note": "Wants money"}).status_code == 302
    bad = client.post(f"{base}/remedies", data={"remedy-kind": "gift", "remedy-amount": "-5"})
    assert bad.status_code == 422 and "cannot be negative" in bad.text
    assert client.post(f"{base}/remedies", data={"remedy-kind": "compensation", "remedy-amount": "80.00",
                                                 "remedy-note": "Taxi fare"}).status_code == 302
    with app.app_context():
        complaint = db.session.scalar(db.select(Complaint).where(Complaint.number == number))
        remedy_id = complaint.remedies[0].id
        assert complaint.remedies[0].status == "pending_approval" and complaint.owner.username == "manager"
    assert client.post(f"{base}/remedies/{remedy_id}/approve", data={}).status_code == 403
    refused = client.post(f"{base}/remedies/{remedy_id}/done", data={"done-note": "paid"})
    assert refused.status_code == 409 and "approval" in refused.text
    auth.logout()
    auth.login("manager")
    assert client.post(f"{base}/remedies/{remedy_id}/approve", data={}).status_code == 302
    assert client.post(f"{base}/remedies/{remedy_id}/done", data={"done-note": "Paid cash"}).status_code == 302
    closing = client.post(f"{base}/close", data={"close-root_cause": "repair_quality"})
    assert closing.status_code == 409 and "agreement accepted by the customer" in closing.text
    pdf = client.get(f"{base}/agreement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    if not needs_scanner.mark.args[0]:
        assert scan(pdf.data, 300, tmp_path) == [number]
    assert client.post(f"{base}/agreement", data={"agreement-accepted": "yes", "agreement-note": "Signed"}
                       ).status_code == 302
    page = client.get(base)
    assert "Resolved" in page.text or "resolved" in page.text
    with app.app_context():
        call = db.session.scalar(db.select(FollowUp).where(FollowUp.kind == "complaint"))
        call_id = call.id
    assert client.post(f"/followups/{call_id}", data={"satisfaction": "4", "reached": "1", "channel": "phone",
                                                      "fixed": "yes"}).status_code == 302
    assert client.post(f"{base}/close", data={"close-root_cause": "repair_quality", "close-note": "Connector",
                                              "close-preventive_action": "QC step"}).status_code == 302
    with app.app_context():
        complaint = db.session.scalar(db.select(Complaint).where(Complaint.number == number))
        assert complaint.status == "closed"
        kinds = [e.kind for e in complaint.events]
    assert kinds[0] == "registered" and kinds[-1] == "closed" and "printed" in kinds


@needs_scanner
@needs_pdftotext
def test_written_report_of_a_serious_complaint_prints_in_chinese(app, client, auth, job_number, tmp_path):
    auth.login("receptionist")
    number = register_from_scan(client, job_number, channel="carrier")[1].headers["Location"].rsplit("/", 1)[1]
    assert client.post(f"/complaints/{number}/report", data={"report-report": "换错配件", "report-founded": "yes",
                                                             "report-responsible": "张工"}).status_code == 302
    pdf = client.get(f"/complaints/{number}/report.pdf")
    assert pdf.status_code == 200
    assert scan(pdf.data, 300, tmp_path) == [number]
    text = pdf_text(pdf.data, tmp_path)
    assert "投诉报告" in text and "换错配件" in text and "投诉成立" in text
    general = register_from_scan(client, job_number)[1].headers["Location"].rsplit("/", 1)[1]
    assert client.get(f"/complaints/{general}/report.pdf").status_code == 409


def test_register_shows_overdue_in_red_and_home_counts_it(app, client, auth, job_number):
    auth.login("receptionist")
    number = register_from_scan(client, job_number)[1].headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        complaint = db.session.scalar(db.select(Complaint).where(Complaint.number == number))
        complaint.respond_by = complaint.registered_at - dt.timedelta(minutes=5)
        db.session.commit()
    register = client.get("/complaints")
    row = re.search(rf'<tr class="([^"]*)" data-number="{number}" data-overdue="yes"', register.text)
    assert row and "table-danger" in row.group(1)
    assert "overdue by" in register.text
    home = client.get("/")
    assert re.search(r'id="home-overdue-complaints">1 overdue', home.text)
    assert client.get("/complaints?overdue=1").text.count("data-number=") == 1
    job_page = client.get(f"/jobs/{job_number}")
    assert 'id="aftercare-panel"' in job_page.text and number in job_page.text


def test_call_screens_count_misses_and_an_unhappy_answer_opens_a_complaint(app, client, auth, job_number):
    auth.login("receptionist")
    with app.app_context():
        call_id = db.session.scalar(db.select(FollowUp.id).where(FollowUp.kind == "pickup"))
    page = client.get(f"/followups/{call_id}")
    assert page.status_code == 200 and "+8613800138000" in page.text and job_number in page.text
    for expected in (1, 2):
        client.post(f"/followups/{call_id}", data={"no_answer": "1", "channel": "phone"})
        assert f'id="call-attempts">{expected}<' in client.get(f"/followups/{call_id}").text
    for bad in ("0", "6", ""):
        r = client.post(f"/followups/{call_id}", data={"reached": "1", "satisfaction": bad, "channel": "phone"})
        assert r.status_code == 422
    opened = client.post(f"/followups/{call_id}", data={"reached": "1", "satisfaction": "2", "fixed": "no",
                                                        "comment": "Still drains", "channel": "phone"})
    assert opened.status_code == 302 and "/complaints/TS-SZ01-" in opened.headers["Location"]
    with app.app_context():
        complaint = db.session.scalar(db.select(Complaint))
        assert complaint.channel == "phone" and complaint.job.number == job_number


def test_public_follow_up_page_one_answer_no_personal_data(app, client, job_number):
    with app.app_context():
        token = db.session.scalar(db.select(FollowUp.token).where(FollowUp.kind == "pickup"))
    page = client.get(f"/f/{token}")
    assert page.status_code == 200
    assert "王芳" not in page.text and "13800138000" not in page.text
    assert client.post(f"/f/{token}", data={"satisfaction": "9"}).status_code == 422
    assert client.post(f"/f/{token}", data={"satisfaction": "1", "comment": "Bad"}).status_code == 302
    assert "we have your answer" in client.get(f"/f/{token}").text
    again = client.post(f"/f/{token}", data={"satisfaction": "5"})
    assert again.status_code == 200
    with app.app_context():
        call = db.session.scalar(db.select(FollowUp).where(FollowUp.token == token))
        assert call.satisfaction == 1 and call.channel == "online" and call.opened_complaint is not None
        assert call.opened_complaint.recorded_by is None
    assert client.get("/f/not-a-token").status_code == 404


def test_contact_log_page(app, staff, client, auth):
    auth.login("receptionist")
    assert client.post("/contacts", data={"kind": "praise", "channel": "walk_in", "note": "Quick work"}
                       ).status_code == 302
    assert client.post("/contacts", data={"kind": "praise", "channel": "walk_in", "note": ""}).status_code == 422
    page = client.get("/contacts")
    assert "Quick work" in page.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ContactLog.id))) == 1


def test_forms_need_the_csrf_token(app, client, auth, job_number):
    auth.login("receptionist")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        r = client.post("/complaints/new", data={"job": job_number, "channel": "walk_in",
                                                 "category": "delay", "description": "x"})
        assert r.status_code in (400, 422) and complaint_count(app) == 0
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_engineers_see_a_complaint_but_do_not_run_the_register(app, client, auth, job_number):
    auth.login("receptionist")
    number = register_from_scan(client, job_number)[1].headers["Location"].rsplit("/", 1)[1]
    auth.logout()
    auth.login("engineer")
    assert client.get(f"/complaints/{number}").status_code == 200
    assert client.get("/complaints").status_code == 403
    assert client.get("/followups").status_code == 403


def test_the_settings_page_sets_the_limit_and_the_follow_up_delay(app, client, auth, staff):
    auth.login("manager")
    form = {"name": "SZ", "timezone": "Asia/Shanghai", "label_size": "62x29", "receipt_format": "a5",
            "printer_dpi": "203", "repair_warranty_days": "90", "reminder_after_days": "7",
            "staff_remedy_limit": "80.00", "followup_after_days": "5"}
    assert client.post("/admin/service-points/SZ01/settings", data=form).status_code == 302
    bad = client.post("/admin/service-points/SZ01/settings", data=dict(form, staff_remedy_limit="-1"))
    assert bad.status_code == 200 and "is-invalid" in bad.text
    with app.app_context():
        from decimal import Decimal

        from workshop.services import accounts

        sp = accounts.service_point_by_code("SZ01")
        assert sp.staff_remedy_limit == Decimal("80.00") and sp.followup_after_days == 5


def test_pages_speak_the_counters_chinese(app, client, auth, job_number):
    auth.login("receptionist")
    zh = {"Accept-Language": "zh-CN"}
    number = register_from_scan(client, job_number)[1].headers["Location"].rsplit("/", 1)[1]
    register = client.get("/complaints", headers=zh).text
    assert "客户投诉登记表" in register and "一般投诉" in register and "上门投诉" in register
    detail = client.get(f"/complaints/{number}", headers=zh).text
    assert "补救措施" in detail and "处理协议" in detail and "客户诉求" in detail
    assert "回访" in client.get("/followups", headers=zh).text
    assert "来电记录" in client.get("/contacts", headers=zh).text


@needs_scanner
def test_pickup_receipt_carries_the_follow_up_link_as_a_qr_code(app, client, auth, job_number, tmp_path):
    import subprocess

    auth.login("receptionist")
    with app.app_context():
        from models import Job, PickupRecord

        job = db.session.scalar(db.select(Job).where(Job.number == job_number))
        # The fixture collected the job through the workflow alone: add the pickup record a receipt needs.
        db.session.add(PickupRecord(job_id=job.id, collected_on=dt.date.today(), collected_by_id=job.created_by_id,
                                    verified_by="phone_id", total=0, paid=0, bill={}))
        db.session.commit()
        token = db.session.scalar(db.select(FollowUp.token).where(FollowUp.job_id == job.id))
    pdf = client.get(f"/jobs/{job_number}/pickup-receipt.pdf?format=a5")
    assert pdf.status_code == 200, pdf.text
    src = tmp_path / "receipt.pdf"
    src.write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", src, tmp_path / "r"], check=True)
    found = []
    for png in sorted(tmp_path.glob("r-*.png")):
        out = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", png],
                             check=False, capture_output=True, text=True)
        found += out.stdout.split()
    assert any(url.endswith(f"/f/{token}") for url in found), found
