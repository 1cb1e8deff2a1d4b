"""Finding jobs on the web (the jobs page and the header box) and the API list's items:
the same search (workshop/jobs/search.py) behind each."""

from __future__ import annotations

import re

import pytest

from models import User, db
from tests import factories
from workshop.jobs import views as job_views


def _shop(app):
    with app.app_context():
        sp, other = factories.service_point("SZ01"), factories.service_point("SZ02")
        wang = factories.customer(sp, name="王芳", phone="+8613800138000")
        lin = factories.customer(sp, name="Lin Tao", phone="+8613911112222")
        jobs = {
            "wang_old": factories.job(sp, customer=wang, fault_description="Cracked screen"),
            "wang_new": factories.job(sp, customer=wang, fault_description="Battery swells"),
            "lin": factories.job(sp, customer=lin, fault_description="No sound from the speaker"),
            "elsewhere": factories.job(other, customer=factories.customer(other, name="Lin Tao",
                                                                          phone="+8613911112222")),
        }
        db.session.commit()
        return {k: j.number for k, j in jobs.items()}


def _listed(page: str) -> list[str]:
    return re.findall(r'<tr data-job="([^"]+)"', page)


def test_the_jobs_page_lists_the_points_jobs_newest_first_and_finds_what_is_typed(app, client, auth, staff):
    n = _shop(app)
    auth.login("receptionist")
    r = client.get("/jobs/")
    assert r.status_code == 200
    assert _listed(r.get_data(as_text=True)) == [n["lin"], n["wang_new"], n["wang_old"]]  # not SZ02's
    for q, expected in [("王芳", [n["wang_new"], n["wang_old"]]), ("lin", [n["lin"]]), ("2222", [n["lin"]]),
                        ("13800138000", [n["wang_new"], n["wang_old"]]), ("speaker", [n["lin"]]),
                        (n["wang_old"].lower(), [n["wang_old"]]), ("nobody", [])]:
        page = client.get("/jobs/", query_string={"q": q}).get_data(as_text=True)
        assert _listed(page) == expected, q
    page = client.get("/jobs/", query_string={"q": "nobody"}).get_data(as_text=True)
    assert "No job here matches “nobody”." in page


def test_the_jobs_page_pages_on_with_the_query(app, client, auth, staff, monkeypatch):
    n = _shop(app)
    monkeypatch.setattr(job_views, "SEARCH_PAGE", 1)
    auth.login("receptionist")
    seen, url = [], "/jobs/?q=%E7%8E%8B%E8%8A%B3"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += _listed(page)
        nxt = re.search(r'id="jobs-next" rel="next" href="([^"]+)"', page)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
        assert len(seen) <= 2
    assert seen == [n["wang_new"], n["wang_old"]]


@pytest.mark.parametrize("query", [{"q": "x" * 101}, {"after": "-3"}, {"after": "abc"}])
def test_bad_search_input_re_renders_with_the_error(app, client, auth, staff, query):
    _shop(app)
    auth.login("receptionist")
    r = client.get("/jobs/", query_string=query)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'class="invalid-feedback' in page or "alert-warning" in page
    assert _listed(page) == []


@pytest.mark.parametrize("query", [{"after": "99999999999999999999999"}, {"q": "a\x00b"}])
def test_input_no_page_could_mean_is_refused_before_the_search(app, client, auth, staff, query):
    """A number past any id, a NUL byte: the app's request guards answer (workshop/security/guards.py)."""
    _shop(app)
    auth.login("receptionist")
    r = client.get("/jobs/", query_string=query)
    assert 400 <= r.status_code < 500 and _listed(r.get_data(as_text=True)) == []


def test_the_jobs_page_needs_a_login(app, client, staff):
    r = client.get("/jobs/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_the_header_box_opens_one_job_lists_several_and_stays_put_on_nothing(app, client, auth, staff):
    n = _shop(app)
    auth.login("receptionist")
    # A code still opens its job directly.
    r = client.get("/scan", query_string={"code": n["lin"]})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/jobs/{n['lin']}")
    # Typed text that finds one job opens it; several, the jobs page with the text.
    r = client.get("/scan", query_string={"code": "Lin Tao"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/jobs/{n['lin']}")
    r = client.get("/scan", query_string={"code": "8000"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/jobs/?q=8000")
    # Nothing: back where one was, saying what was looked for.
    r = client.get("/scan", query_string={"code": "SP01-7654321"}, headers={"Referer": "http://localhost/pickup/"})
    assert r.status_code == 302 and r.headers["Location"] == "http://localhost/pickup/"
    assert "SP01-7654321" in client.get("/pickup/").get_data(as_text=True)


def test_the_api_list_items_are_jobs_in_short_with_the_way_to_the_whole_job(app, client, staff, token_for):
    n = _shop(app)
    with app.app_context():
        desk = db.session.get(User, staff["receptionist"])
        db.session.commit()
    headers = token_for(desk)
    items = client.get("/api/v1/jobs?q=lin", headers=headers).json["items"]
    assert len(items) == 1
    item = items[0]
    assert set(item) == {"number", "status", "location", "service_point", "received_on", "promised_by",
                         "engineer", "customer", "device", "fault", "rerepair_of", "url", "label_url", "ticket_url"}
    assert item["customer"] == {"name": "Lin Tao", "phone": "+8613911112222"}
    assert item["fault"]["description"] == "No sound from the speaker" and item["service_point"] == "SZ01"
    whole = client.get(item["url"], headers=headers).json
    for key in ("number", "status", "location", "service_point", "received_on", "promised_by", "engineer",
                "rerepair_of", "label_url", "ticket_url"):
        assert whole[key] == item[key], key
    assert {k: whole["customer"][k] for k in item["customer"]} == item["customer"]
    assert {k: whole["device"][k] for k in item["device"]} == item["device"]
    assert {k: whole["fault"][k] for k in item["fault"]} == item["fault"]
    assert item["number"] == n["lin"] and "warranty" in whole and "events" in whole


def test_the_jobs_page_names_the_engineer_as_everywhere_else(app, client, auth, staff):
    """Found in review: an engineer without a display name showed as nothing."""
    with app.app_context():
        sp = factories.service_point("SZ01")
        engineer = db.session.get(User, staff["engineer"])
        engineer.display_name = ""
        job = factories.job(sp, status="repairing", engineer=engineer)
        db.session.commit()
        number, label = job.number, engineer.label
    assert label
    auth.login("receptionist")
    page = client.get("/jobs/").get_data(as_text=True)
    row = page[page.index(f'<tr data-job="{number}"'):]
    assert f"<td>{label}</td>" in row[:row.index("</tr>")]
