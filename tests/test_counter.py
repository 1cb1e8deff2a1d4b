"""Issue 14, the counter at full speed: what the counter sees on labels, pages and
documents (app-level checks; the label geometry is in test_label_printable_area)."""

import pytest

from models import User, db
from tests import factories
from tests.scanning import needs_pdftotext, needs_scanner, pdf_text, scan
from workshop.core import accounts


@pytest.fixture
def dual_sim_job(app, staff):
    with app.app_context():
        sp = accounts.service_point_by_code("SZ01")
        job = factories.job(sp, created_by=db.session.get(User, staff["receptionist"]),
                            imei="356938035643809", imei2="356938035643817")
        db.session.commit()
        return job.number


@needs_pdftotext
def test_the_tag_label_carries_both_imeis(client, auth, dual_sim_job, tmp_path):
    auth.login("receptionist")
    r = client.get(f"/jobs/{dual_sim_job}/label.pdf")
    assert r.status_code == 200
    text = pdf_text(r.data, tmp_path)
    assert "356938035643809" in text and "356938035643817" in text


# -- 2. the receipt stub has its own code --------------------------------------------


def test_every_job_gets_an_unguessable_stub_token(app, staff):
    from models import Job

    with app.app_context():
        sp = accounts.service_point_by_code("SZ01")
        jobs = [factories.job(sp) for _ in range(20)]
        db.session.commit()
        tokens = {j.stub_token for j in jobs}
        assert len(tokens) == 20 and all(len(t) == 12 and t.isdigit() for t in tokens)
        assert db.session.get(Job, jobs[0].id).stub_token == jobs[0].stub_token  # stored


@needs_scanner
@pytest.mark.parametrize("fmt", ["a5", "80mm"])
def test_the_intake_receipt_scans_to_the_stub_code_and_the_tag_to_the_job_number(
        client, auth, app, dual_sim_job, fmt, tmp_path):
    from sqlalchemy import select

    from models import Job
    from workshop.jobs import receipt_stub

    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.number == dual_sim_job))
        code = receipt_stub.stub_code(job)
        dpi = job.service_point.printer_dpi
    auth.login("receptionist")
    ticket = client.get(f"/jobs/{dual_sim_job}/ticket.pdf?format={fmt}")
    assert ticket.status_code == 200
    assert scan(ticket.data, dpi, tmp_path) == [code]
    assert code.startswith(dual_sim_job + "-") and len(code) == len(dual_sim_job) + 13
    label = client.get(f"/jobs/{dual_sim_job}/label.pdf")
    assert scan(label.data, dpi, tmp_path) == [dual_sim_job]


def test_only_the_stub_verifies_at_the_counter_and_it_still_opens_the_job(client, auth, app, staff):
    from sqlalchemy import select

    from models import AuditEvent, Job
    from workshop.jobs import receipt_stub

    with app.app_context():
        job = factories.ready_job(accounts.service_point_by_code("SZ01"))
        db.session.commit()
        number, code = job.number, receipt_stub.stub_code(job)
    auth.login("receptionist")
    # Scanning the bag's tag where the stub belongs is refused and logged.
    r = client.post(f"/pickup/{number}/verify", data={"method": "stub", "stub_code": number})
    assert r.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "pickup.verification_failed"))["reason"] == "stub_mismatch"
    assert client.post(f"/pickup/{number}/verify", data={"method": "stub", "stub_code": code}).status_code == 302
    # The stub scanned into the header's scan box opens its job.
    r = client.get("/scan", query_string={"code": code})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/jobs/{number}")
    with app.app_context():
        assert db.session.scalar(select(Job.stub_token).where(Job.number == number)) == code[-12:]


