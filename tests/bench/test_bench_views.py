"""The bench pages through the client: my queue, the bench board, and the workbench
panel on the job page (buttons only for the moves this user may make now)."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest

from models import Job, User, db
from tests import factories
from workshop.jobs import workflow

_phones = itertools.count(13600000000)


@pytest.fixture
def bench(app, staff):
    with app.app_context():
        sp = factories.service_point("SZ01")
        factories.user("engineer", username="engineer2", sp=sp, engineer_level=2, display_name="Chen Jie")
        db.session.commit()

    class Bench:
        def job(self, **kwargs) -> str:
            with app.app_context():
                sp = factories.service_point(kwargs.pop("sp", "SZ01"))
                engineer = kwargs.pop("engineer", None)
                if engineer:
                    kwargs["engineer"] = db.session.scalar(db.select(User).where(User.username == engineer))
                kwargs.setdefault("fault_category", "screen")
                kwargs.setdefault("customer", factories.customer(sp, phone=f"+86{next(_phones)}"))
                number = factories.job(sp, **kwargs).number
                db.session.commit()
            return number

        def job_row(self, number):
            with app.app_context():
                job = db.session.scalar(db.select(Job).where(Job.number == number))
                return {"status": job.status, "engineer": job.engineer.username if job.engineer else None,
                        "events": [(e.kind, e.to_status, e.actor.username if e.actor else None, e.data)
                                   for e in job.events]}

    return Bench()


def _moves(html: str) -> set[str]:
    return set(re.findall(r'data-move="([a-z_]+)"', html))


def _page(client, number) -> str:
    r = client.get(f"/jobs/{number}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


# --- the workbench on the job page ---------------------------------------------------


@pytest.mark.parametrize(("who", "moves", "forms"), [
    ("engineer", {"diagnosing", "cancelled"}, {"move-form"}),
    ("engineer2", set(), set()),  # not their job
    ("receptionist", {"cancelled"}, {"move-form"}),
    ("manager", {"diagnosing", "cancelled"}, {"move-form", "assign-form"}),
    ("clerk", set(), set()),
])
def test_buttons_only_for_the_moves_this_user_may_make_now(client, auth, bench, who, moves, forms):
    number = bench.job(engineer="engineer")
    auth.login(who)
    html = _page(client, number)
    assert _moves(html) == moves
    shown = {f for f in ("move-form", "assign-form", "diagnosis-form", "qc-form") if f'id="{f}"' in html}
    assert shown == forms


def test_step_forms_follow_the_status(client, auth, bench):
    auth.login("engineer")
    assert 'id="diagnosis-form"' in _page(client, bench.job(status="diagnosing", engineer="engineer"))
    html = _page(client, bench.job(status="repairing", engineer="engineer"))
    assert 'id="repair-form"' in html and _moves(html) == {"awaiting_parts", "awaiting_approval", "unrepairable"}
    html = _page(client, bench.job(status="qc", engineer="engineer"))
    assert 'id="qc-form"' not in html and 'id="wb-qc-other"' in html  # own repair
    auth.logout()
    auth.login("engineer2")
    html = _page(client, bench.job(status="qc", engineer="engineer"))
    assert 'id="qc-form"' in html and html.count('name="checks"') == len(workflow.QC_CHECKS)
    auth.logout()
    auth.login("receptionist")
    html = _page(client, bench.job(status="awaiting_approval", engineer="engineer"))
    assert 'id="approval-form"' in html and 'id="wb-pending-approval"' in html


def test_workbench_shows_promise_warnings(client, auth, bench, app):
    from workshop.warranty import promise

    with app.app_context():
        today = promise.local_today(factories.service_point("SZ01"))
    number = bench.job(engineer="engineer", promised_by=today - dt.timedelta(days=1),
                       received_on=today - dt.timedelta(days=8))
    auth.login("engineer")
    html = _page(client, number)
    assert 'data-warning="promise"' in html and 'data-warning="loaner"' in html
    assert "1 day overdue" in html


def test_scan_diagnose_repair_and_qc_through_the_pages(client, auth, bench):
    number = bench.job(engineer="engineer", imei="490154203237518")
    auth.login("engineer")
    r = client.get("/scan", query_string={"code": "49 015420 323751 8"})
    assert r.headers["Location"].endswith(f"/jobs/{number}")
    r = client.post(f"/bench/jobs/{number}/move", data={"to": "diagnosing"}, follow_redirects=True)
    assert "is now Diagnosing" in r.get_data(as_text=True)
    r = client.post(f"/bench/jobs/{number}/diagnosis", data={
        "findings": "LCD cracked", "estimate": "0", "next_status": "repairing"}, follow_redirects=True)
    assert 'id="repair-form"' in r.get_data(as_text=True)
    r = client.post(f"/bench/jobs/{number}/repair", data={"actions": "replaced LCD", "parts_fitted": "LCD-13",
                                                          "hand_to_qc": "y"}, follow_redirects=True)
    assert "waits for QC by another engineer" in r.get_data(as_text=True)
    # The repairer cannot pass their own QC.
    r = client.post(f"/bench/jobs/{number}/qc", data={"checks": list(workflow.QC_CHECKS), "passed": "y"},
                    follow_redirects=True)
    assert "someone other than the engineer who repaired" in r.get_data(as_text=True)
    assert bench.job_row(number)["status"] == "qc"
    auth.logout()
    auth.login("engineer2")
    r = client.post(f"/bench/jobs/{number}/qc", data={"checks": list(workflow.QC_CHECKS), "passed": "y"},
                    follow_redirects=True)
    assert "QC passed" in r.get_data(as_text=True)
    row = bench.job_row(number)
    assert row["status"] == "ready"
    assert [(k, s, a) for k, s, a, _ in row["events"]][1:] == [
        ("status", "diagnosing", "engineer"), ("diagnosis", None, "engineer"), ("status", "repairing", "engineer"),
        ("repair", None, "engineer"), ("status", "qc", "engineer"), ("status", "ready", "engineer2")]


def test_qc_failure_from_the_checklist(client, auth, bench):
    number = bench.job(status="qc", engineer="engineer")
    auth.login("engineer2")
    ticked = [c for c in workflow.QC_CHECKS if c != "charging"]
    r = client.post(f"/bench/jobs/{number}/qc", data={"checks": ticked, "passed": "y"})
    assert r.status_code == 422 and "not passed: Charges by cable" in r.get_data(as_text=True)
    r = client.post(f"/bench/jobs/{number}/qc", data={"checks": ticked, "failed": "y", "note": "slow charge"},
                    follow_redirects=True)
    assert "back with its engineer" in r.get_data(as_text=True)
    _kind, status, _actor, data = bench.job_row(number)["events"][-1]
    assert status == "repairing" and data["qc"]["failed"] == ["charging"]
    auth.logout()
    auth.login("engineer")
    assert 'id="wb-qc-failure"' in _page(client, number)


def test_refusals_are_shown_beside_the_field_or_flashed(client, auth, bench):
    number = bench.job(engineer="engineer")
    auth.login("receptionist")
    r = client.post(f"/bench/jobs/{number}/move", data={"to": "cancelled", "note": ""})
    assert r.status_code == 422
    assert 'data-error-for="note"' in r.get_data(as_text=True) and "Cancelling needs a reason" in r.get_data(as_text=True)
    r = client.post(f"/bench/jobs/{number}/move", data={"to": "ready"}, follow_redirects=True)
    assert "cannot move to “Ready for pickup”. Allowed: Diagnosing, Cancelled" in r.get_data(as_text=True)
    r = client.post(f"/bench/jobs/{number}/move", data={"to": "diagnosing"}, follow_redirects=True)
    assert "Your role (Receptionist) may not move a job from “Received” to “Diagnosing”" in r.get_data(as_text=True)
    assert bench.job_row(number)["status"] == "received"
    r = client.post(f"/bench/jobs/{number}/move", data={"to": "cancelled", "note": "customer left"},
                    follow_redirects=True)
    assert bench.job_row(number)["status"] == "cancelled"


def test_diagnosis_errors_beside_fields(client, auth, bench):
    number = bench.job(status="diagnosing", engineer="engineer")
    auth.login("engineer")
    r = client.post(f"/bench/jobs/{number}/diagnosis", data={"findings": "", "estimate": "abc",
                                                             "next_status": "repairing"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-error-for="findings"' in html and 'data-error-for="estimate"' in html


def test_the_desk_records_the_customers_answer(client, auth, bench):
    number = bench.job(status="diagnosing", engineer="engineer", estimate_amount="50.00", estimate_ceiling="80.00")
    auth.login("engineer")
    r = client.post(f"/bench/jobs/{number}/diagnosis", data={"findings": "board", "estimate": "300",
                                                             "next_status": "repairing"}, follow_redirects=True)
    assert "the desk will ask them" in r.get_data(as_text=True)
    auth.logout()
    auth.login("receptionist")
    r = client.post(f"/bench/jobs/{number}/approval", data={"channel": "phone", "approve": "y"}, follow_redirects=True)
    assert "Approval recorded" in r.get_data(as_text=True)
    assert bench.job_row(number)["status"] == "repairing"


def test_clerk_cannot_post_bench_steps(client, auth, bench):
    number = bench.job(status="diagnosing", engineer="engineer")
    auth.login("clerk")
    assert client.post(f"/bench/jobs/{number}/diagnosis", data={"findings": "x"}).status_code == 403
    assert client.post(f"/bench/jobs/{number}/approval", data={"channel": "phone"}).status_code == 403
    assert client.post(f"/bench/jobs/{number}/assign", data={"engineer": 1}).status_code == 403


# --- queue and board ----------------------------------------------------------------


def test_my_queue(client, auth, bench):
    mine = bench.job(status="repairing", engineer="engineer", promised_by=dt.date.today() - dt.timedelta(days=2))
    theirs_qc = bench.job(status="qc", engineer="engineer2")
    my_qc = bench.job(status="qc", engineer="engineer")
    takeable = bench.job(brand="Apple", fault_category="screen")
    board_level = bench.job(brand="Apple", fault_category="no_power")  # engineer is L1
    auth.login("engineer")
    html = client.get("/bench/").get_data(as_text=True)
    my_jobs = html.split('id="my-jobs"')[1].split("</table>")[0]
    assert mine in my_jobs and my_qc in my_jobs and 'age-late table-danger' in my_jobs
    qc = html.split('id="qc-waiting"')[1].split("</ul>")[0]
    assert theirs_qc in qc and my_qc not in qc
    take = html.split('id="takeable"')[1].split("</ul>")[0]
    assert takeable in take and board_level not in take
    r = client.post(f"/bench/jobs/{takeable}/move", data={"to": "diagnosing"})
    assert r.status_code == 302
    row = bench.job_row(takeable)
    assert row["engineer"] == "engineer" and row["events"][-2][0] == "assign"


def test_board_and_accepting_proposals(client, auth, bench):
    a = bench.job(brand="Apple", fault_category="screen")
    b = bench.job(brand="Apple", fault_category="no_power")
    busy = bench.job(status="repairing", engineer="engineer2", promised_by=dt.date.today())
    auth.login("manager")
    html = client.get("/bench/board").get_data(as_text=True)
    assert 'id="assign-all"' in html and "Assign all proposed (2)" in html
    assert f'data-job="{busy}"' in html.split('data-engineer="engineer2"')[1]
    assert re.search(rf'data-job="{a}".*?data-proposed="engineer"', html, re.DOTALL)
    assert re.search(rf'data-job="{b}".*?data-proposed="engineer2"', html, re.DOTALL)  # board level
    with client.application.app_context():
        engineer_id = db.session.scalar(db.select(User.id).where(User.username == "engineer"))
    prefix = f"a{bench_id(client, a)}"
    r = client.post(f"/bench/jobs/{a}/assign", data={"prefix": prefix, f"{prefix}-engineer": engineer_id,
                                                     f"{prefix}-proposed": str(engineer_id), "back": "board"})
    assert r.headers["Location"].endswith("/bench/board")
    assert bench.job_row(a)["events"][-1][3]["proposed"] is True
    r = client.post("/bench/assign-proposed", follow_redirects=True)
    assert "1 job(s) assigned as proposed" in r.get_data(as_text=True)
    assert bench.job_row(b)["engineer"] == "engineer2"


def bench_id(client, number) -> int:
    with client.application.app_context():
        return db.session.scalar(db.select(Job.id).where(Job.number == number))


@pytest.mark.parametrize(("path", "who", "code"), [
    ("/bench/", "engineer", 200), ("/bench/", "manager", 200), ("/bench/", "receptionist", 403),
    ("/bench/board", "manager", 200), ("/bench/board", "engineer", 403),
])
def test_who_sees_which_bench_page(client, auth, bench, path, who, code):
    auth.login(who)
    assert client.get(path).status_code == code


def test_home_page_bench_card(client, auth, bench):
    bench.job(status="repairing", engineer="engineer", promised_by=dt.date.today() - dt.timedelta(days=3))
    bench.job(status="qc", engineer="engineer2")
    bench.job()
    auth.login("engineer")
    html = client.get("/").get_data(as_text=True)
    counts = dict(re.findall(r'data-count="([a-z]+)"[^>]*>(\d+)<', html))
    assert counts == {"mine": "1", "qc": "1", "late": "1"}
    auth.logout()
    auth.login("manager")
    html = client.get("/").get_data(as_text=True)
    assert dict(re.findall(r'data-count="([a-z]+)"[^>]*>(\d+)<', html))["unassigned"] == "1"
    auth.logout()
    auth.login("receptionist")
    assert 'id="card-bench"' not in client.get("/").get_data(as_text=True)


def test_a_scanned_unassigned_job_can_be_taken_from_its_page(client, auth, bench):
    number = bench.job(brand="Apple", fault_category="screen")
    board_level = bench.job(brand="Apple", fault_category="no_power")
    auth.login("engineer")  # level 1
    html = _page(client, number)
    assert _moves(html) == {"diagnosing"} and "Take the job and start diagnosis" in html
    assert _moves(_page(client, board_level)) == set()
    client.post(f"/bench/jobs/{number}/move", data={"to": "diagnosing"})
    assert bench.job_row(number)["engineer"] == "engineer"


def test_forms_carry_csrf_tokens(app, client, auth, bench):
    number = bench.job(engineer="engineer")
    auth.login("engineer")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = _page(client, number)
        token = re.search(r'id="move-form".*?name="csrf_token" type="hidden" value="([^"]+)"', html, re.DOTALL)
        assert token, "the move form has no CSRF token"
        assert client.post(f"/bench/jobs/{number}/move", data={"to": "diagnosing"}).status_code == 400
        r = client.post(f"/bench/jobs/{number}/move", data={"to": "diagnosing", "csrf_token": token.group(1)})
        assert r.status_code == 302 and bench.job_row(number)["status"] == "diagnosing"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _form_fields(form_html: str) -> dict[str, str]:
    """What a browser posts from a form with the user's choice left as given: its hidden
    inputs and each select's selected option."""
    fields = dict(re.findall(r'<input name="([^"]+)" type="hidden" value="([^"]*)"', form_html))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form_html, re.DOTALL):
        fields[name] = re.search(r'<option selected value="([^"]*)"', options).group(1)
    return fields


