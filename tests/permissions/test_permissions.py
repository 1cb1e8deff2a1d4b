"""Walk every registered route with every role (and anonymous) and compare the
answer with workshop.permissions.  A new route without a rule fails here."""

import pytest
from werkzeug.routing import IntegerConverter

from workshop.permissions.rules import LOGIN, PUBLIC, can, rule_for

ROLES = ("receptionist", "engineer", "clerk", "manager", "admin")
SKIP_METHODS = {"HEAD", "OPTIONS"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        values = {}
        for arg, conv in rule._converters.items():
            values[arg] = 999999 if isinstance(conv, IntegerConverter) else "ZZ99-999999"
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - SKIP_METHODS):
            yield rule.endpoint, method, url


@pytest.mark.sqlite_only
def test_every_route_has_a_rule(app):
    missing = [(e, m) for e, m, _ in _routes(app) if rule_for(e, m) is None]
    assert missing == [], f"endpoints without a permission rule in workshop/permissions.py: {missing}"


class _Role:
    def __init__(self, role):
        self.role = role
        self.is_authenticated = True


@pytest.mark.sqlite_only
@pytest.mark.parametrize("who", (None, *ROLES))
def test_answers_match_the_permission_table(app, staff, who):
    client = app.test_client()
    if who:
        r = client.post("/login", data={"username": who, "password": "correct-horse-9"})
        assert r.status_code == 302, f"{who} could not sign in"
    mismatches = []
    for endpoint, method, url in _routes(app):
        if endpoint == "auth.logout":
            continue  # would end this client's session mid-walk; covered in test_foundation
        rule = rule_for(endpoint, method)
        response = client.open(url, method=method, headers={"Accept": "text/html"})
        code = response.status_code
        to_login = code == 302 and "/login" in response.headers.get("Location", "")
        if rule == PUBLIC:
            ok = code not in (401, 403) and not to_login
        elif who is None:
            ok = code == 401 or to_login
        else:
            allowed = can(_Role(who), rule) if rule != LOGIN else True
            ok = (code not in (401, 403) and not to_login) if allowed else code == 403
        if not ok:
            mismatches.append(f"{method} {url} ({endpoint}, rule {rule}) as {who or 'anonymous'}: {code}")
    assert mismatches == []


@pytest.mark.sqlite_only
def test_the_users_list_offers_edit_only_where_the_reader_may_manage(client, auth, staff):
    # A manager manages the non-admin accounts of their service points: no "Edit" that
    # would answer 403 on the admin's account.
    auth.login("manager")
    page = client.get("/admin/users").text
    assert f'/admin/users/{staff["receptionist"]}"' in page
    assert f'/admin/users/{staff["admin"]}"' not in page
    auth.logout()
    auth.login("admin")
    assert f'/admin/users/{staff["admin"]}"' in client.get("/admin/users").text
