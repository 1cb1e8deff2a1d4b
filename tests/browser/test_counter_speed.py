"""Issue 14, the counter at full speed, in Chromium with a simulated keyboard-wedge
scanner (chromedriver types a whole string within a few milliseconds, as a scanner
does; a person is simulated by keys ~120 ms apart).

The in-warranty intake is counted action by action: the list below is the walk, and
the test fails if it grows."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from sqlalchemy import select

from models import Customer, Job, JobEvent, User, db
from tests import factories
from workshop.core import accounts
from workshop.intake import take_in as intake_service
from workshop.intake.devices import tac
from workshop.warranty import policies

pytestmark = pytest.mark.sqlite_only

NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shenzhen
IMEI = "352099001761481"
PURCHASED = "11/17/2026"  # 5 days before NOW, typed as Chromium's en-US date field takes it
SCREENSHOTS = Path(os.environ.get("WORKSHOP_SCREENSHOTS", "/tmp"))

#: The in-warranty intake walk (typing the phone, the name and the fault text count one each).
MAX_INTAKE_ACTIONS = 9


@pytest.fixture
def counter(app, staff, monkeypatch):
    monkeypatch.setattr(intake_service, "utcnow", lambda: NOW)
    with app.app_context():
        tac.import_stream(io.StringIO("tac,brand,model\n35209900,Alcatel,One Touch 332\n", newline=""))
        policies.seed_presets()
        # A returning customer: the lookup must suggest the name, never type it in.
        factories.customer(accounts.service_point_by_code("SZ01"), name="陈小明", phone="+8613800138000")
        db.session.commit()
    return app


def active(page):
    return page.driver.switch_to.active_element


def wait(page, condition, timeout=6):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(page.driver, timeout).until(condition)


def slow_type(page, text):
    """A person at the keyboard: one key every ~120 ms, to whatever has focus."""
    for ch in text:
        ActionChains(page.driver).send_keys(ch).perform()
        time.sleep(0.12)


def scan(page, code):
    """A keyboard-wedge scanner: the whole code and Enter in one burst, to whatever has focus
    (a moment after any typing: a hand goes from the keyboard to the scanner)."""
    time.sleep(0.3)
    ActionChains(page.driver).send_keys(code + Keys.ENTER).perform()


def test_in_warranty_intake_in_at_most_nine_actions(page, counter):
    page.login("receptionist")
    actions = []

    def act(name, do):
        actions.append(name)
        do()

    act("click New intake", lambda: page.find('[data-nav="intake.new"]').click())
    assert active(page).get_attribute("id") == "device_imei"
    act("scan the handset's IMEI", lambda: scan(page, IMEI))
    wait(page, lambda d: page.find("#imei-valid").text == "Valid IMEI")
    assert active(page).get_attribute("id") == "customer_phone"
    act("type the phone, Enter", lambda: active(page).send_keys("138 0013 8000" + Keys.ENTER))
    assert active(page).get_attribute("id") == "customer_name"
    wait(page, lambda d: "陈小明" in page.find("#customer-hint").text)
    assert page.find("#customer_name").get_attribute("value") == ""  # suggested, not typed in
    act("type the name, Enter", lambda: active(page).send_keys("陈小明" + Keys.ENTER))
    assert page.find("#customer_name").get_attribute("value") == "陈小明"  # never 陈小明陈小明
    assert active(page).get_attribute("id") == "fault_category"
    act("type the fault, Enter", lambda: active(page).send_keys("No power" + Keys.ENTER))
    assert page.find("#fault_category").get_attribute("value") == "no_power"
    assert active(page).get_attribute("id") == "fault_description"
    act("type the fault description", lambda: active(page).send_keys("Dead after charging overnight"))
    # The invoice's IMEI barcode, scanned while the focus is still in the description.
    act("scan the invoice's IMEI", lambda: scan(page, IMEI))
    assert page.find("#proof_imei").get_attribute("value") == IMEI
    assert page.find("#proof_kind").get_attribute("value") == "invoice"  # follows from the scan
    assert page.find("#fault_description").get_attribute("value") == "Dead after charging overnight"
    assert active(page).get_attribute("id") == "proof_purchase_date"
    act("type the purchase date", lambda: active(page).send_keys(PURCHASED))
    # Bought 5 days ago with the invoice: inside the 7-day return period, free of charge.
    wait(page, lambda d: page.find("#warranty-status").get_attribute("data-warranty-status") == "return_window")
    assert page.find("#warranty-charge").get_attribute("data-chargeable") == "false"
    page.screenshot(SCREENSHOTS / "counter-intake-en.png")
    act("Ctrl+Enter: take in and print", lambda: active(page).send_keys(Keys.CONTROL + Keys.ENTER))

    page.find("#auto-print")
    wait(page, lambda d: len(page.all("iframe[data-auto-print][data-loaded]")) == 2)
    assert active(page).get_attribute("id") == "next-intake"  # the next step has the focus
    page.screenshot(SCREENSHOTS / "counter-job-en.png")
    with counter.app_context():
        job = db.session.scalar(select(Job))
        assert (job.imei, job.proof_imei, job.proof_kind) == (IMEI, IMEI, "invoice")
        assert job.purchase_date == dt.date(2026, 11, 17) and job.warranty_chargeable is False
        assert job.customer.name == job.customer_name == "陈小明"
        assert db.session.query(Customer).count() == 1
        printed = sorted(e.data["document"] for e in db.session.scalars(
            select(JobEvent).where(JobEvent.job_id == job.id, JobEvent.kind == "print")))
        assert printed == ["intake_receipt", "tag_label"]  # both printed by the one action

    assert actions == [
        "click New intake", "scan the handset's IMEI", "type the phone, Enter", "type the name, Enter",
        "type the fault, Enter", "type the fault description", "scan the invoice's IMEI",
        "type the purchase date", "Ctrl+Enter: take in and print",
    ]
    assert len(actions) <= MAX_INTAKE_ACTIONS <= 12


def test_a_dual_sim_handsets_second_imei_is_recognised_by_its_tac(page, counter):
    page.login("receptionist")
    page.open("/intake")
    scan(page, "356938035643809")
    wait(page, lambda d: page.find("#imei-valid").text == "Valid IMEI")
    active(page).send_keys("13912345678")
    scan(page, "356938035643817")  # same TAC 35693803, valid check digit: the second IMEI
    assert page.find("#device_imei2").get_attribute("value") == "356938035643817"
    assert page.find("#customer_phone").get_attribute("value") == "13912345678"
    assert page.find("#proof_imei").get_attribute("value") == ""
    scan(page, "356938035643817")  # the invoice names the second IMEI: the proof
    assert page.find("#proof_imei").get_attribute("value") == "356938035643817"


@pytest.fixture
def job_number(counter, staff):
    with counter.app_context():
        sp = accounts.service_point_by_code("SZ01")
        job = factories.job(sp, created_by=db.session.get(User, staff["receptionist"]),
                            imei="356938035643809", imei2="356938035643817")
        db.session.commit()
        return job.number


def test_a_scan_opens_the_job_from_any_page_and_typing_is_never_taken(page, counter, job_number):
    page.login("receptionist")
    assert active(page).tag_name == "body"
    scan(page, job_number)  # no scan box focused: one action
    wait(page, lambda d: page.find("#job-number").text == job_number)
    assert "IMEI 356938035643809 / 356938035643817" in page.find("#job-imei").text
    page.open("/")
    slow_type(page, job_number)  # a person typing the same characters
    ActionChains(page.driver).send_keys(Keys.ENTER).perform()
    time.sleep(0.5)
    assert page.all("#job-number") == []
    # A burst into an ordinary field that is not a code stays there.
    page.open("/intake")
    page.find("#customer_name").send_keys("Wang Fang")
    assert page.find("#customer_name").get_attribute("value") == "Wang Fang"


def test_qc_all_passed_in_one_key(page, counter, staff):
    with counter.app_context():
        sp = accounts.service_point_by_code("SZ01")
        repairer = factories.user("engineer", username="repairer", sp=sp)
        job = factories.job(sp, status="qc", engineer=repairer, imei="490154203237518")
        job.add_event("repair", repairer, note="Replaced the screen")
        db.session.commit()
        number = job.number
    page.login("engineer")
    page.open(f"/jobs/{number}")
    assert active(page).get_attribute("id") == "qc-all-passed"  # focus on the next action
    ActionChains(page.driver).send_keys(Keys.F9).perform()
    wait(page, lambda d: d.execute_script(
        "var s = document.getElementById('job-status'); return s && s.getAttribute('data-status');") == "ready")
    with counter.app_context():
        assert db.session.scalar(select(Job.status).where(Job.number == number)) == "ready"


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_the_counter_screens_in_both_languages(page, counter, staff, locale):
    """Intake, job page and pickup in the user's chosen language, screenshot for
    docs/COUNTER.md (WORKSHOP_SCREENSHOTS=docs/counter)."""
    with counter.app_context():
        user = db.session.get(User, staff["receptionist"])
        user.locale = locale
        sp = accounts.service_point_by_code("SZ01")
        ready = factories.ready_job(sp, imei="356938035643809", imei2="356938035643817")
        db.session.commit()
        number = ready.number
    tag = "en" if locale == "en" else "zh"
    page.login("receptionist")
    page.open("/intake")
    scan(page, IMEI)
    wait(page, lambda d: page.find("#imei-valid").get_attribute("class").find("success") >= 0)
    active(page).send_keys("138 0013 8000" + Keys.ENTER)
    wait(page, lambda d: "陈小明" in page.find("#customer-hint").text)
    page.screenshot(SCREENSHOTS / f"counter-intake-{tag}.png")
    page.open(f"/jobs/{number}")
    assert "IMEI 356938035643809 / 356938035643817" in page.find("#job-imei").text
    page.screenshot(SCREENSHOTS / f"counter-job-{tag}.png")
    page.open(f"/pickup/{number}")
    assert "356938035643817" in page.find("#job-imei").text
    page.screenshot(SCREENSHOTS / f"counter-pickup-{tag}.png")
    assert ("我的设置" in page.find("#profile-link").text) == (locale == "zh_Hans")


def test_pickup_verifies_with_one_scan_of_the_stub_and_never_with_the_bag_tag(page, counter, staff):
    from workshop.jobs import receipt_stub

    with counter.app_context():
        sp = accounts.service_point_by_code("SZ01")
        job = factories.ready_job(sp)
        db.session.commit()
        number, stub = job.number, receipt_stub.stub_code(job)
    page.login("receptionist")
    page.open(f"/pickup/{number}")
    assert active(page).get_attribute("id") == "stub_code"  # the focus waits for the stub
    scan(page, number)  # the bag's tag: refused
    wait(page, lambda d: "not this job" in (d.execute_script("return document.body && document.body.innerText") or ""))
    page.open(f"/pickup/{number}")
    scan(page, stub)  # the customer's stub: one action
    wait(page, lambda d: d.execute_script("return !!document.getElementById('bill-balance')"))


def test_the_diagnosis_and_repair_forms_have_the_focus(page, counter, staff):
    with counter.app_context():
        sp = accounts.service_point_by_code("SZ01")
        engineer = db.session.get(User, staff["engineer"])
        diagnosing = factories.job(sp, status="diagnosing", engineer=engineer).number
        repairing = factories.job(sp, status="repairing", engineer=engineer, imei="356938035643809").number
        db.session.commit()
    page.login("engineer")
    page.open(f"/jobs/{diagnosing}")
    assert active(page).get_attribute("id") == "findings"
    page.open(f"/jobs/{repairing}")
    assert active(page).get_attribute("id") == "actions"
