"""Issue 15, item 7 in the browser: the job page's print button POSTs (static/js/print.js),
so the print is recorded; opening the PDF's address (a GET) records nothing."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from models import JobEvent, User, db
from tests import factories


def _prints(app):
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(JobEvent).where(JobEvent.kind == "print"))
        db.session.remove()
        return n


def test_print_button_records_the_print_and_a_get_does_not(page, app, staff):
    with app.app_context():
        sp = factories.service_point("SZ01")
        job = factories.job(sp, created_by=db.session.get(User, staff["receptionist"]))
        db.session.commit()
        number = job.number
    page.login("receptionist")
    page.open(f"/jobs/{number}/label.pdf")  # a plain GET, as a prefetch would do
    time.sleep(0.5)
    assert _prints(app) == 0
    page.open(f"/jobs/{number}")
    first = page.driver.current_window_handle
    page.find("#print-label").click()
    deadline = time.monotonic() + 10
    while _prints(app) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _prints(app) == 1
    for handle in page.driver.window_handles:  # close the PDF tab
        if handle != first:
            page.driver.switch_to.window(handle)
            page.driver.close()
    page.driver.switch_to.window(first)