def test_failed_stub_scans_are_limited_per_job_and_the_phone_and_id_still_verify(client, auth, app, staff,
                                                                                  token_for):
    from sqlalchemy import func, select

    from models import AuditEvent, User
    from workshop.extensions import limiter
    from workshop.jobs import receipt_stub

    limiter.reset()
    app.config["PICKUP_STUB_FAILURE_LIMIT"] = "3 per 15 minutes"
    with app.app_context():
        sp = accounts.service_point_by_code("SZ01")
        job, other = factories.ready_job(sp), factories.ready_job(sp)
        db.session.commit()
        number, code, other_code = job.number, receipt_stub.stub_code(job), receipt_stub.stub_code(other)
        phone_last4 = job.customer.phone[-4:]
        user = db.session.get(User, staff["receptionist"])
    headers = token_for(user)
    auth.login("receptionist")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    for _ in range(3):
        assert client.post(f"/pickup/{number}/verify", data={"method": "stub", "stub_code": wrong}).status_code == 403
    # Used up: even the right stub is refused for a while, saying what to do instead.
    r = client.post(f"/pickup/{number}/verify", data={"method": "stub", "stub_code": code})
    assert r.status_code == 429 and "last 4 digits of their phone and an ID document" in r.get_data(as_text=True)
    r = app.test_client().post(f"/api/v1/jobs/{number}/pickup", json={"stub_code": code}, headers=headers)
    assert r.status_code == 429 and r.json["errors"] == {"stub_code": [r.json["detail"]]}
    # The phone digits and an ID document still verify; another job's stub is not affected.
    r = client.post(f"/pickup/{number}/verify", data={"method": "phone_id", "phone_last4": phone_last4,
                                                       "id_checked": "y"})
    assert r.status_code == 302
    assert client.post(f"/pickup/{other.number}/verify",
                       data={"method": "stub", "stub_code": other_code}).status_code == 302
    with app.app_context():
        reasons = db.session.scalars(select(AuditEvent.details["reason"].as_string()).where(
            AuditEvent.action == "pickup.verification_failed")).all()
        assert sorted(reasons) == ["stub_attempts_exhausted"] * 2 + ["stub_mismatch"] * 3
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) >= 5


# -- 3. the IMEI where the handset is checked; local times everywhere ----------------


def test_job_and_pickup_pages_show_both_imeis(client, auth, app, staff):
    with app.app_context():
        job = factories.ready_job(accounts.service_point_by_code("SZ01"), imei="356938035643809",
                                  imei2="356938035643817")
        db.session.commit()
        number = job.number
    auth.login("receptionist")
    for url in (f"/jobs/{number}", f"/pickup/{number}"):
        page = client.get(url).get_data(as_text=True)
        assert 'id="job-imei"' in page
        assert "IMEI 356938035643809 / 356938035643817" in page, url


@needs_pdftotext
def test_times_are_the_service_points_own_on_pages_and_the_intake_receipt(client, auth, app, staff, tmp_path):
    import datetime as dt

    from models import Requisition

    late = dt.datetime(2026, 11, 20, 23, 30, tzinfo=dt.UTC)  # 07:30 the next morning in Shenzhen
    with app.app_context():
        sp = accounts.service_point_by_code("SZ01")
        assert sp.timezone == "Asia/Shanghai"
        engineer = db.session.get(User, staff["engineer"])
        job = factories.job(sp, status="repairing", engineer=engineer, received_at=late)
        job.add_event("diagnosis", engineer, note="Board short on the charging line").at = late
        req = Requisition(service_point_id=sp.id, job=job, requested_by_id=engineer.id, note="",
                          status="pending", requested_at=late)
        db.session.add(req)
        db.session.commit()
        number, req_id = job.number, req.id
    auth.login("manager")
    notes = client.get(f"/jobs/{number}").get_data(as_text=True).split('id="wb-notes"')[1]
    assert "2026-11-21 07:30" in notes and "2026-11-20 23:30" not in notes
    page = client.get(f"/parts/requisitions/{req_id}").get_data(as_text=True)
    assert "2026-11-21 07:30" in page and "23:30" not in page
    listing = client.get("/parts/requisitions").get_data(as_text=True)
    assert "11-21 07:30" in listing
    ticket = client.get(f"/jobs/{number}/ticket.pdf")
    text = pdf_text(ticket.data, tmp_path)
    assert "2026-11-21 07:30" in text and "23:30" not in text


# -- 4. the returning customer: suggested, changed only on purpose, receipts keep the name


