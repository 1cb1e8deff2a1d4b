"""Fixtures: ``app`` (run once on SQLite and once on PostgreSQL), ``client``,
``runner``, ``db``, ``auth`` (login helper), ``token_for`` (API tokens), ``staff``
(one user per role, by id), ``people`` (the same users, loaded, inside an app
context) and ``clock`` (the app's clock set to :data:`NOW` by time-machine).

PostgreSQL: a throwaway database is created per run (and per xdist worker) on
127.0.0.1:5432 (override with TEST_POSTGRES_URL); tests on it are skipped, with
the reason shown, only when no server answers -- and fail instead when CI=true.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
import time_machine
from sqlalchemy import text

from config import TestingConfig
from models import db as _db
from tests import factories
from workshop import create_app

#: Where ``clock`` sets the app's time: 10:00 on 2026-11-22 at the demo counter (Asia/Shanghai).
NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin_connect():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def postgres_url(worker_id="master"):
    """URL of a fresh PostgreSQL database for this run, or a skip reason."""
    try:
        conn = _pg_admin_connect()
    except Exception as exc:  # noqa: BLE001
        yield None, f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
        return
    name = f"workshop_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}", None
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "workshop-test.db")


def _make_app(url: str, instance_path: str):
    os.environ["WORKSHOP_INSTANCE_PATH"] = instance_path
    from config import normalise_database_url

    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise_database_url(url))


_schema_ready: set[str] = set()


def _clean(app) -> None:
    with app.app_context():
        _db.session.remove()
        engine = _db.engine
        tables = list(reversed(_db.metadata.sorted_tables))
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("TRUNCATE {} RESTART IDENTITY CASCADE".format(
                    ", ".join(f'"{t.name}"' for t in tables))))
            else:
                for t in tables:
                    conn.execute(t.delete())
        engine.dispose()


def pytest_generate_tests(metafunc):
    """Run every test that uses the database on SQLite and on PostgreSQL, unless it
    is marked ``sqlite_only`` (its subject is not the database) or ``postgres_only``."""
    if "database_url" in metafunc.fixturenames:
        in_browser = "tests/browser/" in str(metafunc.definition.path)
        if in_browser or metafunc.definition.get_closest_marker("sqlite_only"):
            backends = ["sqlite"]
        elif metafunc.definition.get_closest_marker("postgres_only"):
            backends = ["postgresql"]
        else:
            backends = ["sqlite", "postgresql"]
        metafunc.parametrize("database_url", backends, indirect=True)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture
def database_url(request, sqlite_url, postgres_url):
    if request.param == "sqlite":
        return sqlite_url
    url, reason = postgres_url
    if url is None:
        if _in_ci():  # CI must test PostgreSQL: an unreachable server is a failure there
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests fail instead of skipping)")
        pytest.skip(reason)
    return url


def _app_for(url, tmp_path_factory):
    app = _make_app(url, str(tmp_path_factory.getbasetemp() / "instance"))
    with app.app_context():
        if url not in _schema_ready:
            _db.drop_all()
            _db.create_all()
            _schema_ready.add(url)
    yield app
    _clean(app)


@pytest.fixture
def app(database_url, tmp_path_factory):
    """The app on SQLite, then again on PostgreSQL (see pytest_generate_tests)."""
    yield from _app_for(database_url, tmp_path_factory)


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username, password=factories.PASSWORD, follow=False):
        return self._client.post("/login", data={"username": username, "password": password},
                                 follow_redirects=follow)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def token_for(app):
    """token_for(user) -> 'Authorization' headers carrying a fresh API token."""
    from workshop.core import accounts

    def make(user):
        with app.app_context():
            secret = accounts.issue_token(_db.session.merge(user))
            _db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def staff(app):
    """One committed user per role at service point SZ01 (plus OTHER for scoping tests)."""
    with app.app_context():
        sp = factories.service_point("SZ01")
        people = {role: factories.user(role, username=role, sp=sp)
                  for role in ("receptionist", "engineer", "clerk", "manager", "admin")}
        other = factories.service_point("OT01")
        people["other_manager"] = factories.user("manager", username="other_manager", sp=other)
        _db.session.commit()
        ids = {k: v.id for k, v in people.items()}
    return ids


@pytest.fixture
def people(app, staff):
    """The ``staff`` users, loaded (role or ``other_manager`` -> User), inside an app context."""
    from models import User

    with app.app_context():
        yield {key: _db.session.get(User, uid) for key, uid in staff.items()}


@pytest.fixture
def clock():
    """The app's clock (every ``now``: models, services, sessions) set to :data:`NOW` by
    time-machine; ``clock(moment)`` moves it.  It keeps ticking from there, so events
    made one after the other stay in order."""
    with time_machine.travel(NOW, tick=True) as traveller:
        def set_now(moment: dt.datetime = NOW) -> None:
            traveller.move_to(moment)

        yield set_now