def test_the_board_s_assign_form_posts_as_it_is_written(app, client, auth, bench):
    """The board writes each job's assign form by hand: posted as a browser posts it (with
    CSRF checked), the proposed engineer is chosen and the job assigned as proposed."""
    a = bench.job(brand="Apple", fault_category="screen")
    b = bench.job(brand="Apple", fault_category="no_power")
    auth.login("manager")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = client.get("/bench/board").get_data(as_text=True)
        for number, proposed in ((b, "engineer2"), (a, "engineer")):
            form = re.search(rf'<form method="post" action="(/bench/jobs/{number}/assign)".*?</form>', html, re.DOTALL)
            fields = _form_fields(form.group(0))
            with app.app_context():
                engineer_id = db.session.scalar(db.select(User.id).where(User.username == proposed))
            assert fields["engineer"] == fields["proposed"] == str(engineer_id)
            r = client.post(form.group(1), data=fields)
            assert r.status_code == 302 and r.headers["Location"].endswith("/bench/board")
            row = bench.job_row(number)
            assert row["engineer"] == proposed and row["events"][-1][3]["proposed"] is True
        # Without the token, nothing is assigned.
        c = bench.job(brand="Apple", fault_category="screen")
        html = client.get("/bench/board").get_data(as_text=True)
        form = re.search(rf'<form method="post" action="(/bench/jobs/{c}/assign)".*?</form>', html, re.DOTALL)
        fields = {k: v for k, v in _form_fields(form.group(0)).items() if k != "csrf_token"}
        assert client.post(form.group(1), data=fields).status_code in (302, 400)
        assert bench.job_row(c)["engineer"] is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_board_lists_the_earliest_promised_unassigned_jobs_and_links_to_all(client, auth, bench,
                                                                                monkeypatch):
    from workshop.bench import views

    monkeypatch.setattr(views, "UNASSIGNED_SHOWN", 2)
    today = dt.date.today()
    later, soon, soonest = (bench.job(promised_by=today + dt.timedelta(days=d)) for d in (5, 3, 1))
    auth.login("manager")
    html = client.get("/bench/board").get_data(as_text=True)
    assert f'data-assign="{soonest}"' in html and f'data-assign="{soon}"' in html
    assert f'data-assign="{later}"' not in html
    assert "Show all 3 unassigned jobs" in html and "Assign all proposed (3)" in html
    html = client.get("/bench/board?unassigned=all").get_data(as_text=True)
    assert all(f'data-assign="{n}"' in html for n in (later, soon, soonest)) and 'id="unassigned-all"' not in html
