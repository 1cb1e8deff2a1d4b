"""Issue 15, item 4: sign-in throttling per account and per client (behind ProxyFix when
configured), counted in Flask-Limiter's storage (shared through Redis); the password
policy refuses the common and the trivial."""

from __future__ import annotations

import uuid

import pytest

from config import TestingConfig
from models import ValidationError
from tests import factories
from workshop import create_app
from workshop.core import passwords
from workshop.extensions import limiter


def _login(client, username, password, ip="10.0.0.1", headers=None):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": ip}, headers=headers or {})


@pytest.fixture
def limits(app):
    limiter.reset()
    app.config.update(LOGIN_ACCOUNT_FAILURE_LIMIT="3 per minute", LOGIN_FAILURE_LIMIT="8 per minute")
    yield app
    limiter.reset()


@pytest.mark.sqlite_only
def test_failed_sign_ins_lock_the_account_not_the_counter(limits, staff):
    client = limits.test_client()
    for i in range(3):  # the guesser moves address every time: the account still closes
        assert _login(client, "clerk", "wrong-password", ip=f"10.0.1.{i}").status_code == 200
    r = _login(client, "clerk", factories.PASSWORD, ip="10.0.1.99")
    assert r.status_code == 429 and b"for this account" in r.data and int(r.headers["Retry-After"]) > 0
    # another user behind the same NAT address signs in fine
    assert _login(limits.test_client(), "engineer", factories.PASSWORD, ip="10.0.1.2").status_code == 302


@pytest.mark.sqlite_only
def test_good_sign_in_clears_the_account_count(limits, staff):
    client = limits.test_client()
    for _ in range(2):
        _login(client, "clerk", "wrong-password")
    assert _login(client, "clerk", factories.PASSWORD).status_code == 302
    other = limits.test_client()
    for _ in range(2):
        assert _login(other, "clerk", "wrong-password", ip="10.0.0.2").status_code == 200
    assert _login(other, "clerk", factories.PASSWORD, ip="10.0.0.2").status_code == 302


@pytest.mark.sqlite_only
def test_per_client_limit_spans_accounts(limits, staff):
    client = limits.test_client()
    for i in range(8):
        assert _login(client, f"nobody{i}", "wrong-password").status_code == 200
    r = _login(client, "manager", factories.PASSWORD)
    assert r.status_code == 429 and b"from here" in r.data
    assert _login(limits.test_client(), "manager", factories.PASSWORD, ip="10.9.9.9").status_code == 302


@pytest.mark.sqlite_only
def test_forwarded_for_counts_only_behind_a_configured_proxy(limits, staff, tmp_path, monkeypatch):
    # Without ProxyFix the header is ignored: every try counts against the proxy's address.
    client = limits.test_client()
    for i in range(8):
        _login(client, f"nobody{i}", "x-wrong-pw", ip="192.168.0.1", headers={"X-Forwarded-For": f"1.2.3.{i}"})
    assert _login(client, "manager", factories.PASSWORD, ip="192.168.0.1",
                  headers={"X-Forwarded-For": "5.6.7.8"}).status_code == 429
    # With PROXY_FIX_X_FOR=1 the client behind the proxy is who counts.
    limiter.reset()
    proxied = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=limits.config["SQLALCHEMY_DATABASE_URI"],
                         PROXY_FIX_X_FOR=1, LOGIN_FAILURE_LIMIT="8 per minute",
                         LOGIN_ACCOUNT_FAILURE_LIMIT="100 per minute")
    client = proxied.test_client()
    for i in range(8):
        _login(client, f"nobody{i}", "x-wrong-pw", ip="192.168.0.1", headers={"X-Forwarded-For": "1.2.3.4"})
    assert _login(client, "manager", factories.PASSWORD, ip="192.168.0.1",
                  headers={"X-Forwarded-For": "1.2.3.4"}).status_code == 429
    assert _login(client, "manager", factories.PASSWORD, ip="192.168.0.1",
                  headers={"X-Forwarded-For": "5.6.7.8"}).status_code == 302
    limiter.reset()


@pytest.mark.sqlite_only
def test_two_workers_share_the_count_through_redis(app, staff):
    """Two app instances (as two gunicorn workers would be) on the real Redis at 6379."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis is not running on 127.0.0.1:6379: {exc}")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": prefix,
                "LOGIN_ACCOUNT_FAILURE_LIMIT": "4 per minute", "LOGIN_FAILURE_LIMIT": "100 per minute"}
    # One Limiter object per process; a worker is a process, so each gets its own app
    # bound to the same storage URI.  Here both apps share the module-level limiter
    # object, so its storage is checked to be Redis and the count read from Redis itself.
    worker_a = create_app(TestingConfig, **settings)
    worker_b = create_app(TestingConfig, **settings)
    assert type(limiter.storage).__name__.lower().startswith("redis")
    try:
        for i in range(2):
            assert _login(worker_a.test_client(), "clerk", "wrong-password", ip=f"10.1.0.{i}").status_code == 200
            assert _login(worker_b.test_client(), "clerk", "wrong-password", ip=f"10.2.0.{i}").status_code == 200
        keys = redis.Redis(host="127.0.0.1", port=6379).keys(f"*{prefix}login-account*")
        assert keys, "the count is not in Redis"
        assert _login(worker_a.test_client(), "clerk", factories.PASSWORD, ip="10.3.0.1").status_code == 429
    finally:
        client = redis.Redis(host="127.0.0.1", port=6379)
        for key in client.keys(f"*{prefix}*"):
            client.delete(key)
        limiter.reset()
        # Back to memory storage for the other tests of this process.
        create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.mark.parametrize("password", ["12345678", "password", "qwertyuiop", "clerk2026", "aaaaaaaaaa",
                                      "Password1", "short"])
def test_password_policy_refuses_the_common_and_trivial(password):
    assert passwords.problems(password, username="clerk2026")


@pytest.mark.parametrize("password", ["correct-horse-9", "Brand-new-pass-42", "tuesday lantern orchid"])
def test_password_policy_accepts_good_ones(password):
    assert passwords.problems(password, username="clerk") == []


def test_create_user_and_cli_refuse_weak_passwords(app, db, runner):
    factories.service_point("SZ01")
    db.session.commit()
    with pytest.raises(ValidationError) as err:
        from workshop.core import accounts

        accounts.create_user("lina", "clerk", "password")
    assert "password" in err.value.errors
    db.session.rollback()
    r = runner.invoke(args=["users", "create", "lina", "--role", "clerk", "--password", "lina12345"])
    assert r.exit_code != 0 and "password" in r.output.lower()