@needs_pdftotext
def test_a_returning_customers_name_changes_only_on_purpose_and_old_receipts_keep_theirs(
        client, auth, app, staff, tmp_path):
    from sqlalchemy import func, select

    from models import AuditEvent, Customer, Job
    from tests.intake.test_intake_views import form_data

    auth.login("receptionist")
    assert client.post("/intake", data=form_data(token="c-1")).status_code == 302
    with app.app_context():
        first = db.session.scalar(select(Job.number).order_by(Job.id.desc()).limit(1))
    # The same phone with a different (doubled) name: refused on the name, nothing written.
    r = client.post("/intake", data=form_data(token="c-2", customer_name="王芳王芳", device_imei="356938035643809",
                                              proof_imei="356938035643809"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and ("王芳&#39;s" in page or "王芳's" in page)
    assert 'id="customer-update-box" class="form-check small"' in page  # the tick box is shown
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 1
        assert db.session.scalar(select(Customer.name)) == "王芳"
    # Ticked: a deliberate correction, audited.
    r = client.post("/intake", data=form_data(token="c-3", customer_name="王小芳", customer_update="y",
                                              device_imei="356938035643809", proof_imei="356938035643809"))
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Customer.name)) == "王小芳"
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer.update"))
        assert audit.details["name"] == ["王芳", "王小芳"] and audit.actor_id == staff["receptionist"]
    # The first job's receipt still says the name it was issued with.
    text = pdf_text(client.get(f"/jobs/{first}/ticket.pdf").data, tmp_path)
    assert "王芳" in text and "王小芳" not in text


@needs_pdftotext
def test_a_returning_customers_new_phone_changes_their_record_on_purpose_logged_and_noted(
        client, auth, app, staff, tmp_path):
    from sqlalchemy import func, select

    from models import AuditEvent, Customer, Job
    from tests.intake.test_intake_views import form_data

    auth.login("receptionist")
    assert client.post("/intake", data=form_data(token="p-1")).status_code == 302
    with app.app_context():
        first = db.session.scalar(select(Job.number).order_by(Job.id.desc()).limit(1))
    again = {"device_imei": "356938035643809", "proof_imei": "356938035643809"}
    # A previous phone nobody here has: refused on that field, nothing written.
    r = client.post("/intake", data=form_data(token="p-2", customer_phone="13900139000",
                                              customer_previous_phone="13700137000", **again))
    assert r.status_code == 422 and "No customer here has the phone +8613700137000." in r.get_data(as_text=True)
    assert 'id="customer-new-phone" open' in r.get_data(as_text=True)
    # The new phone and the one on record: the same customer, their record takes the new phone.
    r = client.post("/intake", data=form_data(token="p-3", customer_phone="13900139000",
                                              customer_previous_phone="13800138000", **again))
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Customer)) == 1
        assert db.session.scalar(select(Customer.phone)) == "+8613900139000"
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "customer.update"))
        assert audit.details == {"phone": ["+8613800138000", "+8613900139000"]}
        job = db.session.scalar(select(Job).order_by(Job.id.desc()).limit(1))
        assert job.customer_name == "王芳" and job.events[0].data["note_code"] == "joined"
        number = job.number
    page = client.get(f"/jobs/{number}").get_data(as_text=True)
    assert "Customer&#39;s phone changed on their record: +8613800138000 → +8613900139000." in page \
        or "Customer's phone changed on their record: +8613800138000 → +8613900139000." in page
    # A phone that is another customer's record cannot move to this one.
    from workshop.intake.devices.imei import check_digit

    def fresh(n):
        body = f"35209900{n:06d}"
        return body + check_digit(body)

    assert client.post("/intake", data=form_data(token="p-4", customer_phone="13600136000", customer_name="李雷",
                                                 device_imei=fresh(1), proof_imei=fresh(1))).status_code == 302
    r = client.post("/intake", data=form_data(token="p-5", customer_phone="13600136000",
                                              customer_previous_phone="13900139000", device_imei=fresh(2),
                                              proof_imei=fresh(2)))
    assert r.status_code == 422
    assert "The phone +8613600136000 is already 李雷&#39;s record" in r.get_data(as_text=True)
    # The first job's receipt keeps the name it was issued with.
    text = pdf_text(client.get(f"/jobs/{first}/ticket.pdf").data, tmp_path)
    assert "王芳" in text


