"""Parts refusals in the API reader's language (Accept-Language); English by default."""

import pytest
from sqlalchemy import func, select

from models import Part, User, db

NEW_PART = {"sku": "scr-ip13", "name": "iPhone 13 屏幕总成", "price": "899.00", "cost": "420.00"}


@pytest.fixture
def manager(app, staff, token_for):
    with app.app_context():
        user = db.session.get(User, staff["manager"])
    return token_for(user)


@pytest.mark.parametrize(("language", "message", "title"), [
    ("zh-CN,zh;q=0.9", "SCR-IP13 已在备件目录中。", "输入有误"),
    ("en-US,en;q=0.9", "SCR-IP13 is already in the catalogue.", "Invalid input"),
])
def test_a_taken_sku_is_refused_in_the_reader_s_language(client, app, manager, language, message, title):
    assert client.post("/api/v1/parts", json=NEW_PART, headers=manager).status_code == 201
    r = client.post("/api/v1/parts", json=NEW_PART, headers={**manager, "Accept-Language": language})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    assert r.json["title"] == title
    assert r.json["errors"]["sku"] == [message]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Part)) == 1
