"""Intake refusals in the reader's language: the page in the user's language, the API
problem in the Accept-Language one; English stays the default."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Job, User, db
from tests.intake.test_intake_api import body
from tests.intake.test_intake_views import form_data

BAD_CHECK_DIGIT = "352099001761482"  # 352099001761481 with the last digit mistyped
ZH_BAD_CHECK_DIGIT = "校验位不对：35209900176148 之后应为 1，而不是 2。"
EN_BAD_CHECK_DIGIT = "The check digit is wrong: after 35209900176148 it should be 1, not 2."


@pytest.fixture(autouse=True)
def _at_ten_in_shanghai(clock):
    """Every test here runs at conftest's clock."""


@pytest.fixture
def api_client(app, staff, token_for):
    with app.app_context():
        user = db.session.get(User, staff["receptionist"])
    return app.test_client(), token_for(user)


def _jobs(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Job))


def test_a_bad_imei_on_the_chinese_intake_page_is_explained_in_chinese(app, client, auth, staff):
    auth.login("receptionist")
    with app.app_context():
        db.session.get(User, staff["receptionist"]).locale = "zh_Hans"
        db.session.commit()
    page = client.post("/intake", data=form_data(device_imei=BAD_CHECK_DIGIT)).get_data(as_text=True)
    assert ZH_BAD_CHECK_DIGIT in page
    assert "The check digit is wrong" not in page
    assert _jobs(app) == 0


def test_the_english_intake_page_keeps_the_english_message(app, client, auth, staff):
    auth.login("receptionist")
    page = client.post("/intake", data=form_data(device_imei=BAD_CHECK_DIGIT)).get_data(as_text=True)
    assert EN_BAD_CHECK_DIGIT in page
    assert "校验位" not in page


def test_a_user_typed_value_in_a_translated_message_is_still_escaped(app, client, auth, staff):
    auth.login("receptionist")
    page = client.post("/intake", data=form_data(device_imei="<b>12</b>"), headers={"Accept-Language": "zh-CN"})
    page = page.get_data(as_text=True)
    assert "IMEI 只由数字组成" in page
    assert "<b>12</b>" not in page and "&lt;b&gt;12&lt;/b&gt;" in page


@pytest.mark.parametrize(("language", "expected", "title"), [
    ("zh-CN", ZH_BAD_CHECK_DIGIT, "输入有误"),
    ("zh-Hans;q=0.9, en;q=0.5", ZH_BAD_CHECK_DIGIT, "输入有误"),
    ("en", EN_BAD_CHECK_DIGIT, "Invalid input"),
    (None, EN_BAD_CHECK_DIGIT, "Invalid input"),
])
def test_the_api_problem_speaks_the_accept_language(app, api_client, language, expected, title):
    client, headers = api_client
    if language:
        headers = {**headers, "Accept-Language": language}
    r = client.post("/api/v1/jobs", json=body(**{"device.imei": BAD_CHECK_DIGIT}), headers=headers)
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert r.json["title"] == title
    assert r.json["errors"]["device.imei"][0].startswith(expected)
    assert _jobs(app) == 0


def test_an_api_client_whose_user_chose_chinese_still_gets_its_accept_language(app, api_client, staff):
    client, headers = api_client
    with app.app_context():
        db.session.get(User, staff["receptionist"]).locale = "zh_Hans"
        db.session.commit()
    r = client.post("/api/v1/jobs", json=body(**{"device.imei": BAD_CHECK_DIGIT}),
                    headers={**headers, "Accept-Language": "en"})
    assert r.json["errors"]["device.imei"][0].startswith(EN_BAD_CHECK_DIGIT)


def test_the_cli_and_other_work_outside_a_request_stay_english(app):
    from workshop.intake.devices import imei

    with app.app_context():
        assert imei.check(BAD_CHECK_DIGIT).reason.startswith(EN_BAD_CHECK_DIGIT)
    assert imei.check("0" * 15).reason.startswith("The IMEI reads as all zeros")


def test_a_bad_phone_number_is_explained_in_the_page_s_language(app, client, auth, staff):
    auth.login("receptionist")
    zh = client.post("/intake", data=form_data(customer_phone="12345"), headers={"Accept-Language": "zh-CN"})
    assert "“12345”不是有效的电话号码（不带国家代码的号码按 CN 解读）。" in zh.get_data(as_text=True)
    en = client.post("/intake", data=form_data(customer_phone="12345"))
    assert "'12345' is not a valid phone number (numbers without a country code are read as CN)." in \
        en.get_data(as_text=True).replace("&#39;", "'")
    assert _jobs(app) == 0


@pytest.mark.sqlite_only
def test_the_chinese_intake_page_says_受理_once_and_asks_for_a_persons_name(app, client, auth, staff):
    auth.login("receptionist")
    with app.app_context():
        db.session.get(User, staff["receptionist"]).locale = "zh_Hans"
        db.session.commit()
    page = client.get("/intake").get_data(as_text=True)
    assert "受理 受理" not in page and 'fs-5">受理' not in page
    assert "姓名" in page and ">名称<" not in page
    auth.logout()
    auth.login("manager")
    assert 'fs-5">受理' in client.get("/intake").get_data(as_text=True)  # English page: the counter's word beside it
