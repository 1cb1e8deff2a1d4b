"""Config, sign-in, tokens, errors, CLI and health: the foundation through its public surfaces."""

import pytest

from config import ProductionConfig, TestingConfig, normalise_database_url
from models import AuditEvent, User, db
from workshop import create_app


def test_plain_postgresql_url_uses_installed_driver():
    url = normalise_database_url("postgresql://u@h/db")
    assert url in ("postgresql://u@h/db", "postgresql+psycopg://u@h/db")
    assert normalise_database_url("postgres://u@h/db").startswith("postgresql")
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=None, SQLALCHEMY_DATABASE_URI="sqlite://")
    app = create_app(ProductionConfig, SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.sqlite_only
def test_sqlite_runs_wal_with_foreign_keys(app):
    with app.app_context():
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(db.text("PRAGMA foreign_keys")).scalar() == 1


def test_health(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok", "database": "ok"}


def test_login_logout_and_next(client, auth, staff):
    r = client.get("/jobs/SZ01-000001")
    assert r.status_code == 302 and "/login?next=" in r.headers["Location"]
    r = auth.login("receptionist", "wrong-password")
    assert r.status_code == 200 and b"Wrong username or password" in r.data
    r = client.post("/login", data={"username": "receptionist", "password": "correct-horse-9",
                                    "next": "https://evil.example/steal"})
    assert r.headers["Location"] == "/"
    auth.logout()
    r = client.post("/login", data={"username": "receptionist", "password": "correct-horse-9",
                                    "next": "/admin/users"})
    assert r.headers["Location"] == "/admin/users"
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_sign_in(client, auth, staff, app):
    with app.app_context():
        db.session.get(User, staff["engineer"]).active = False
        db.session.commit()
    r = auth.login("engineer")
    assert r.status_code == 200 and b"disabled" in r.data


def test_password_is_hashed_and_login_audited(client, auth, staff, app):
    auth.login("clerk")
    with app.app_context():
        u = db.session.get(User, staff["clerk"])
        assert "correct-horse-9" not in u.password_hash and u.password_hash.startswith("pbkdf2:")
        u.set_password("another-pass-1")
        assert u.password_hash.startswith("scrypt:") and u.check_password("another-pass-1")
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.login"))


def test_api_token_auth(client, staff, app, token_for):
    with app.app_context():
        user = db.session.get(User, staff["engineer"])
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    assert r.json["status"] == 401 and r.json["title"]
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    r = client.get("/api/v1/me", headers=token_for(user))
    assert r.status_code == 200 and r.json["username"] == "engineer" and r.json["service_point"] == "SZ01"


def test_problem_json_and_html_errors(client, auth, staff):
    auth.login("engineer")
    r = client.get("/admin/users")
    assert r.status_code == 403 and b"Forbidden" in r.data and r.mimetype == "text/html"
    r = client.get("/admin/users", headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json["status"] == 404
    r = client.get("/jobs/SZ01-999999")
    assert r.status_code == 404 and b"There is no job" in r.data


def test_openapi_document(client, staff, app, token_for):
    with app.app_context():
        user = db.session.get(User, staff["manager"])
    r = client.get("/api/v1/openapi.json", headers=token_for(user))
    assert r.status_code == 200 and r.json["openapi"].startswith("3.")
    assert "/api/v1/me" in r.json["paths"]


def test_cli_service_points_users_token(runner, app):
    r = runner.invoke(args=["service-points", "create", "BJ02", "--name", "北京朝阳"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["service-points", "create", "BJ02", "--name", "dup"])
    assert r.exit_code != 0 and "already exists" in r.output
    r = runner.invoke(args=["users", "create", "lina", "--role", "receptionist", "--password", "longenough1"])
    assert r.exit_code == 0 and "at BJ02" in r.output
    r = runner.invoke(args=["users", "create", "bob", "--role", "clerk", "--password", "short"])
    assert r.exit_code != 0 and "8 characters" in r.output
    r = runner.invoke(args=["users", "create", "zz", "--role", "engineer", "--password", "longenough1",
                            "--service-point", "NOPE"])
    assert r.exit_code != 0 and "no service point NOPE" in r.output
    r = runner.invoke(args=["users", "token", "lina"])
    assert r.exit_code == 0
    token = r.output.strip().splitlines()[-1]
    client = app.test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json["username"] == "lina"


def test_seed_demo_is_repeatable(runner, app):
    r = runner.invoke(args=["seed-demo"])
    assert r.exit_code == 0 and "reception" in r.output
    r2 = runner.invoke(args=["seed-demo"])
    assert r2.exit_code == 0 and "already exist" in r2.output
    with app.app_context():
        roles = {u.role for u in db.session.scalars(db.select(User))}
    assert roles == {"receptionist", "engineer", "clerk", "manager", "admin"}
    with app.app_context():
        from models import Job

        assert db.session.scalar(db.select(db.func.count(Job.id))) == 0  # as CONTRACT.md lists
    r3 = runner.invoke(args=["seed-demo", "--with-jobs"])
    assert r3.exit_code == 0 and "ready for pickup" in r3.output
    with app.app_context():
        jobs = db.session.scalars(db.select(Job).order_by(Job.id)).all()
        # made through intake, assignment and the workflow: a handset at each step
        assert [j.status for j in jobs] == ["received", "diagnosing", "repairing", "ready", "collected",
                                            "collected"]
        assert all(j.tac_known for j in jobs) and jobs[3].events[-1].data.get("qc")
        # after-sales demo: both collected handsets have their pickup call, one answered;
        # one complaint, answered, on the second
        from models.aftercare import Complaint, FollowUp

        calls = db.session.scalars(db.select(FollowUp).order_by(FollowUp.id)).all()
        assert [c.job_id for c in calls] == [jobs[4].id, jobs[5].id]
        assert calls[0].satisfaction == 5 and calls[1].satisfaction is None
        (complaint,) = db.session.scalars(db.select(Complaint)).all()
        assert complaint.job_id == jobs[5].id and complaint.responded_at is not None


@pytest.mark.sqlite_only
def test_csrf_is_enforced_on_forms(tmp_path, monkeypatch, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    from config import TestingConfig

    csrf_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=True)
    r = csrf_app.test_client().post("/login", data={"username": "x", "password": "y"})
    assert r.status_code == 400 and b"CSRF" in r.data


def test_manager_cannot_create_admin_or_touch_other_service_point(client, auth, staff, app):
    auth.login("manager")
    with app.app_context():
        from workshop.core import accounts

        sp = accounts.service_point_by_code("SZ01")
    r = client.post("/admin/users/new", data={"username": "newadmin", "role": "admin",
                                              "service_point": sp.id, "password": "longenough1"})
    assert r.status_code == 200 and b"Only an admin" in r.data
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.username == "newadmin")) is None
    r = client.get(f"/admin/users/{staff['other_manager']}")
    assert r.status_code == 403
    r = client.post("/admin/users/new", data={"username": "newrecep", "role": "receptionist",
                                              "service_point": sp.id, "password": "longenough1"})
    assert r.status_code == 302


def test_service_point_settings_validate_and_audit(client, auth, staff, app):
    auth.login("manager")
    r = client.get("/admin/service-points/SZ01/settings")
    assert r.status_code == 200 and b"62 x 29 mm" in r.data
    bad = {"name": "SZ", "timezone": "Mars/Base", "label_size": "62x29", "receipt_format": "a5",
           "printer_dpi": "203", "repair_warranty_days": "90", "reminder_after_days": "7"}
    r = client.post("/admin/service-points/SZ01/settings", data=bad)
    assert r.status_code == 200 and b"not an IANA timezone" in r.data
    good = dict(bad, timezone="Asia/Shanghai", label_size="57x32", receipt_format="80mm", printer_dpi="300")
    r = client.post("/admin/service-points/SZ01/settings", data=good)
    assert r.status_code == 302
    with app.app_context():
        from workshop.core import accounts

        sp = accounts.service_point_by_code("SZ01")
        assert (sp.label_size, sp.receipt_format, sp.printer_dpi) == ("57x32", "80mm", 300)
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "service_point.update"))
    assert client.get("/admin/service-points/OT01/settings").status_code == 403