def test_the_api_changes_a_returning_customers_phone_with_previous_phone(app, staff, token_for):
    from sqlalchemy import select

    from models import AuditEvent, Customer
    from tests.intake.test_intake_api import CONTRACT_BODY, body

    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, staff["receptionist"])
    headers = token_for(user)
    assert client.post("/api/v1/jobs", json=CONTRACT_BODY, headers=headers).status_code == 201
    moved = body(**{"customer.phone": "13900139000", "customer.previous_phone": "13800138000",
                    "device.imei": "356938035643809", "proof.imei": "356938035643809"})
    r = client.post("/api/v1/jobs", json=moved, headers={**headers, "Accept-Language": "zh-CN"})
    assert r.status_code == 201, r.json
    with app.app_context():
        assert db.session.scalars(select(Customer.phone)).all() == ["+8613900139000"]
        assert db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "customer.update")) == {
            "phone": ["+8613800138000", "+8613900139000"]}
    unknown = body(**{"customer.phone": "13500135000", "customer.previous_phone": "13700137000"})
    r = client.post("/api/v1/jobs", json=unknown, headers={**headers, "Accept-Language": "zh-CN"})
    assert r.status_code == 422 and r.json["errors"]["customer.previous_phone"] == ["本网点没有电话为 +8613700137000 的顾客。"]


def test_the_api_needs_customer_update_to_rename(app, staff, token_for):
    from sqlalchemy import select

    from models import Customer
    from tests.intake.test_intake_api import CONTRACT_BODY, body

    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, staff["receptionist"])
    headers = token_for(user)
    assert client.post("/api/v1/jobs", json=CONTRACT_BODY, headers=headers).status_code == 201
    name = CONTRACT_BODY["customer"]["name"]
    again = body(**{"customer.name": name + name, "device.imei": "356938035643809", "proof.imei": "356938035643809"})
    r = client.post("/api/v1/jobs", json=again, headers=headers)
    assert r.status_code == 422 and list(r.json["errors"]) == ["customer.name"]
    again["customer"]["update"] = True
    assert client.post("/api/v1/jobs", json=again, headers=headers).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(Customer.name)) == name + name


# -- 5. one open job per handset ----------------------------------------------------------


def test_a_handset_with_an_open_job_is_refused_on_its_imei_unless_a_manager_says_why(client, auth, app, staff):
    from sqlalchemy import func, select

    from models import AuditEvent, Job
    from tests.intake.test_intake_views import form_data

    auth.login("receptionist")
    assert client.post("/intake", data=form_data(token="o-1")).status_code == 302
    with app.app_context():
        first = db.session.scalar(select(Job.number))
    r = client.post("/intake", data=form_data(token="o-2"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-error-for="device_imei"' in page
    assert f"open job: {first}" in page and 'name="open_job_override_reason"' not in page
    # Not a manager: the reason is refused, nothing written.
    r = client.post("/intake", data=form_data(token="o-3", open_job_override_reason="customer insists"))
    assert r.status_code == 422 and "Only a manager" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    auth.logout()
    auth.login("manager")
    r = client.post("/intake", data=form_data(token="o-4"))
    assert r.status_code == 422 and 'name="open_job_override_reason"' in r.get_data(as_text=True)
    r = client.post("/intake", data=form_data(token="o-5", open_job_override_reason="first job was mis-keyed"))
    assert r.status_code == 302
    with app.app_context():
        second = db.session.scalar(select(Job).order_by(Job.id.desc()).limit(1))
        assert second.open_job_override_reason == "first job was mis-keyed"
        assert first in second.events[0].note
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "job.open_job_override"))
        assert audit.details["open_jobs"] == [first] and audit.actor_id == staff["manager"]


def test_a_closed_job_does_not_block_the_next_intake(client, auth, app, staff):
    from sqlalchemy import select, update

    from models import Job
    from tests.intake.test_intake_views import form_data

    auth.login("receptionist")
    assert client.post("/intake", data=form_data(token="k-1")).status_code == 302
    with app.app_context():
        db.session.execute(update(Job).values(status="collected"))
        db.session.commit()
    assert client.post("/intake", data=form_data(token="k-2")).status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(Job.id)).all()) == 2


# -- 6. history and 返修 across the chain ---------------------------------------------------


