"""After-sales care in the browser: a follow-up call that gets a 2 opens a complaint,
which is escalated, its remedy approved and carried out, the agreement printed and
scanned back, the follow-up answered with a 5 and the case closed.  And the keys and
clicks it takes to register a complaint from a scanned ticket."""

from __future__ import annotations

import base64

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from models import Complaint, FollowUp, User, db
from tests import factories
from tests.scanning import needs_scanner, scan
from workshop.core.clock import local_today
from workshop.jobs import workflow


def _collected(app, staff, due_today=True):
    with app.app_context():
        sp = factories.service_point("SZ01")
        rec = db.session.get(User, staff["receptionist"])
        job = factories.job(sp, created_by=rec, status="ready")
        workflow.move(job, "collected", rec, handover=True)
        db.session.flush()
        call = db.session.scalar(db.select(FollowUp).where(FollowUp.job_id == job.id))
        if due_today:
            call.due_on = local_today(sp)
        db.session.commit()
        return job.number


def _complaint(app):
    with app.app_context():
        return db.session.scalar(db.select(Complaint).order_by(Complaint.id.desc()))


def _fetch_pdf(page, path):
    """Download a PDF with the browser's own session as the print button opens it: a POST
    with the page's CSRF token (static/js/print.js), which records the print."""
    data = page.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const body = new URLSearchParams({csrf_token: document.querySelector('meta[name="csrf-token"]').content});
        fetch(arguments[0], {method: "POST", body: body, credentials: "same-origin"})
          .then(r => r.arrayBuffer()).then(buf => {
          let s = ""; const bytes = new Uint8Array(buf);
          for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
          done(btoa(s));
        });""", path)
    return base64.b64decode(data)


@needs_scanner
def test_unhappy_call_to_closed_case(page, app, staff, tmp_path):
    number = _collected(app, staff)
    page.login("receptionist")
    page.find('[data-nav="aftercare.calls"]').click()
    page.submit("#calls-today a.btn")
    assert "+8613800138000" in page.find("#call-phone").text
    page.find("#satisfaction-1").click()  # 2 of 5
    Select(page.find("#fixed")).select_by_value("no")
    page.type("#comment", "Battery still drains overnight")
    page.submit("#reached")

    # The unhappy answer opened a complaint on the job, by phone.
    code = page.find("#complaint-number").text
    assert page.find("#complaint-job").text == number
    complaint = _complaint(app)
    assert complaint.number == code and complaint.channel == "phone"
    page.type("#respond-note", "Apologised and asked for the handset back")
    page.submit("#record-response")
    page.type("#escalate-note", "Customer wants compensation")
    page.submit("#escalate")
    assert "manager" in page.find("#complaint-owner").text
    Select(page.find("#remedy-kind")).select_by_value("compensation")
    page.type("#remedy-amount", "100.00")
    page.type("#remedy-note", "Two days without a phone")
    page.submit("#add-remedy")
    assert page.find('tr[data-status="pending_approval"]')
    assert not page.all(".approve-form")  # a receptionist cannot approve

    page.driver.delete_all_cookies()
    page.login("manager")
    page.open(f"/complaints/{code}")
    page.submit(".approve-form button")
    assert page.find('tr[data-status="approved"]')
    page.type(".done-form input[name='done-note']", "Paid in cash")
    page.submit(".done-form button")
    assert page.find('tr[data-status="done"]')

    # The agreement is printed and its barcode scanned back.
    link = page.find("#print-agreement").get_attribute("href")
    pdf = _fetch_pdf(page, link)
    assert pdf.startswith(b"%PDF")
    assert scan(pdf, 300, tmp_path) == [code]
    page.find("#agreement-accepted-0").click()
    page.type("#agreement-note", "Signed at the counter")
    page.submit("#record-agreement")
    assert page.find('[data-status="resolved"]')

    # The complaint's own follow-up call (due tomorrow) gets a 5.
    page.open("/followups")
    page.submit("#calls-upcoming a.btn")
    page.find("#satisfaction-4").click()
    page.type("#comment", "All good now, thank you")
    page.submit("#reached")
    page.open(f"/complaints/{code}")
    Select(page.find("#close-root_cause")).select_by_value("repair_quality")
    page.type("#close-note", "Battery connector not seated")
    page.type("#close-preventive_action", "QC checks the battery connector")
    page.submit("#close-case")
    assert page.find('[data-status="closed"]')
    with app.app_context():
        closed = db.session.scalar(db.select(Complaint).where(Complaint.number == code))
        kinds = [e.kind for e in closed.events]
        assert closed.status == "closed" and closed.root_cause == "repair_quality"
    for kind in ("registered", "responded", "escalated", "remedy_added", "remedy_approved", "remedy_done",
                 "printed", "agreement", "resolved", "followup", "closed"):
        assert kind in kinds


def test_register_from_a_scanned_ticket_in_few_keys(page, app, staff):
    """From "new complaint" to saved: count what the receptionist does (the scan is the
    scanner's keystrokes, typing the description is the customer's story)."""
    number = _collected(app, staff, due_today=False)
    page.login("receptionist")
    page.open("/complaints")
    actions = []
    page.submit("#new-complaint")
    actions.append("click: New complaint")
    scan_box = page.find("#scan-code")
    assert page.focused("#scan-code")  # the scan box has the focus
    scan_box.send_keys(number + Keys.ENTER)  # the scanner types the ticket and Enter
    actions.append("scan: job ticket")
    page.find("#found-job")
    description = page.find("#description")
    assert page.focused("#description")  # the focus waits in the description
    description.send_keys("Screen flickers again since pickup")
    description.send_keys(Keys.CONTROL + Keys.ENTER)
    actions.append("key: Ctrl+Enter")
    page.find("#complaint-number")
    with app.app_context():
        complaint = db.session.scalar(db.select(Complaint))
        assert complaint.job.number == number and complaint.channel == "walk_in"
        assert complaint.description == "Screen flickers again since pickup"
    print(f"\nregister from a scanned ticket: {len(actions)} actions + the description: {actions}")
    assert len(actions) <= 6


