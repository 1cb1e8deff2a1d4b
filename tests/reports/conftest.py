from __future__ import annotations

import pytest

from models import db as _db
from tests import factories


@pytest.fixture
def shop(app):
    """SZ01 (Asia/Shanghai) with its people, as objects, inside an app context."""
    with app.app_context():
        sp = factories.service_point("SZ01")
        people = {name: factories.user(role, username=name, sp=sp)
                  for name, role in (("receptionist", "receptionist"), ("engineer", "engineer"),
                                     ("engineer2", "engineer"), ("qc", "engineer"), ("clerk", "clerk"),
                                     ("manager", "manager"), ("admin", "admin"))}
        _db.session.flush()
        yield sp, people
