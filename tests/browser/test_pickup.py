"""At the counter, as a receptionist would do it: a ready handset is scanned, the
customer verified, the bill paid, the handset collected; the public page says so and
the outbox holds the message that told the customer it was ready."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

from models import User, db
from tests import factories
from workshop.jobs import workflow

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None


def _shot(page, name):
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(SHOTS / f"{name}.png")


def _ready_through_qc(app, staff):
    """A chargeable repair that passes QC through the workflow (which queues the message)."""
    with app.app_context():
        sp = factories.service_point("SZ01")
        engineer = db.session.get(User, staff["engineer"])
        customer = factories.customer(sp, name="王芳", phone="+8613800138000", email="wang@example.com")
        job = factories.job(sp, status="qc", engineer=engineer, customer=customer, warranty_chargeable=True,
                            warranty_status="expired", estimate_amount=Decimal("180.00"),
                            accessories=["sim_tray", "case"])
        job.add_event("status", engineer, from_status="repairing", to_status="qc",
                      data={"engineer_id": engineer.id})
        workflow.qc_pass(job, db.session.get(User, staff["manager"]))
        db.session.commit()
        return job.number


def test_pickup_at_the_counter(page, app, staff):
    number = _ready_through_qc(app, staff)
    page.login("receptionist")
    page.find('[data-nav="pickup.counter"]').click()
    page.type("#pickup-scan", number, enter=True)
    page.find("#verify-form")
    assert page.find("#job-status").get_attribute("data-status") == "ready"
    assert page.find("#bill-hidden")
    _shot(page, "pickup-1-verify")

    # A wrong answer first: refused, nothing changes.
    page.find('input[name="method"][value="phone_id"]').click()
    page.type("#phone_last4", "1234")
    page.find("#id_checked").click()
    page.find("#submit").click()
    assert "do not match" in page.find('[data-error-for="phone_last4"]').text
    assert page.find("#failed-attempts")

    page.type("#phone_last4", "8000")
    if not page.find("#id_checked").is_selected():
        page.find("#id_checked").click()
    page.find("#submit").click()
    page.find("#verified-badge")
    assert page.find("#bill-balance").get_attribute("data-amount") == "180.00"
    assert page.find("#amount").get_attribute("value") == "180.00"
    ticked = [box.is_selected() for box in page.all('#accessories input[type="checkbox"]')]
    assert ticked == [True, True]
    _shot(page, "pickup-2-bill")

    page.find("#collect-submit").click()
    page.find("#pickup-done")
    assert page.find("#job-status").get_attribute("data-status") == "collected"
    assert "until" in page.find("#repair-warranty").text
    _shot(page, "pickup-3-collected")

    page.open(f"/jobs/{number}")
    kinds = [li.get_attribute("data-kind") for li in page.all("#timeline li")]
    assert kinds[:3] == ["status", "payment", "scan"]  # newest first: collected, paid, scanned at the counter
    _shot(page, "pickup-4-job")

    page.find("#logout").click()
    page.find("#login-form")
    page.open(f"/track/{number}?phone_last4=8000")  # the customer's own phone, signed out
    assert page.find("#track-status").get_attribute("data-status") == "collected"
    assert page.find("#track-status-label").text == "Collected"  # the browser asks for English
    page.find('#languages a[hreflang="zh-Hans"]').click()
    page.find('html[lang="zh-Hans"]')
    assert page.find("#track-status-label").text == "已取机"
    _shot(page, "pickup-5-track")

    page.login("manager")
    page.open("/outbox")
    rows = page.all('#outbox tr[data-template="ready_for_pickup"]')
    assert len(rows) == 1 and number in rows[0].text and "wang@example.com" in rows[0].text
    _shot(page, "pickup-6-outbox")
