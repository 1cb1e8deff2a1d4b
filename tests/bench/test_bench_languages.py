"""Workflow refusals in the user's language on the bench pages and in the API; the
event notes a move stores stay English whatever the reader's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Job, User, ValidationError, db
from tests import factories
from workshop.core import money


@pytest.fixture
def job_number(app, staff):
    with app.app_context():
        sp = factories.service_point("SZ01")
        number = factories.job(sp, fault_category="screen",
                               customer=factories.customer(sp, phone="+8613900001111")).number
        db.session.commit()
    return number


def _chinese(app, staff, role):
    with app.app_context():
        db.session.get(User, staff[role]).locale = "zh_Hans"
        db.session.commit()


def _status(app, number):
    with app.app_context():
        return db.session.scalar(select(Job.status).where(Job.number == number))


def test_a_workflow_refusal_is_flashed_in_chinese(app, client, auth, staff, job_number):
    _chinese(app, staff, "receptionist")
    auth.login("receptionist")
    page = client.post(f"/bench/jobs/{job_number}/move", data={"to": "ready"}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "状态为“已受理”的维修单不能改为“待取机”。可改为：检测中, 已取消。" in text
    assert "cannot move to" not in text and "“received”" not in text
    page = client.post(f"/bench/jobs/{job_number}/move", data={"to": "diagnosing"}, follow_redirects=True)
    assert "您的角色（前台接待）不能将维修单从“已受理”改为“检测中”。" in page.get_data(as_text=True)
    assert _status(app, job_number) == "received"


def test_a_missing_reason_is_shown_beside_the_field_in_chinese(app, client, auth, staff, job_number):
    _chinese(app, staff, "receptionist")
    auth.login("receptionist")
    r = client.post(f"/bench/jobs/{job_number}/move", data={"to": "cancelled", "note": ""})
    assert r.status_code == 422
    assert "取消维修单须填写原因。" in r.get_data(as_text=True)
    assert _status(app, job_number) == "received"


def test_the_english_page_keeps_the_english_refusal(app, client, auth, staff, job_number):
    auth.login("receptionist")
    r = client.post(f"/bench/jobs/{job_number}/move", data={"to": "cancelled", "note": ""})
    assert "Cancelling needs a reason." in r.get_data(as_text=True)
    assert "取消" not in r.get_data(as_text=True)


@pytest.mark.parametrize(("language", "detail"), [
    ("zh-CN", "状态为“已受理”的维修单不能改为“待取机”。可改为：检测中, 已取消。"),
    ("en-GB", "A job that is “Received” cannot move to “Ready for pickup”. Allowed: Diagnosing, Cancelled."),
])
def test_an_api_workflow_refusal_speaks_the_accept_language(app, staff, token_for, job_number, language, detail):
    with app.app_context():
        manager = db.session.get(User, staff["manager"])
    headers = token_for(manager)
    r = app.test_client().post(f"/api/v1/jobs/{job_number}/status", json={"to": "ready"},
                               headers={**headers, "Accept-Language": language})
    assert r.status_code == 409
    assert r.json["detail"] == detail
    assert _status(app, job_number) == "received"


def test_the_stored_cancel_note_stays_as_typed_and_amounts_refused_in_chinese(app, client, auth, staff, job_number):
    _chinese(app, staff, "receptionist")
    auth.login("receptionist")
    client.post(f"/bench/jobs/{job_number}/move", data={"to": "cancelled", "note": "customer left"})
    assert _status(app, job_number) == "cancelled"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        with pytest.raises(ValidationError) as exc:
            money.parse_money("12.345", "estimate")
        assert exc.value.errors == {"estimate": ["最多两位小数。"]}
        assert money.parse_money("12.34", "estimate") == Decimal("12.34")


def test_an_assignment_note_stays_english_while_the_refusal_speaks_chinese(app, staff):
    from models import JobEvent, PermissionDenied
    from workshop.bench import assignment

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        sp = factories.service_point("SZ01")
        manager = db.session.get(User, staff["manager"])
        novice = factories.user("engineer", username="novice", sp=sp, engineer_level=1)
        job = factories.job(sp, fault_category="liquid", liquid_damage=True, brand="Apple",
                            customer=factories.customer(sp, phone="+8613900002222"))
        db.session.flush()
        with pytest.raises(PermissionDenied) as refused:
            assignment.claim(job, novice)
        assert "请让站长分派。" in refused.value.message
        assert "主板级维修" in refused.value.message
        event = assignment.assign(job, novice, manager)
        assert isinstance(event, JobEvent)
        assert "Not qualified:" in event.note
        assert "(board-level work)." in event.note
        assert "主板" not in event.note
        db.session.rollback()