def test_concurrent_change_of_a_job_is_a_conflict_not_a_crash(app, staff):
    """Job rows are versioned: the later of two writers gets 409, not a 500."""
    from flask import Blueprint

    from tests import factories
    from workshop.sqlite_tx import writes

    with app.app_context():
        number = factories.job().number
        db.session.commit()

    bp = Blueprint("stale_probe", __name__)

    @bp.route("/_stale_probe/<number>")
    @writes  # a GET that writes must say so (workshop/sqlite_tx.py)
    def probe(number):
        from models import Job

        job = db.session.scalar(db.select(Job).where(Job.number == number))
        # another worker commits a change to the same row meanwhile
        db.session.execute(db.update(Job).where(Job.id == job.id).values(version=Job.version + 1)
                           .execution_options(synchronize_session=False))
        job.colour = "red"
        db.session.commit()
        return "saved"

    app.register_blueprint(bp)
    from workshop.permissions import rules as permissions

    permissions.ENDPOINT_RULES["stale_probe.probe"] = permissions.PUBLIC
    try:
        r = app.test_client().get(f"/_stale_probe/{number}", headers={"Accept": "application/json"})
    finally:
        del permissions.ENDPOINT_RULES["stale_probe.probe"]
    assert r.status_code == 409 and "Someone else changed" in r.json["detail"]


def test_failed_sign_ins_are_limited_per_client(client, auth, staff, app):
    """Guessing passwords is slowed down; good sign-ins never count against the limit."""
    from workshop.extensions import limiter

    app.config["LOGIN_FAILURE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        for _ in range(5):  # successful sign-ins are not deducted
            assert auth.login("clerk").status_code == 302
            auth.logout()
        for _ in range(3):
            assert auth.login("clerk", "wrong-password").status_code == 200
        r = auth.login("clerk", "wrong-password")
        assert r.status_code == 429 and b"Too many failed sign-ins" in r.data
        assert auth.login("clerk").status_code == 429  # the door stays shut for this client a while
    finally:
        limiter.reset()


def test_a_production_worker_keeps_what_start_up_made_out_of_full_collections(tmp_path, monkeypatch):
    """gc.freeze() at the end of a production create_app(): the collector's full passes
    then skip the modules, mappers and app objects (a tail-latency spike otherwise)."""
    import gc

    monkeypatch.setenv("WORKSHOP_INSTANCE_PATH", str(tmp_path))
    gc.unfreeze()
    try:
        create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
        assert gc.get_freeze_count() == 0
        create_app(ProductionConfig, SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI="sqlite://")
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
