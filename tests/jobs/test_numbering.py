"""Job numbers: format, per-service-point sequences, uniqueness."""

from models import db
from tests import factories
from workshop.jobs.numbering import next_job_number


def test_numbers_are_short_sequential_and_carry_the_service_point(app):
    with app.app_context():
        a, b = factories.service_point("SZ01"), factories.service_point("BJ02")
        assert next_job_number(a) == "SZ01-000001"
        assert next_job_number(a) == "SZ01-000002"
        assert next_job_number(b) == "BJ02-000001"
        db.session.commit()
        assert next_job_number(a) == "SZ01-000003"
        db.session.rollback()
        assert next_job_number(a) == "SZ01-000003"  # a rolled-back intake leaves no gap


def test_job_factory_creates_a_valid_job_with_history(app):
    with app.app_context():
        job = factories.job()
        db.session.commit()
        assert job.number.startswith("SZ01-") and job.status == "received"
        assert [e.to_status for e in job.events] == ["received"]
