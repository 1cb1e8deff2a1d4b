"""An engineer requests a screen on the job page; the clerk issues it by scanning the
bin label; the job shows the part and its price; stock fell by one and the ledger says why."""

import os
import time
from pathlib import Path

from models import User, db
from tests import factories

SHOTS = Path(os.environ.get("WORKSHOP_SCREENSHOTS", "/tmp/workshop-screenshots"))


def _setup(app, staff):
    with app.app_context():
        engineer = db.session.get(User, staff["engineer"])
        sp = engineer.service_point
        factories.part("SCR-IP13", name="iPhone 13 屏幕总成 OLED screen", price="899.00", stock=3,
                       bin_location="A-01-1", compatible_models=["iPhone 13"])
        factories.part("BAT-S23", name="Galaxy S23 电池 battery", price="259.00", stock=2, brand="Samsung",
                       compatible_models=["Galaxy S23"], category="battery", bin_location="B-02-1")
        job = factories.job(sp, status="repairing", engineer=engineer, warranty_chargeable=True,
                            brand="Apple", model="iPhone 13")
        db.session.commit()
        return job.number


def _logout(page):
    _click(page, "#logout")
    page.find("#login-form")


def _click(page, css, tries=10):
    """Click like a user; the page may still be scrolling to an anchor (Bootstrap's smooth scroll)."""
    from selenium.common.exceptions import ElementClickInterceptedException

    for attempt in range(tries):
        el = page.find(css)
        page.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", el)
        try:
            el.click()
            return
        except ElementClickInterceptedException:
            if attempt == tries - 1:
                raise
            time.sleep(0.2)


def _wait_for(condition, timeout=5.0):
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_request_scan_issue_and_the_job_is_charged(page, app, staff):
    SHOTS.mkdir(parents=True, exist_ok=True)
    number = _setup(app, staff)

    page.login("engineer")
    page.open(f"/jobs/{number}")
    page.type("#line1-sku", "scr")  # the picker suggests as one types, parts that fit first
    _wait_for(lambda: [o.get_attribute("value") for o in page.all("#part-options option")][:1] == ["SCR-IP13"])
    assert page.all("#part-options option")[0].get_attribute("data-fits") == "1"
    page.type("#line1-sku", "SCR-IP13")  # as a scanner would type it
    _click(page, "#request-parts")
    assert "sent to the parts store" in page.find(".alert-success").text
    row = page.find('#job-parts tr[data-sku="SCR-IP13"]')
    assert row.get_attribute("data-status") == "pending" and "reserved" in row.text
    page.screenshot(SHOTS / "parts-1-engineer-requested.png")
    _logout(page)

    page.login("clerk")
    page.open("/")
    assert "1 requisition(s) pending" in page.find("#parts-card").text
    page.open("/parts/requisitions")
    _click(page, "#requisition-queue a")
    page.find("#scan-code")
    page.screenshot(SHOTS / "parts-2-clerk-requisition.png")
    page.type("#scan-code", "A-01-2", enter=True)  # the wrong bin is refused
    assert "not on this requisition" in page.find(".invalid-feedback").text
    page.type("#scan-code", "A-01-1", enter=True)
    assert "issued for job" in page.find(".alert-success").text
    page.screenshot(SHOTS / "parts-3-clerk-issued.png")

    page.open("/parts/catalogue/SCR-IP13")
    assert page.find("#on-hand").text == "2"
    ledger = [r.get_attribute("data-kind") for r in page.all("#ledger tbody tr")]
    assert ledger == ["issue", "receipt"]
    page.screenshot(SHOTS / "parts-4-ledger.png")
    _logout(page)

    page.login("engineer")
    page.open(f"/jobs/{number}")
    row = page.find('#job-parts tr[data-sku="SCR-IP13"]')
    assert row.get_attribute("data-status") == "issued" and "¥899.00" in row.text
    assert page.find("#parts-total").text == "¥899.00"
    page.screenshot(SHOTS / "parts-5-job-charged.png")


def test_short_stock_waits_and_the_store_sees_it(page, app, staff):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        engineer = db.session.get(User, staff["engineer"])
        factories.part("SCR-IP13", name="iPhone 13 屏幕总成", price="899.00", stock=0, bin_location="A-01-1",
                       reorder_point=2)
        number = factories.job(engineer.service_point, status="repairing", engineer=engineer).number
        db.session.commit()
    page.login("engineer")
    page.open(f"/jobs/{number}")
    page.type("#line1-sku", "SCR-IP13")
    _click(page, "#request-parts")
    assert "waits for parts" in page.find(".alert-warning").text
    assert page.find("#job-status").get_attribute("data-status") == "awaiting_parts"
    assert "waiting for stock" in page.find('#job-parts tr[data-sku="SCR-IP13"]').text
    _logout(page)
    page.login("clerk")
    page.open("/parts/")
    assert "SCR-IP13" in page.find("#low-stock").text
    assert "short" in page.find("#pending-requisitions").text
    page.screenshot(SHOTS / "parts-6-store-dashboard-short.png")
