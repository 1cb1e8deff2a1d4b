"""``complaints list --overdue`` and ``followups list``."""

from __future__ import annotations

import datetime as dt

from models import Complaint, db

from .conftest import collected_job, register


def test_complaints_list_overdue(app, staff, runner):
    with app.app_context():
        late = register(description="Late one")
        register(description="Fresh one", phone="13900139000", name="李雷")
        late.respond_by = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.commit()
        late_number = late.number
        numbers = list(db.session.scalars(db.select(Complaint.number)))
    result = runner.invoke(args=["complaints", "list", "--overdue"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(late_number) and "OVERDUE" in lines[0]
    assert lines[-1] == "1 complaint(s) overdue."
    everything = runner.invoke(args=["complaints", "list"])
    assert all(n in everything.output for n in numbers)
    assert runner.invoke(args=["complaints", "list", "--service-point", "OT01"]).output.strip() == "0 complaint(s)."
    assert runner.invoke(args=["complaints", "list", "--service-point", "XX9"]).exit_code != 0


def test_followups_list(app, staff, runner):
    with app.app_context():
        job = collected_job()
        db.session.commit()
        number = job.number
    result = runner.invoke(args=["followups", "list"])
    assert result.exit_code == 0, result.output
    assert number in result.output and "pickup" in result.output
    assert result.output.strip().endswith("1 call(s).")
    assert runner.invoke(args=["followups", "list", "--today"]).output.strip() == "0 call(s)."