def test_a_rerepair_of_another_points_job_shows_its_number_but_no_link_or_customer(client, auth, app, staff):
    import datetime as dt

    from sqlalchemy import select

    from models import Job
    from tests.intake.test_intake_views import form_data

    with app.app_context():
        other = factories.service_point("GZ02")
        stranger = factories.customer(other, name="李四", phone="+8613900139000")
        elsewhere = factories.job(other, created_by=factories.user("receptionist", sp=other), customer=stranger,
                                  status="collected", closed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
                                  repair_warranty_ends_on=dt.date.today() + dt.timedelta(days=60))
        db.session.commit()
        number = elsewhere.number
    auth.login("receptionist")
    r = client.get("/api/v1/imei/352099001761481")
    assert r.status_code == 200 and r.json["rerepair_of"]["number"] == number
    assert "李四" not in r.get_data(as_text=True)
    assert client.post("/intake", data=form_data(token="rr-1")).status_code == 302
    with app.app_context():
        job = db.session.scalar(select(Job).order_by(Job.id.desc()).limit(1))
        assert job.rerepair_of.number == number
        mine = job.number
    page = client.get(f"/jobs/{mine}").get_data(as_text=True)
    assert number in page and f'href="/jobs/{number}"' not in page and "李四" not in page


# -- 8. staff choose their language; one customer, one receipt language --------------------


def test_staff_choose_their_language_on_their_profile(client, auth, app, staff):
    from sqlalchemy import select

    from models import AuditEvent

    auth.login("receptionist")
    page = client.get("/profile", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'name="locale"' in page.get_data(as_text=True)
    r = client.post("/profile", data={"locale": "zh_Hans"})
    assert r.status_code == 302
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "我的设置" in home  # the user's choice beats the browser's
    assert client.post("/profile", data={"locale": "klingon"}).status_code == 422
    with app.app_context():
        user = db.session.get(User, staff["receptionist"])
        assert user.locale == "zh_Hans"
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.locale"))
        assert audit.details["after"] == "zh_Hans" and audit.actor_id == staff["receptionist"]
    client.post("/profile", data={"locale": ""})
    assert "My settings" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


@needs_pdftotext
def test_one_customer_one_receipt_language_whatever_the_counter_speaks(client, auth, app, staff, tmp_path):
    with app.app_context():
        sp = accounts.service_point_by_code("SZ01")
        job = factories.job(sp, customer=factories.customer(sp, name="王芳", phone="+8613800138000"))
        db.session.commit()
        number = job.number
    auth.login("receptionist")
    for lang in ("en", "zh-CN"):
        text = pdf_text(client.get(f"/jobs/{number}/ticket.pdf", headers={"Accept-Language": lang}).data, tmp_path)
        assert "受理单" in text and "Intake receipt" not in text, lang


# -- small things: CSRF and bearer tokens ---------------------------------------------------


@pytest.mark.sqlite_only
def test_a_bearer_token_client_prints_without_a_csrf_token_and_a_browser_still_needs_one(
        app, staff, token_for, tmp_path, monkeypatch):
    from sqlalchemy import select

    from config import TestingConfig
    from models import JobEvent, User
    from workshop import create_app

    with app.app_context():
        number = factories.job(accounts.service_point_by_code("SZ01")).number
        db.session.commit()
        user = db.session.get(User, staff["receptionist"])
    headers = token_for(user)
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    csrf_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                          WTF_CSRF_ENABLED=True)
    program = csrf_app.test_client()
    r = program.post(f"/jobs/{number}/label.pdf", headers=headers)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    with csrf_app.app_context():
        printed = db.session.scalars(select(JobEvent).where(JobEvent.kind == "print")).all()
        assert [e.data["document"] for e in printed] == ["tag_label"]
    # A browser (a session cookie) gets no pass, even with a token header added.
    browser = csrf_app.test_client()
    browser.set_cookie("session", "anything", domain="localhost")
    assert browser.post(f"/jobs/{number}/label.pdf", headers=headers).status_code == 400
    assert csrf_app.test_client().post("/login", data={"username": "x", "password": "y"}).status_code == 400


def test_a_favicon_is_served_and_linked(client, auth):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.mimetype == "image/vnd.microsoft.icon" and r.data[:4] == b"\x00\x00\x01\x00"
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page


def test_a_chart_shows_its_title_as_a_visible_caption():
    from workshop.reports import charts

    svg = charts.bar_chart("Jobs received per day", [("11-01", 3), ("11-02", None)])
    assert svg.startswith('<figure class="chart-figure mb-0"><figcaption')
    assert "<figcaption class=\"fw-semibold small mb-1\">Jobs received per day</figcaption><svg" in svg
    assert charts.hbar_chart("A & B", [("x", 1)]).count("A &amp; B") == 3  # caption, aria-label, <title>
