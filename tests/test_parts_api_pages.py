"""GET /api/v1/parts reads the catalogue a page at a time (keyset on the SKU)."""

import pytest

from models import User, db
from tests import factories


@pytest.fixture
def clerk(app, staff, token_for):
    with app.app_context():
        user = db.session.get(User, staff["clerk"])
    return token_for(user)


def test_the_catalogue_comes_in_pages_that_join_up(app, client, clerk):
    with app.app_context():
        for i in range(5):
            factories.part(f"PG-{i}", stock=0 if i % 2 else 5, reorder_point=1)
        db.session.commit()
    seen, url, pages = [], "/api/v1/parts?limit=2", 0
    while url:
        r = client.get(url, headers=clerk)
        assert r.status_code == 200, r.json
        assert len(r.json["items"]) <= 2
        seen += [p["sku"] for p in r.json["items"]]
        url, pages = r.json["next"], pages + 1
    assert seen == ["PG-0", "PG-1", "PG-2", "PG-3", "PG-4"] and pages == 3
    first = client.get("/api/v1/parts", headers=clerk).json
    assert [p["sku"] for p in first["items"]] == seen and first["next"] is None
    low = client.get("/api/v1/parts?low_stock=true&limit=3", headers=clerk).json
    assert [p["sku"] for p in low["items"]] == ["PG-1"] and low["next"].endswith("after=PG-2")
    r = client.get("/api/v1/parts?limit=0", headers=clerk)
    assert r.status_code == 422 and "limit" in r.json["errors"]
