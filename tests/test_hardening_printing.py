"""Issue 15, item 7: a GET of a printable PDF writes nothing (a prefetch or crawler);
a person's print (POST, the print buttons) records the event; an unauthenticated API
client gets 401, not a redirect to the sign-in page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Job, JobEvent, User, db
from tests import factories


@pytest.fixture
def job_number(app, staff):
    with app.app_context():
        sp = factories.service_point("SZ01")
        job = factories.job(sp, created_by=db.session.get(User, staff["receptionist"]))
        db.session.commit()
        return job.number


def _prints(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(JobEvent).where(JobEvent.kind == "print"))


@pytest.mark.parametrize("path", ["label.pdf", "label.pdf?size=57x32", "ticket.pdf", "ticket.pdf?format=80mm"])
def test_get_shows_the_pdf_and_records_nothing_post_records(app, client, auth, job_number, path):
    auth.login("receptionist")
    for _ in range(3):
        r = client.get(f"/jobs/{job_number}/{path}")
        assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert _prints(app) == 0
    r = client.post(f"/jobs/{job_number}/{path}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert _prints(app) == 1


def test_batch_labels_record_only_on_post(app, client, auth, job_number):
    auth.login("receptionist")
    with app.app_context():
        day = db.session.scalar(select(Job.received_on).where(Job.number == job_number))
    assert client.get(f"/labels/intake.pdf?date={day.isoformat()}").status_code == 200
    assert _prints(app) == 0
    assert client.post(f"/labels/intake.pdf?date={day.isoformat()}").status_code == 200
    assert _prints(app) == 1


def test_job_page_print_buttons_post(app, client, auth, job_number):
    auth.login("receptionist")
    page = client.get(f"/jobs/{job_number}").get_data(as_text=True)
    assert 'id="print-label" data-print' in page and 'id="print-ticket" data-print' in page
    assert "js/print.js" in page


@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer not-a-real-token"},
    {"Accept": "application/json"},
    {"Accept": "application/pdf"},
])
@pytest.mark.parametrize("path", ["label.pdf", "ticket.pdf", "pickup-receipt.pdf"])
def test_unauthenticated_api_client_gets_401(app, job_number, headers, path):
    r = app.test_client().get(f"/jobs/{job_number}/{path}", headers=headers)
    assert r.status_code == 401 and r.mimetype == "application/problem+json"


def test_browser_without_session_is_still_sent_to_sign_in(app, job_number):
    r = app.test_client().get(f"/jobs/{job_number}/label.pdf",
                              headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
