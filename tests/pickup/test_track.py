"""The public status page: /track/{number}?phone_last4= (no sign-in)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Job, User, db
from tests import factories
from workshop.pickup import collection as pickup_service


@pytest.fixture
def numbers(app):
    """A job in repair for a Chinese-speaking customer, a ready one for an English-speaking one."""
    with app.app_context():
        sp = factories.service_point("SZ01", phone="+86 755 1234 5678")
        repairing = factories.job(sp, status="repairing",
                                  customer=factories.customer(sp, name="王芳", phone="+8613800138000"))
        ready = factories.ready_job(sp, customer=factories.customer(sp, name="Ann Lee", phone="+447700900123",
                                                                   locale="en", email="ann@example.com"))
        db.session.commit()
        return repairing.number, ready.number


def test_right_digits_show_status_and_promise_without_personal_data(client, numbers):
    repairing, _ready = numbers
    r = client.get(f"/track/{repairing}?phone_last4=8000")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-status="repairing"' in page
    assert "您的机器正在维修" in page  # the customer's language: a +86 number
    assert 'id="track-initial">王**<' in page
    assert "芳" not in page and "8000" not in page.split("</header>")[1] and "352099001761481" not in page
    assert "13800138000" not in page
    assert r.headers["Cache-Control"] == "no-store"


def test_customer_language_and_explicit_choice(client, numbers):
    _repairing, ready = numbers
    page = client.get(f"/track/{ready}?phone_last4=0123").get_data(as_text=True)
    assert "Your handset is ready for pickup." in page and "What to bring" in page
    assert 'id="track-initial">A**<' in page and "Ann" not in page
    page = client.get(f"/track/{ready}?phone_last4=0123&lang=zh_Hans").get_data(as_text=True)
    assert "您的机器已可取机" in page


def test_wrong_digits_look_exactly_like_a_job_that_does_not_exist(client, numbers):
    repairing, _ready = numbers
    wrong = client.get(f"/track/{repairing}?phone_last4=1234")
    missing = client.get("/track/SZ01-999999?phone_last4=1234")
    assert wrong.status_code == missing.status_code == 404
    assert wrong.get_data(as_text=True).replace(repairing, "N") == missing.get_data(as_text=True).replace(
        "SZ01-999999", "N")
    assert "repairing" not in wrong.get_data(as_text=True)


def test_the_form_asks_for_number_and_digits(client, numbers):
    repairing, _ready = numbers
    page = client.get("/track", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "查询维修进度" in page
    r = client.get(f"/track?number={repairing.lower()}&phone_last4=8000")
    assert r.status_code == 302 and f"/track/{repairing}?phone_last4=8000" in r.headers["Location"]
    r = client.get(f"/track?number={repairing}&phone_last4=80")
    assert r.status_code == 200 and "Enter the last 4 digits." in r.get_data(as_text=True)
    r = client.get(f"/track/{repairing}")
    assert r.status_code == 200 and f'value="{repairing}"' in r.get_data(as_text=True)
    assert client.get(f"/track/{repairing}?phone_last4=abcd").status_code == 422


def test_collected_after_pickup(app, client, numbers, staff):
    _repairing, ready = numbers
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.number == ready))
        pickup_service.collect(job, db.session.get(User, staff["receptionist"]),
                               verification=pickup_service.Verification(method="stub",
                                                                         stub_code=f"{ready}-{job.stub_token}"))
        db.session.commit()
    page = client.get(f"/track/{ready}?phone_last4=0123").get_data(as_text=True)
    assert 'data-status="collected"' in page and "Your handset was collected." in page
    assert "Repair warranty until" in page


def test_lookups_are_rate_limited_per_client(app, client, numbers):
    repairing, _ready = numbers
    app.config["TRACK_RATE_LIMIT"] = "5 per minute"
    codes = [client.get(f"/track/{repairing}?phone_last4={n:04d}").status_code for n in range(5)]
    assert codes == [404, 404, 404, 404, 404]
    assert client.get(f"/track/{repairing}?phone_last4=8000").status_code == 429
    other = client.get(f"/track/{repairing}?phone_last4=8000", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_translations_compile_on_a_fresh_checkout(tmp_path):
    import shutil
    from pathlib import Path

    from babel.support import Translations

    from workshop.i18n import compile_catalogs

    source = Path(__file__).resolve().parents[2] / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
    target = tmp_path / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(source, target / "messages.po")
    assert compile_catalogs(tmp_path) == [target / "messages.mo"]
    assert compile_catalogs(tmp_path) == []  # up to date: not written again
    zh = Translations.load(str(tmp_path), ["zh_Hans"])
    assert zh.gettext("Ready for pickup") == "待取机"
