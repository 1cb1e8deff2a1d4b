"""Issue 14, the counter at full speed: what the counter sees on labels, pages and
documents (app-level checks; the label geometry is in test_label_printable_area)."""

import pytest

from models import User, db
from tests import factories
from tests.scanning import needs_pdftotext, pdf_text
from workshop.services import accounts


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
