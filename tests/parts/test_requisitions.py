"""The parts pages through the HTTP client: the job page's parts panel (request, return,
faulty, old part), the clerk's queue and scan-to-issue, receiving, stock take,
transfers, defective parts and adjustments."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import DefectivePart, Job, Requisition, StockMove, Transfer, User, db
from tests import factories
from workshop.parts import catalogue as parts_service
from workshop.parts import ledger as stock


@pytest.fixture
def shop(app, staff):
    """Two parts in stock at SZ01, a board (serial-tracked) and a job on the bench."""
    with app.app_context():
        engineer = db.session.get(User, staff["engineer"])
        sp = engineer.service_point
        factories.part("SCR-IP13", price="899.00", stock=3, bin_location="A-01-1")
        factories.part("BAT-IP13", price="299.00", stock=1, bin_location="B-01-1", category="battery")
        factories.part("MB-IP13", price="2999.00", stock=2, bin_location="F-01-1", category="board",
                       serial_tracked=True)
        job = factories.job(sp, status="repairing", engineer=engineer, warranty_chargeable=True)
        db.session.commit()
        return {"job": job.number, "sp": sp.id}


def _level(app, sku, sp_id):
    with app.app_context():
        return parts_service.level(parts_service.get_part(sku), sp_id)


def _request(client, number, *lines):
    data = {}
    for i, (sku, qty) in enumerate(lines, start=1):
        data[f"line{i}-sku"], data[f"line{i}-qty"] = sku, str(qty)
    return client.post(f"/parts/jobs/{number}/requisitions", data=data)


def _requisition(app, number) -> int:
    with app.app_context():
        return db.session.scalar(select(Requisition.id).join(Job).where(Job.number == number)
                                 .order_by(Requisition.id.desc()))


def test_engineer_requests_parts_on_the_job_page(client, auth, app, shop):
    auth.login("engineer")
    page = client.get(f"/jobs/{shop['job']}")
    assert page.status_code == 200 and b'id="request-parts-form"' in page.data
    # The catalogue is not listed in the page: the picker asks for suggestions as one types.
    assert b"SCR-IP13" not in page.data and b'data-part-options="/parts/jobs/' in page.data
    options = client.get(f"/parts/jobs/{shop['job']}/part-options?q=ip13")
    assert options.status_code == 200 and options.json[0]["sku"] in ("SCR-IP13", "BAT-IP13")
    assert {o["sku"] for o in options.json} >= {"SCR-IP13", "BAT-IP13"} and options.json[0]["fits"] is True
    assert client.get(f"/parts/jobs/{shop['job']}/part-options").json[0]["fits"] is True  # the handset's parts

    r = _request(client, shop["job"], ("scr-ip13 ", 0))  # typed in lower case: still the SKU
    assert r.status_code == 422 and b'value="SCR-IP13"' in r.data

    r = _request(client, shop["job"])
    assert r.status_code == 422 and b"Choose a part." in r.data
    r = _request(client, shop["job"], ("NOPE-1", 1))
    assert r.status_code == 422 and b"There is no part NOPE-1" in r.data and b"is-invalid" in r.data
    r = _request(client, shop["job"], ("SCR-IP13", 0))
    assert r.status_code == 422
    assert _requisition(app, shop["job"]) is None

    r = _request(client, shop["job"], ("SCR-IP13", 1), ("BAT-IP13", 1))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/jobs/{shop['job']}#parts")
    page = client.get(f"/jobs/{shop['job']}")
    assert b'data-sku="SCR-IP13" data-status="pending"' in page.data and b"reserved, at the store" in page.data
    assert _level(app, "SCR-IP13", shop["sp"]).reserved == 1


def test_clerk_scans_each_bin_and_the_requisition_is_issued(client, auth, app, shop):
    auth.login("engineer")
    _request(client, shop["job"], ("SCR-IP13", 1), ("BAT-IP13", 1))
    rid = _requisition(app, shop["job"])
    auth.logout()
    auth.login("clerk")
    queue = client.get("/parts/requisitions")
    assert queue.status_code == 200 and f'data-requisition="{rid}"'.encode() in queue.data

    r = client.post(f"/parts/requisitions/{rid}", data={"scan-code": "Z-99"})
    assert r.status_code == 422 and b"Z-99 is not on this requisition" in r.data
    r = client.post(f"/parts/requisitions/{rid}", data={"scan-code": "a-01-1"})
    assert r.status_code == 200 and b'class="table-success"' in r.data
    with app.app_context():
        line_id = db.session.get(Requisition, rid).lines[0].id
    assert f'value="{line_id}"'.encode() in r.data  # the pick travels in the hidden field
    assert _level(app, "SCR-IP13", shop["sp"]).on_hand == 3  # nothing issued yet
    r = client.post(f"/parts/requisitions/{rid}", data={"scan-code": "BAT-IP13", "scan-scanned": str(line_id)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/parts/requisitions")
    assert (_level(app, "SCR-IP13", shop["sp"]).on_hand, _level(app, "BAT-IP13", shop["sp"]).on_hand) == (2, 0)
    page = client.get(f"/jobs/{shop['job']}")
    assert b"\xc2\xa51,198.00" in page.data  # ¥1,198.00 = 899 + 299
    with app.app_context():
        assert parts_service.job_parts_total(db.session.scalar(select(Job).where(Job.number == shop["job"]))) == \
            Decimal("1198.00")


def test_serial_units_are_scanned(client, auth, app, shop):
    auth.login("engineer")
    _request(client, shop["job"], ("MB-IP13", 1))
    rid = _requisition(app, shop["job"])
    auth.logout()
    auth.login("clerk")
    r = client.post(f"/parts/requisitions/{rid}", data={"scan-code": "MB-IP13-SN001"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Requisition, rid).lines[0].serials == ["MB-IP13-SN001"]


def test_short_requisition_cannot_be_issued(client, auth, app, shop):
    auth.login("engineer")
    _request(client, shop["job"], ("BAT-IP13", 2))
    rid = _requisition(app, shop["job"])
    with app.app_context():
        assert db.session.scalar(select(Job.status).where(Job.number == shop["job"])) == "awaiting_parts"
    auth.logout()
    auth.login("clerk")
    assert b"short" in client.get("/parts/requisitions").data
    r = client.post(f"/parts/requisitions/{rid}", data={"issue-submit": "1"})
    assert r.status_code == 409 and b"Not enough stock" in r.data
    assert _level(app, "BAT-IP13", shop["sp"]).on_hand == 1
    home = client.get("/")
    assert b'id="parts-card"' in home.data and b"1 part(s) low on stock" in home.data


def test_cancel_from_the_job_page_releases_the_reservation(client, auth, app, shop):
    auth.login("engineer")
    _request(client, shop["job"], ("SCR-IP13", 2))
    rid = _requisition(app, shop["job"])
    assert b'id="my-requisitions"' in client.get("/").data
    r = client.post(f"/parts/requisitions/{rid}/cancel", data={"cancel-reason": "customer declined", "back": "job"})
    assert r.status_code == 302 and f"/jobs/{shop['job']}".encode() in r.headers["Location"].encode()
    assert _level(app, "SCR-IP13", shop["sp"]).reserved == 0
    with app.app_context():
        req = db.session.get(Requisition, rid)
        assert (req.status, req.cancel_reason) == ("cancelled", "customer declined")


def test_return_faulty_and_old_part_from_the_job_page(client, auth, app, shop):
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        job = db.session.scalar(select(Job).where(Job.number == shop["job"]))
        req = stock.request_parts(engineer, job, [{"sku": "SCR-IP13", "qty": 3}])
        stock.issue_requisition(db.session.scalar(select(User).where(User.username == "clerk")), req)
        db.session.commit()
        line_id = req.lines[0].id
    auth.login("engineer")
    n = shop["job"]
    r = client.post(f"/parts/jobs/{n}/lines/{line_id}/return", data={f"ret{line_id}-qty": "5"})
    assert r.status_code == 422 and b"The job holds 3 of SCR-IP13" in r.data
    r = client.post(f"/parts/jobs/{n}/lines/{line_id}/return", data={f"ret{line_id}-qty": "1"})
    assert r.status_code == 302 and _level(app, "SCR-IP13", shop["sp"]).on_hand == 1
    r = client.post(f"/parts/jobs/{n}/lines/{line_id}/defective",
                    data={f"doa{line_id}-qty": "1", f"doa{line_id}-description": "no touch"})
    assert r.status_code == 302 and _level(app, "SCR-IP13", shop["sp"]).on_hand == 1
    r = client.post(f"/parts/jobs/{n}/old-part", data={"old-sku": "", "old-description": ""})
    assert r.status_code == 422 and b"Name the part or describe it." in r.data
    r = client.post(f"/parts/jobs/{n}/old-part", data={"old-sku": "SCR-IP13", "old-serial": "c39x",
                                                       "old-description": "cracked"})
    assert r.status_code == 302
    page = client.get(f"/jobs/{n}")
    assert b"1 returned" in page.data and b"1 faulty (DOA)" in page.data and b"S/N C39X" in page.data
    assert b"\xc2\xa5899.00</strong>" in page.data  # one unit still charged
    with app.app_context():
        kinds = {(d.origin, d.status) for d in db.session.scalars(select(DefectivePart))}
        assert kinds == {("doa", "kept"), ("replaced", "kept")}


def test_receive_by_scanning_the_bin(client, auth, app, shop):
    auth.login("clerk")
    r = client.post("/parts/receive", data={"code": "b-01-1", "qty": "4", "note": "SF1234"})
    assert r.status_code == 302 and _level(app, "BAT-IP13", shop["sp"]).on_hand == 5
    page = client.get("/parts/receive")
    assert b"Received 4" in page.data and b"SF1234" in page.data
    r = client.post("/parts/receive", data={"code": "NOPE", "qty": "1"})
    assert r.status_code == 422 and b"No part has the SKU or bin NOPE" in r.data
    r = client.post("/parts/receive", data={"code": "MB-IP13", "qty": "2", "serials": "X1"})
    assert r.status_code == 422 and b"serial-tracked" in r.data
    r = client.post("/parts/receive", data={"code": "MB-IP13", "qty": "2", "serials": "X1\nX2"})
    assert r.status_code == 302 and _level(app, "MB-IP13", shop["sp"]).on_hand == 4


def test_stock_take_of_a_shelf(client, auth, app, shop):
    auth.login("clerk")
    with app.app_context():
        scr = parts_service.get_part("SCR-IP13").id
    page = client.get("/parts/stock-take?shelf=a-01")
    assert page.status_code == 200 and b'data-sku="SCR-IP13"' in page.data and b'data-sku="BAT-IP13"' not in page.data
    r = client.post("/parts/stock-take", data={"shelf": "A-01", f"count-{scr}": "-2"})
    assert r.status_code == 422 and b"invalid-feedback" in r.data
    r = client.post("/parts/stock-take", data={"shelf": "A-01", f"count-{scr}": "2", "note": "monthly"})
    assert r.status_code == 302 and "take=" in r.headers["Location"]
    result = client.get(r.headers["Location"])
    assert b'id="take-result"' in result.data and b"-1" in result.data
    assert _level(app, "SCR-IP13", shop["sp"]).on_hand == 2


def test_transfer_sent_and_confirmed_by_the_other_side(client, auth, app, shop, staff):
    auth.login("clerk")
    with app.app_context():
        other_sp = db.session.get(User, staff["other_manager"]).service_point_id
    r = client.post("/parts/transfers/new", data={"code": "SCR-IP13", "qty": "5", "to_service_point": other_sp})
    assert r.status_code == 422 and b"Only 3 of SCR-IP13 available" in r.data
    r = client.post("/parts/transfers/new", data={"code": "SCR-IP13", "qty": "2", "to_service_point": other_sp})
    assert r.status_code == 302 and _level(app, "SCR-IP13", shop["sp"]).on_hand == 1
    with app.app_context():
        tid = db.session.scalar(select(Transfer.id))
    listing = client.get("/parts/transfers")
    assert b"Call back" in listing.data and b"Confirm receipt" not in listing.data
    auth.logout()
    auth.login("other_manager")
    assert b"1 transfer(s) to confirm" in client.get("/").data
    r = client.post(f"/parts/transfers/{tid}/confirm", data={})
    assert r.status_code == 302
    assert _level(app, "SCR-IP13", other_sp).on_hand == 2
    with app.app_context():
        assert db.session.get(Transfer, tid).status == "received"


def test_defective_claims_move_on(client, auth, app, shop):
    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        job = db.session.scalar(select(Job).where(Job.number == shop["job"]))
        did = stock.log_replaced_part(engineer, job, part=parts_service.get_part("SCR-IP13"), description="old").id
        db.session.commit()
    auth.login("clerk")
    page = client.get("/parts/defective")
    assert f'data-defective="{did}"'.encode() in page.data
    r = client.post(f"/parts/defective/{did}", data={f"d{did}-status": "sent", f"d{did}-reference": "RMA-1"})
    assert r.status_code == 302
    r = client.post(f"/parts/defective/{did}", data={f"d{did}-status": "credited", f"d{did}-credit_amount": "abc"})
    assert r.status_code == 422 and b"Enter an amount" in r.data
    r = client.post(f"/parts/defective/{did}", data={f"d{did}-status": "credited", f"d{did}-credit_amount": "320"})
    assert r.status_code == 302
    with app.app_context():
        d = db.session.get(DefectivePart, did)
        assert (d.status, d.reference, d.credit_amount) == ("credited", "RMA-1", Decimal("320.00"))


def test_adjustment_form(client, auth, app, shop):
    auth.login("clerk")
    r = client.post("/parts/catalogue/SCR-IP13/adjust", data={"delta": "-9", "reason": "damaged"})
    assert r.status_code == 422 and b"cannot go below zero" in r.data
    r = client.post("/parts/catalogue/SCR-IP13/adjust", data={"delta": "-1", "reason": "damaged", "note": "dropped"})
    assert r.status_code == 302
    page = client.get("/parts/catalogue/SCR-IP13")
    assert b'data-kind="adjustment"' in page.data and b"dropped" in page.data
    with app.app_context():
        assert db.session.scalar(select(StockMove.reason).where(StockMove.kind == "adjustment")) == "damaged"
    assert _level(app, "SCR-IP13", shop["sp"]).on_hand == 2


def test_another_service_point_sees_nothing_of_ours(client, auth, app, shop):
    auth.login("engineer")
    _request(client, shop["job"], ("SCR-IP13", 1))
    rid = _requisition(app, shop["job"])
    auth.logout()
    auth.login("other_manager")
    assert client.get(f"/parts/requisitions/{rid}").status_code == 403
    assert f'data-requisition="{rid}"'.encode() not in client.get("/parts/requisitions").data
    assert client.post(f"/parts/jobs/{shop['job']}/requisitions", data={"line1-sku": "SCR-IP13"}).status_code == 403


def test_a_refusal_not_about_a_field_is_said_on_the_job_page(client, auth, app, shop):
    auth.login("engineer")
    with app.app_context():
        db.session.scalar(select(Job).where(Job.number == shop["job"])).status = "qc"
        db.session.commit()
    r = _request(client, shop["job"], ("SCR-IP13", 1))
    assert r.status_code == 302
    page = client.get(r.headers["Location"])
    assert b"alert-danger" in page.data and b"job SZ01-" in page.data and "is “Quality check”".encode() in page.data
    assert b'id="request-parts-form"' not in page.data  # nothing to request at QC
    assert _requisition(app, shop["job"]) is None


def test_the_queue_flags_requisitions_of_closed_jobs(client, auth, app, shop):
    auth.login("engineer")
    _request(client, shop["job"], ("SCR-IP13", 1))
    rid = _requisition(app, shop["job"])
    with app.app_context():
        db.session.scalar(select(Job).where(Job.number == shop["job"])).status = "cancelled"
        db.session.commit()
    auth.logout()
    auth.login("clerk")
    assert b"job cancelled" in client.get("/parts/requisitions").data
    page = client.get(f"/parts/requisitions/{rid}")
    assert b'id="job-closed"' in page.data
    r = client.post(f"/parts/requisitions/{rid}", data={"issue-submit": "1"})
    assert r.status_code == 422 and b"cancel requisition" in r.data
    r = client.post(f"/parts/requisitions/{rid}/cancel", data={"cancel-reason": "job cancelled"})
    assert r.status_code == 302 and _level(app, "SCR-IP13", shop["sp"]).reserved == 0


@pytest.mark.parametrize("end", ["cancelled", "unrepairable"])
def test_a_job_that_needs_no_more_parts_gives_back_its_reservations(app, shop, end):
    """A pending requisition does not hold stock for a job that is cancelled or given up."""
    from workshop.jobs import workflow

    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        job = db.session.scalar(select(Job).where(Job.number == shop["job"]))
        req = stock.request_parts(engineer, job, [{"sku": "SCR-IP13", "qty": 2}])
        db.session.commit()
        assert parts_service.level(parts_service.get_part("SCR-IP13"), shop["sp"]).reserved == 2
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        if end == "cancelled":
            job.status = "diagnosing"  # cancelling is allowed before the repair
        workflow.move(job, end, manager, note="customer took it elsewhere")
        db.session.commit()
        assert db.session.get(Requisition, req.id).status == "cancelled"
        level = parts_service.level(parts_service.get_part("SCR-IP13"), shop["sp"])
        assert (level.reserved, level.on_hand) == (0, 3)


def test_parts_home_lists_the_oldest_pending_and_counts_them_all(client, auth, app, shop):
    """The parts home shows the oldest PENDING_SHOWN requisitions (each with its
    shortage check) and the count of all of them; the queue page lists every one."""
    from workshop.parts import views as parts_views

    with app.app_context():
        engineer = db.session.scalar(select(User).where(User.username == "engineer"))
        job = db.session.scalar(select(Job).where(Job.number == shop["job"]))
        made = [stock.request_parts(engineer, job, [{"sku": "SCR-IP13", "qty": 1}]).number
                for _ in range(parts_views.PENDING_SHOWN + 3)]
        db.session.commit()
    auth.login("clerk")
    page = client.get("/parts/").get_data(as_text=True)
    card = page[page.index('id="pending-requisitions"'):page.index('id="low-stock"')]
    assert f'badge text-bg-secondary">{len(made)}<' in card
    assert all(n in card for n in made[:parts_views.PENDING_SHOWN])
    assert not any(n in card for n in made[parts_views.PENDING_SHOWN:])
    queue = client.get("/parts/requisitions").get_data(as_text=True)
    assert all(n in queue for n in made)
