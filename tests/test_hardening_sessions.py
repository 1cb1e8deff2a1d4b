"""Issue 15, item 2: sessions that end (sign-out, password change, admin reset) and API
tokens that can be listed and revoked by their owner and an admin (pages, API, CLI)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import ApiToken, AuditEvent, User, db
from tests import factories

PW = factories.PASSWORD


def _login(app, username, password=PW, remember=False):
    client = app.test_client()
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    r = client.post("/login", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return client


def _signed_in(client) -> bool:
    r = client.get("/", headers={"Accept": "text/html"})
    return r.status_code == 200


def _user(app, name):
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == name))


def test_sign_out_ends_the_session_server_side(app, staff):
    client = _login(app, "engineer")
    stolen = client.get_cookie("session").value
    assert _signed_in(client)
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert not _signed_in(thief)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.sessions_ended"))


def test_remember_me_lasts_two_weeks_and_ends_at_sign_out(app, staff):
    client = _login(app, "engineer", remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    lifetime = cookie.expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=13) < lifetime <= dt.timedelta(days=28)
    remembered = cookie.value
    client.post("/logout")
    other = app.test_client()
    other.set_cookie("remember_token", remembered)
    assert not _signed_in(other)


def test_cli_password_ends_sessions_and_revokes_tokens(app, staff, token_for, runner):
    client = _login(app, "engineer")
    headers = token_for(_user(app, "engineer"))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    r = runner.invoke(args=["users", "password", "engineer", "--password", "Brand-new-pass-42"])
    assert r.exit_code == 0, r.output
    assert not _signed_in(client)
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    _login(app, "engineer", "Brand-new-pass-42")


def test_admin_password_reset_ends_sessions_and_revokes_tokens(app, staff, token_for):
    victim = _login(app, "clerk")
    headers = token_for(_user(app, "clerk"))
    admin = _login(app, "admin")
    r = admin.post(f"/admin/users/{staff['clerk']}", data={
        "username": "clerk", "display_name": "clerk", "role": "clerk", "password": "Reset-by-admin-77",
        "active": "y", "brands": ""})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert not _signed_in(victim)
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401


def test_tokens_listed_and_revoked_by_owner_over_the_api(app, staff, token_for):
    engineer = _user(app, "engineer")
    mine = token_for(engineer)
    spare = token_for(engineer)
    client = app.test_client()
    r = client.get("/api/v1/tokens", headers=mine)
    assert r.status_code == 200 and len(r.json["items"]) == 2
    spare_id = next(t["id"] for t in r.json["items"] if spare["Authorization"][7:].startswith(t["prefix"]))
    assert client.delete(f"/api/v1/tokens/{spare_id}", headers=mine).status_code == 204
    assert client.get("/api/v1/me", headers=spare).status_code == 401
    assert client.get("/api/v1/me", headers=mine).status_code == 200
    # someone else's token: refused
    other = token_for(_user(app, "clerk"))
    mine_id = next(t["id"] for t in client.get("/api/v1/tokens", headers=mine).json["items"] if not t["revoked_at"])
    assert client.delete(f"/api/v1/tokens/{mine_id}", headers=other).status_code == 403
    assert client.get("/api/v1/tokens?username=engineer", headers=other).status_code == 403
    # an admin lists and revokes it
    admin = token_for(_user(app, "admin"))
    assert len(client.get("/api/v1/tokens?username=engineer", headers=admin).json["items"]) == 2
    assert client.delete(f"/api/v1/tokens/{mine_id}", headers=admin).status_code == 204
    assert client.get("/api/v1/me", headers=mine).status_code == 401
    assert client.delete("/api/v1/tokens/2147483648", headers=admin).status_code == 404


def test_tokens_pages_for_owner_and_admin(app, staff, token_for):
    token_for(_user(app, "engineer"))
    owner = _login(app, "engineer")
    page = owner.get("/account/tokens")
    assert page.status_code == 200 and "data-token-id" in page.get_data(as_text=True)
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        token_id = token.id
    admin = _login(app, "admin")
    assert admin.get(f"/admin/users/{staff['engineer']}/tokens").status_code == 200
    assert owner.get(f"/admin/users/{staff['clerk']}/tokens").status_code == 403
    r = admin.post(f"/tokens/{token_id}/revoke")
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is not None
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "token.revoke"))


def test_cli_lists_and_revokes_tokens(app, staff, token_for, runner):
    headers = token_for(_user(app, "engineer"))
    r = runner.invoke(args=["users", "tokens", "engineer"])
    assert r.exit_code == 0 and "active" in r.output
    token_id = r.output.split("\t", 1)[0]
    r = runner.invoke(args=["users", "revoke-token", "engineer", "--id", token_id])
    assert r.exit_code == 0, r.output
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    token_for(_user(app, "engineer"))
    r = runner.invoke(args=["users", "revoke-token", "engineer", "--all"])
    assert r.exit_code == 0 and "1 token" in r.output
    assert runner.invoke(args=["users", "revoke-token", "engineer"]).exit_code != 0
