"""A receptionist takes a handset in, in the browser: scanned IMEI (digits then Enter),
receipt, the warranty decision with its reasons before submitting, then the job page."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import func, select

from models import Job, User, db
from workshop.intake.devices import blocked, tac
from workshop.warranty import policies

NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
IMEI = "352099001761481"
SCREENSHOTS = Path(os.environ.get("WORKSHOP_SCREENSHOTS", "/tmp"))


@pytest.fixture
def counter(app, staff, clock):
    with app.app_context():
        tac.import_stream(io.StringIO("tac,brand,model\n35209900,Alcatel,One Touch 332\n", newline=""))
        policies.seed_presets()
        db.session.commit()
    return app


def wait_for(page, condition, timeout=5):
    return WebDriverWait(page.driver, timeout).until(condition)


def text_in(css, text):
    return ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)


def set_date(page, css, value):
    # Date inputs take keystrokes in the browser's locale order; set the ISO value as a picker would.
    page.driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", page.find(css), value)


def job_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Job))


def test_receptionist_takes_a_handset_in(page, counter):
    page.login("receptionist")
    page.find('[data-nav="intake.new"]').click()
    imei = page.find("#device_imei")
    assert page.driver.switch_to.active_element == imei  # the screen starts at the IMEI

    # A keyboard-wedge scanner types the digits and Enter.
    imei.send_keys(IMEI + Keys.ENTER)
    # Moved on to the phone, not submitted (a second IMEI or the invoice is scanned in wherever the focus is).
    assert page.driver.switch_to.active_element.get_attribute("id") == "customer_phone"
    wait_for(page, text_in("#imei-valid", "Valid IMEI"))
    wait_for(page, text_in("#imei-device", "Alcatel One Touch 332"))
    assert page.find("#device_brand").get_attribute("value") == "Alcatel"
    assert page.find("#history-list").text == "No earlier jobs for this handset."
    assert job_count(counter) == 0 and page.driver.current_url.endswith("/intake")

    page.type("#customer_phone", "138 0013 8000", enter=True)
    assert page.driver.switch_to.active_element.get_attribute("id") == "customer_name"
    page.type("#customer_name", "王芳")
    Select(page.find("#fault_category")).select_by_value("no_power")
    page.type("#fault_description", "Dead after charging overnight")

    # The receipt: without it the repair would be chargeable.
    wait_for(page, lambda d: page.find("#warranty-status").get_attribute("data-warranty-status") == "no_proof")
    Select(page.find("#proof_kind")).select_by_value("invoice")
    page.type("#proof_number", "FP-88123")
    set_date(page, "#proof_purchase_date", "2026-11-10")
    page.type("#proof_imei", "35 209900 176148 1")
    page.type("#proof_seller", "Huaqiangbei Mobile")
    page.find("#accessories-0").send_keys(Keys.SPACE)  # SIM tray, ticked from the keyboard
    page.find("#consent_data_disclaimer").send_keys(Keys.SPACE)
    page.type("#estimate_ceiling", "300")

    # The decision, with its reasons, before submitting.
    wait_for(page, lambda d: page.find("#warranty-status").get_attribute("data-warranty-status")
             == "exchange_window")
    assert page.find("#warranty-charge").text == "Free of charge"
    reasons = page.find("#warranty-reasons").text
    assert "Purchased 2026-11-10; within the 15-day exchange period (until 2026-11-25)" in reasons
    assert page.find("#warranty-ends").text == "2027-11-10"
    assert page.find("#dates-promised").text == "2026-11-29"
    assert page.find("#promised_by").get_attribute("value") == "2026-11-29"
    page.screenshot(SCREENSHOTS / "intake-before-submit.png")

    # A liquid-damage finding changes the decision at once.
    page.find("#condition_liquid_damage").send_keys(Keys.SPACE)
    wait_for(page, lambda d: page.find("#warranty-status").get_attribute("data-warranty-status") == "void")
    assert "Liquid damage found" in page.find("#warranty-reasons").text
    page.find("#condition_liquid_damage").send_keys(Keys.SPACE)
    wait_for(page, lambda d: page.find("#warranty-status").get_attribute("data-warranty-status")
             == "exchange_window")

    page.find("#intake-submit").click()
    wait_for(page, text_in("#job-number", "SZ01-000001"))
    summary = page.find("#intake-summary").text
    assert "Within the exchange period" in summary and "15-day exchange period" in summary
    assert "SIM tray" in summary and "Customer ticket" in summary and "Device label" in summary
    assert page.find("#print-ticket").get_attribute("href").endswith("/jobs/SZ01-000001/ticket.pdf")
    page.screenshot(SCREENSHOTS / "intake-job-page.png")
    assert job_count(counter) == 1


def test_errors_show_beside_fields_and_nothing_typed_is_lost(page, counter):
    page.login("receptionist")
    page.open("/intake")
    page.find("#device_imei").send_keys("35209900176148" + Keys.ENTER)  # a digit short
    wait_for(page, text_in("#imei-reason", "without its check digit"))
    page.find("#imei-use-suggestion").click()
    wait_for(page, lambda d: page.find("#device_imei").get_attribute("value") == IMEI)
    wait_for(page, text_in("#imei-valid", "Valid IMEI"))
    page.type("#customer_phone", "12345")
    page.type("#customer_name", "李雷")
    page.find("#device_colour").send_keys("blue" + Keys.CONTROL + Keys.ENTER)  # Ctrl+Enter submits

    errors = page.find("#form-errors")
    assert "Phone" in errors.text and "Fault" in errors.text
    assert "is not a valid phone number" in page.find('[data-error-for="customer_phone"]').text
    assert page.find("#customer_name").get_attribute("value") == "李雷"
    assert page.find("#device_colour").get_attribute("value") == "blue"
    assert page.find("#device_imei").get_attribute("value") == IMEI
    wait_for(page, text_in("#imei-valid", "Valid IMEI"))  # checked again on the re-shown form
    assert job_count(counter) == 0

    page.type("#customer_phone", "13912345678")
    Select(page.find("#fault_category")).select_by_value("screen")
    page.find("#intake-submit").click()
    wait_for(page, text_in("#job-number", "SZ01-000001"))


def test_blocked_imei_warning_before_submit(page, counter, staff):
    with counter.app_context():
        blocked.add(db.session.get(User, staff["manager"]), IMEI, reason="stolen", reference="PSB-2026-77")
        db.session.commit()
    page.login("receptionist")
    page.open("/intake")
    page.find("#device_imei").send_keys(IMEI + Keys.ENTER)
    warning = wait_for(page, ec.visibility_of_element_located((By.CSS_SELECTOR, "#blocked-warning")))
    assert "PSB-2026-77" in warning.text and "Call a manager" in warning.text
    page.screenshot(SCREENSHOTS / "intake-blocked.png")
