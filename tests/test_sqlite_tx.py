"""SQLite transactions: reads begin deferred and never wait for the write lock;
writing requests and everything outside a request take the lock up front."""

from __future__ import annotations

import sqlite3
import time

import pytest
from flask import Blueprint
from sqlalchemy import event

from models import Job, db
from tests import factories
from workshop.permissions import rules as permissions
from workshop.sqlite_tx import WriteInReadTransaction, write_intent, writes

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def job_number(app, staff):
    with app.app_context():
        number = factories.job().number
        db.session.commit()
    return number


@pytest.fixture
def begins(app):
    """The BEGIN statements the app's engine sends, in order."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_a_page_view_begins_a_deferred_transaction(client, auth, job_number, begins):
    auth.login("receptionist")
    begins.clear()
    assert client.get(f"/jobs/{job_number}").status_code == 200
    assert begins and set(begins) == {"BEGIN"}


def test_a_post_takes_the_write_lock_first(client, auth, begins):
    begins.clear()
    auth.login("receptionist")
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}


def test_outside_a_request_transactions_take_the_write_lock(app, begins):
    with app.app_context():
        db.session.scalar(db.select(Job.id).limit(1))
        db.session.rollback()
        with write_intent(False):
            db.session.scalar(db.select(Job.id).limit(1))
            db.session.rollback()
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_reads_go_on_while_another_process_holds_the_write_lock(app, client, auth, job_number):
    """A writer holding SQLite's lock (an import, a slow intake) does not stop page views."""
    auth.login("receptionist")
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE jobs SET colour = 'green' WHERE number = ?", (job_number,))
        started = time.monotonic()
        r = client.get(f"/jobs/{job_number}")
        elapsed = time.monotonic() - started
        assert r.status_code == 200
        assert elapsed < 2, f"the page waited {elapsed:.1f} s for the write lock"
        # The reader sees the last committed state, not the writer's uncommitted change.
        with app.app_context(), write_intent(False):
            assert db.session.scalar(db.select(Job.colour).where(Job.number == job_number)) != "green"
            db.session.rollback()
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_get_that_writes_without_saying_so_fails_loudly(app, job_number):
    bp = Blueprint("sneaky_probe", __name__)

    @bp.route("/_sneaky/<number>")
    def sneaky(number):
        job = db.session.scalar(db.select(Job).where(Job.number == number))
        job.colour = "purple"
        db.session.commit()
        return "saved"

    @bp.route("/_declared/<number>")
    @writes
    def declared(number):
        job = db.session.scalar(db.select(Job).where(Job.number == number))
        job.colour = "blue"
        db.session.commit()
        return "saved"

    app.register_blueprint(bp)
    permissions.ENDPOINT_RULES["sneaky_probe.sneaky"] = permissions.PUBLIC
    permissions.ENDPOINT_RULES["sneaky_probe.declared"] = permissions.PUBLIC
    try:
        with pytest.raises(WriteInReadTransaction):
            app.test_client().get(f"/_sneaky/{job_number}")
        assert app.test_client().get(f"/_declared/{job_number}").status_code == 200
    finally:
        del permissions.ENDPOINT_RULES["sneaky_probe.sneaky"]
        del permissions.ENDPOINT_RULES["sneaky_probe.declared"]
    with app.app_context():
        assert db.session.scalar(db.select(Job.colour).where(Job.number == job_number)) == "blue"


def test_an_intake_reads_first_and_takes_the_lock_for_its_inserts(app, staff, token_for, begins):
    """The intake (``reads_first``) authenticates and validates in a deferred transaction,
    then holds the write lock for its writes only; refused input never takes the lock."""
    from models import User
    from tests.intake.test_intake_api import body

    with app.app_context():
        user = db.session.get(User, staff["receptionist"])
    headers = token_for(user)
    client = app.test_client()
    begins.clear()
    r = client.post("/api/v1/jobs", json=body(**{"device.imei": "356938035643809"}), headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    assert begins[:2] == ["BEGIN", "BEGIN IMMEDIATE"] and begins.count("BEGIN IMMEDIATE") == 1
    begins.clear()
    r = client.post("/api/v1/jobs", json=body(**{"device.imei": "123"}), headers=headers)
    assert r.status_code == 422 and "BEGIN IMMEDIATE" not in begins
    # The same handset again: refused on its open job, found under the lock too.
    r = client.post("/api/v1/jobs", json=body(**{"device.imei": "356938035643809"}), headers=headers)
    assert r.status_code == 422 and "open job" in r.get_data(as_text=True)


def test_take_write_lock_ends_the_snapshot_and_sees_what_others_committed(app, job_number):
    from workshop.sqlite_tx import take_write_lock

    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        with app.app_context(), write_intent(False):
            assert db.session.scalar(db.select(Job.colour).where(Job.number == job_number)) != "teal"
            # Another writer commits after this snapshot began: a plain write now would
            # fail with SQLITE_BUSY_SNAPSHOT (and the guard refuses it before that).
            other.execute("UPDATE jobs SET colour = 'teal' WHERE number = ?", (job_number,))
            with pytest.raises(WriteInReadTransaction):
                db.session.execute(db.update(Job).where(Job.number == job_number).values(model="X"))
            db.session.rollback()
            assert db.session.scalar(db.select(Job.colour).where(Job.number == job_number)) == "teal"
            other.execute("UPDATE jobs SET colour = 'olive' WHERE number = ?", (job_number,))
            take_write_lock(db.session)
            # Under the lock: the other writer waits, this one sees the latest commit and writes.
            assert db.session.scalar(db.select(Job.colour).where(Job.number == job_number)) == "olive"
            db.session.execute(db.update(Job).where(Job.number == job_number).values(colour="navy"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("PRAGMA busy_timeout = 0")
                other.execute("BEGIN IMMEDIATE")
            db.session.commit()
        assert other.execute("SELECT colour FROM jobs WHERE number = ?", (job_number,)).fetchone()[0] == "navy"
    finally:
        other.close()
