"""Issue 15, item 6: ``backup create`` while intakes are being committed, ``backup restore``
into an empty database (refused into a non-empty one), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from config import TestingConfig, normalise_database_url
from models import Job, JobEvent, db
from tests import factories
from workshop import create_app
from workshop.backup import row_counts


def _intakes_running(app, stop: threading.Event, done: list[int]):
    """Commit one job (with its intake event) at a time until told to stop."""
    with app.app_context():
        sp = factories.service_point("SZ01")
        clerk = factories.user("receptionist", username=f"desk{uuid.uuid4().hex[:6]}", sp=sp)
        db.session.commit()
        while not stop.is_set():
            factories.job(sp, created_by=clerk)
            db.session.commit()
            done.append(1)
        db.session.remove()


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Job)),
                db.session.scalar(select(func.count()).select_from(JobEvent)))


@pytest.fixture
def empty_target(database_url, tmp_path):
    """A second, empty database of the same kind, and a function to drop it."""
    if database_url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "restored.db")
        return
    from tests.conftest import _pg_admin_connect

    name = f"workshop_restore_{uuid.uuid4().hex[:8]}"
    conn = _pg_admin_connect()
    conn.execute(f'CREATE DATABASE "{name}"')
    yield database_url.rsplit("/", 1)[0] + "/" + name
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def test_backup_while_serving_and_restore_into_an_empty_database(app, runner, tmp_path, empty_target):
    stop, done = threading.Event(), []
    writer = threading.Thread(target=_intakes_running, args=(app, stop, done))
    writer.start()
    try:
        deadline = time.monotonic() + 20
        while len(done) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        before = len(done)
        r = runner.invoke(args=["backup", "create", str(tmp_path / "backup.bin")])
        after = len(done)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert r.exit_code == 0, r.output
    assert before >= 20, "the writer thread did not get going"

    # the file must not be overwritten, and it does not go into a database that has data
    again = runner.invoke(args=["backup", "create", str(tmp_path / "backup.bin")])
    assert again.exit_code != 0 and "already exists" in again.output
    refused = runner.invoke(args=["backup", "restore", str(tmp_path / "backup.bin")])
    assert refused.exit_code != 0 and "not empty" in refused.output

    target = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(empty_target))
    with target.app_context():
        db.create_all()  # as `flask db upgrade` leaves it: tables, no rows
        db.session.remove()
    r = target.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "backup.bin")])
    assert r.exit_code == 0, r.output
    jobs, events = _counts(target)
    # consistent: every committed job came with its event, none half-written
    assert jobs == events
    assert before <= jobs <= after + 1
    with target.app_context():
        restored = row_counts(db.engine)
        assert restored["users"] == 1 and restored["service_points"] == 1
        username = db.session.scalar(select(factories.User.username))
        db.session.remove()
    # what was restored is usable: the restored user signs in
    r = target.test_client().post("/login", data={"username": username, "password": factories.PASSWORD})
    assert r.status_code == 302
    with target.app_context():
        db.engine.dispose()


def test_restore_refuses_the_wrong_kind_of_file(app, runner, tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    r = runner.invoke(args=["backup", "restore", str(junk)])
    assert r.exit_code != 0 and "not" in r.output
