"""The bench in Chromium: a manager assigns the morning's jobs by accepting the
proposals, an engineer scans a ticket, diagnoses, repairs and hands to QC, a second
engineer passes QC, and the history shows every step with who and where.

Screenshots of the board, the queue and the workbench go to ``$BENCH_SCREENSHOTS``
(or the test's tmp_path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models import User, db
from tests import factories

# browser/conftest.py adds this marker too, but after parametrisation: say it here.
pytestmark = pytest.mark.sqlite_only

@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("BENCH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def morning(app, staff):
    """Two engineers and three handsets taken in this morning."""
    with app.app_context():
        sp = factories.service_point("SZ01")
        engineer = db.session.get(User, staff["engineer"])
        engineer.display_name, engineer.engineer_level, engineer.brands = "Zhang Wei", 1, "Apple,Samsung"
        factories.user("engineer", username="engineer2", sp=sp, engineer_level=2, display_name="Chen Jie")
        numbers = []
        for i, (brand, model, fault, imei) in enumerate([
            ("Apple", "iPhone 13", "screen", "490154203237518"),
            ("Samsung", "Galaxy S22", "no_power", "356938035643809"),
            ("Apple", "iPhone 12", "battery", "352099001761481"),
        ]):
            customer = factories.customer(sp, name=f"顾客{i}", phone=f"+861380013800{i}")
            job = factories.job(sp, brand=brand, model=model, fault_category=fault, imei=imei, customer=customer,
                                fault_description="cracked screen" if fault == "screen" else "dead",
                                estimate_amount="0.00", estimate_ceiling="300.00")
            numbers.append(job.number)
        db.session.commit()
    return numbers


def _status(page):
    return page.find("#job-status").get_attribute("data-status")


def test_assign_scan_diagnose_repair_and_qc(page, morning, shots):
    screen_job, board_job, battery_job = morning

    # The manager accepts every proposal on the bench board.
    page.login("manager")
    page.find('[data-nav="bench.board"]').click()
    page.find("#assign-all")
    assert page.find(f'[data-job="{board_job}"] [data-proposed]').get_attribute("data-proposed") == "engineer2"
    # The page opens on the first job's engineer choice: one Enter assigns nothing in bulk.
    assert page.focused("#unassigned select") and not page.focused("#assign-all", timeout=0.5)
    page.screenshot(shots / "board-before.png")
    page.submit("#assign-all")
    assert "3 job(s) assigned as proposed" in page.find(".alert-success").text
    board = page.find("#board")
    zhang = board.find_element("css selector", '[data-engineer="engineer"]').text
    assert screen_job in zhang and battery_job in zhang and board_job not in zhang  # L1 work to the L1 engineer
    assert board_job in board.find_element("css selector", '[data-engineer="engineer2"]').text
    page.screenshot(shots / "board-after.png")
    page.find("#logout").click()

    # The engineer sees the job in their queue, scans its ticket and works on it.
    page.login("engineer")
    page.find('[data-nav="bench.queue"]').click()
    page.find(f'#my-jobs [data-job="{screen_job}"]')
    page.screenshot(shots / "queue.png")
    page.type("#scan-box", screen_job, enter=True)
    page.submit('[data-move="diagnosing"]')
    assert _status(page) == "diagnosing"
    page.type("#findings", "LCD cracked, touch dead in the lower third")
    page.type("#estimate", "280")
    page.screenshot(shots / "workbench-diagnosis.png")
    page.submit("#diagnosis-form [type=submit]")
    assert _status(page) == "repairing"
    page.type("#actions", "Replaced the LCD assembly, transferred the earpiece mesh")
    page.type("#parts_fitted", "LCD-IP13-BLK")
    page.submit("#hand_to_qc")
    assert _status(page) == "qc"
    assert page.find("#wb-qc-other")  # no QC of one's own repair
    assert page.all("#qc-form") == []
    page.find("#logout").click()

    # A second engineer scans the IMEI and passes QC with the checklist.
    page.login("engineer2")
    page.type("#scan-box", "49 015420 323751 8", enter=True)
    assert page.find("#job-number").text == screen_job
    boxes = page.all("#qc-form input[name=checks]")
    assert len(boxes) >= 10
    for box in boxes:
        box.click()
    page.screenshot(shots / "workbench-qc.png")
    page.submit("#passed")
    assert _status(page) == "ready"
    assert "QC passed" in page.find(".alert-success").text

    # The history shows every step with who and where (newest first on the page).
    items = list(reversed(page.all("#timeline li")))
    assert [li.get_attribute("data-kind") for li in items] == [
        "status", "assign", "status", "diagnosis", "status", "repair", "status", "status"]
    who_where = [li.find_element("css selector", ".text-muted:not(time)").text for li in items]
    assert who_where[1:] == [
        "manager · front desk",
        "Zhang Wei · bench · engineer", "Zhang Wei · bench · engineer", "Zhang Wei · bench · engineer",
        "Zhang Wei · bench · engineer", "Zhang Wei · QC", "Chen Jie · pickup shelf"]
    assert "LCD cracked" in items[3].text and "LCD-IP13-BLK" not in items[3].text
    assert "Replaced the LCD assembly" in items[5].text
    page.screenshot(shots / "job-ready.png")


def test_promise_watch_on_the_board_queue_and_job_page(page, app, staff, shots):
    """Overdue and near dates are highlighted everywhere an engineer or manager looks."""
    from workshop.warranty import promise

    with app.app_context():
        sp = factories.service_point("SZ01")
        engineer = db.session.get(User, staff["engineer"])
        today = promise.local_today(sp)
        day = __import__("datetime").timedelta(days=1)
        specs = [  # status, received days ago, promised in days, chargeable
            ("repairing", 9, -2, False),   # warranty repair past its promise and loaner date
            ("awaiting_parts", 28, -21, False),  # exchange date in two days
            ("diagnosing", 1, 1, True),    # due tomorrow
            ("qc", 0, 7, True),            # fine
        ]
        numbers = []
        for i, (status, ago, due, chargeable) in enumerate(specs):
            customer = factories.customer(sp, name=f"王{i}", phone=f"+861390013900{i}")
            job = factories.job(sp, status=status, engineer=engineer, customer=customer,
                                received_on=today - ago * day, promised_by=today + due * day,
                                warranty_chargeable=chargeable, warranty_status="expired" if chargeable else "in_warranty",
                                model=f"iPhone {12 + i}")
            numbers.append(job.number)
        db.session.commit()
    late, exchange, near, fine = numbers

    page.login("manager")
    page.open("/bench/board")
    assert "age-late" in page.find(f'#board [data-job="{late}"]').get_attribute("class")
    assert "age-late" in page.find(f'#board [data-job="{exchange}"]').get_attribute("class")
    assert "age-warn" in page.find(f'#board [data-job="{near}"]').get_attribute("class")
    assert "age-" not in page.find(f'#board [data-job="{fine}"]').get_attribute("class")
    assert page.find(f'#board [data-job="{exchange}"] [data-warning="exchange"]')
    assert page.find("#board-late").text.startswith("2")
    page.screenshot(shots / "board-promises.png")
    page.find("#logout").click()

    page.login("engineer")
    page.open("/bench/")
    assert "age-late" in page.find(f'#my-jobs [data-job="{late}"]').get_attribute("class")
    page.screenshot(shots / "queue-promises.png")
    page.open(f"/jobs/{late}")
    warnings = {li.get_attribute("data-warning") for li in page.all("#wb-warnings li")}
    assert warnings == {"promise", "loaner"}
    page.screenshot(shots / "workbench-repair.png")
