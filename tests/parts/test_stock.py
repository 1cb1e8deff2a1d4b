"""The stock ledger's rules, through the stock service (workshop/parts/ledger.py)."""

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import (
    Conflict,
    DefectivePart,
    Job,
    JobStatus,
    Part,
    PermissionDenied,
    Stock,
    StockMove,
    StockShortage,
    ValidationError,
    db,
)
from tests import factories
from workshop.parts import catalogue as parts_service
from workshop.parts import ledger as stock


def _sp(people):
    return people["clerk"].service_point


def _job(people, **kwargs):
    kwargs.setdefault("status", "diagnosing")
    kwargs.setdefault("engineer", people["engineer"])
    return factories.job(_sp(people), **kwargs)


def _level(part, sp):
    lv = parts_service.level(part, sp.id)
    assert lv.on_hand == stock.ledger_sum(part, sp.id), "on_hand must equal the ledger's sum"
    return lv


def test_receipt_writes_ledger_and_on_hand(people):
    sp = _sp(people)
    part = factories.part("SCR-IP13")
    moves = stock.receive(people["clerk"], sp, part, 3, note="delivery 88", unit_cost="55.50")
    stock.receive(people["clerk"], sp, part, 2)
    db.session.commit()
    assert [m.kind for m in moves] == ["receipt"] and moves[0].qty == 3 and moves[0].balance == 3
    assert moves[0].unit_cost == Decimal("55.50") and moves[0].actor_id == people["clerk"].id
    lv = _level(part, sp)
    assert (lv.on_hand, lv.reserved, lv.available) == (5, 0, 5)


@pytest.mark.parametrize("qty", [0, -1, "two", "1.5", None, 10000])
def test_receipt_refuses_bad_quantities(people, qty):
    part = factories.part("SCR-IP13")
    with pytest.raises(ValidationError) as exc:
        stock.receive(people["clerk"], _sp(people), part, qty)
    assert "qty" in exc.value.errors


def test_receipt_at_another_service_point_is_refused(people):
    part = factories.part("SCR-IP13")
    other = people["other_manager"].service_point
    with pytest.raises(PermissionDenied):
        stock.receive(people["clerk"], other, part, 1)


def test_database_refuses_negative_stock(people):
    sp = _sp(people)
    part = factories.part("SCR-IP13", stock=1)
    db.session.commit()
    row = db.session.scalar(select(Stock).where(Stock.part_id == part.id))
    row.on_hand = -1
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    row = db.session.scalar(select(Stock).where(Stock.part_id == part.id))
    row.reserved = 2  # more reserved than on the shelf
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert _level(part, sp).on_hand == 1


def test_request_reserves_and_issue_charges_the_job(people):
    sp = _sp(people)
    part = factories.part("SCR-IP13", price="899.00", stock=2)
    job = _job(people, warranty_chargeable=True)
    req = stock.request_parts(people["engineer"], job, [{"sku": "scr-ip13", "qty": 1}])
    db.session.commit()
    assert req.status == "pending" and req.lines[0].reserved_qty == 1
    lv = _level(part, sp)
    assert (lv.on_hand, lv.reserved, lv.available) == (2, 1, 1)
    assert job.status == "diagnosing"  # reserved: nothing to wait for
    assert job.events[-1].kind == "parts_requested"

    stock.issue_requisition(people["clerk"], req)
    db.session.commit()
    assert req.status == "issued" and req.issued_by_id == people["clerk"].id
    line = req.lines[0]
    assert (line.issued_qty, line.reserved_qty, line.unit_price, line.list_price) == (
        1, 0, Decimal("899.00"), Decimal("899.00"))
    lv = _level(part, sp)
    assert (lv.on_hand, lv.reserved) == (1, 0)
    issue = db.session.scalar(select(StockMove).where(StockMove.kind == "issue"))
    assert (issue.qty, issue.job_id, issue.requisition_id, issue.actor_id) == (-1, job.id, req.id, people["clerk"].id)
    assert parts_service.job_parts_total(job) == Decimal("899.00")
    [bill_line] = parts_service.job_parts_lines(job)
    assert bill_line["sku"] == "SCR-IP13" and bill_line["quantity"] == 1 and bill_line["amount"] == Decimal("899.00")
    assert job.events[-1].kind == "parts_issued"


def test_warranty_work_is_charged_zero(people):
    factories.part("BAT-IP13", price="299.00", stock=1)
    job = _job(people, warranty_chargeable=False)
    req = stock.request_parts(people["engineer"], job, [{"sku": "BAT-IP13", "qty": 1}])
    stock.issue_requisition(people["clerk"], req)
    db.session.commit()
    assert req.lines[0].unit_price == Decimal("0.00") and req.lines[0].list_price == Decimal("299.00")
    assert parts_service.job_parts_total(job) == Decimal("0.00")
    assert parts_service.job_parts_lines(job)[0]["list_price"] == Decimal("299.00")


def test_short_request_waits_and_moves_job_to_awaiting_parts(people):
    sp = _sp(people)
    part = factories.part("SCR-IP13", stock=0)
    job = _job(people)
    req = stock.request_parts(people["engineer"], job, [{"sku": "SCR-IP13", "qty": 1}])
    db.session.commit()
    assert req.lines[0].reserved_qty == 0
    assert job.status == JobStatus.AWAITING_PARTS
    assert any(e.kind == "status" and e.to_status == "awaiting_parts" for e in job.events)
    low = parts_service.low_stock(sp.id)
    assert [(lv.part.sku, lv.waiting, lv.suggested_order) for lv in low] == [("SCR-IP13", 1, 1)]

    with pytest.raises(StockShortage) as exc:
        stock.issue_requisition(people["clerk"], req)
    db.session.rollback()
    assert exc.value.status == 409 and "lines.0.qty" in exc.value.errors
    assert req.status == "pending" and _level(part, sp).on_hand == 0

    stock.receive(people["clerk"], sp, part, 1)
    stock.issue_requisition(people["clerk"], req)
    db.session.commit()
    assert req.status == "issued" and _level(part, sp).on_hand == 0


def test_short_line_issues_nothing(people):
    sp = _sp(people)
    screen = factories.part("SCR-IP13", stock=1)
    battery = factories.part("BAT-IP13", stock=0, category="battery")
    job = _job(people)
    req = stock.request_parts(people["engineer"], job, [{"sku": "SCR-IP13", "qty": 1}, {"sku": "BAT-IP13", "qty": 1}])
    db.session.commit()
    with pytest.raises(StockShortage) as exc:
        stock.issue_requisition(people["clerk"], req)
    db.session.rollback()
    assert list(exc.value.errors) == ["lines.1.qty"] and "BAT-IP13" in exc.value.message
    assert _level(screen, sp).on_hand == 1 and _level(battery, sp).on_hand == 0
    assert db.session.scalar(select(StockMove).where(StockMove.kind == "issue")) is None
    assert req.status == "pending" and req.lines[0].issued_qty == 0


def test_reservation_protects_a_request_from_a_later_one(people):
    sp = _sp(people)
    part = factories.part("SCR-IP13", stock=1)
    first = stock.request_parts(people["engineer"], _job(people), [{"sku": "SCR-IP13", "qty": 1}])
    second = stock.request_parts(people["engineer"], _job(people), [{"sku": "SCR-IP13", "qty": 1}])
    db.session.commit()
    assert (first.lines[0].reserved_qty, second.lines[0].reserved_qty) == (1, 0)
    with pytest.raises(StockShortage):
        stock.issue_requisition(people["clerk"], second)
    db.session.rollback()
    stock.issue_requisition(people["clerk"], first)
    db.session.commit()
    assert _level(part, sp).on_hand == 0


def test_request_validation_names_each_line(people):
    factories.part("SCR-IP13", stock=1)
    factories.part("OLD-1", active=False)
    job = _job(people)
    with pytest.raises(ValidationError) as exc:
        stock.request_parts(people["engineer"], job, [{"sku": "NOPE", "qty": 1}, {"sku": "SCR-IP13", "qty": 0},
                                                   {"sku": "OLD-1", "qty": 1}])
    assert set(exc.value.errors) == {"lines.0.sku", "lines.1.qty", "lines.2.sku"}
    with pytest.raises(ValidationError):
        stock.request_parts(people["engineer"], job, [])


def test_requests_only_while_the_job_is_on_the_bench(people):
    factories.part("SCR-IP13", stock=1)
    for status in ("received", "ready", "collected"):
        with pytest.raises(Conflict):
            stock.request_parts(people["engineer"], _job(people, status=status), [{"sku": "SCR-IP13", "qty": 1}])


def test_issue_twice_is_a_conflict_and_cancel_releases(people):
    sp = _sp(people)
    part = factories.part("SCR-IP13", stock=2)
    job = _job(people)
    req = stock.request_parts(people["engineer"], job, [{"sku": "SCR-IP13", "qty": 1}])
    stock.issue_requisition(people["clerk"], req)
    db.session.commit()
    with pytest.raises(Conflict, match="already issued"):
        stock.issue_requisition(people["clerk"], req)
    db.session.rollback()
    other = stock.request_parts(people["engineer"], job, [{"sku": "SCR-IP13", "qty": 1}])
    assert _level(part, sp).reserved == 1
    stock.cancel_requisition(people["engineer"], other, reason="not needed after all")
    db.session.commit()
    assert other.status == "cancelled" and _level(part, sp).reserved == 0
    with pytest.raises(Conflict):
        stock.issue_requisition(people["clerk"], other)


def test_issue_to_a_closed_job_is_refused(people):
    factories.part("SCR-IP13", stock=1)
    job = _job(people)
    req = stock.request_parts(people["engineer"], job, [{"sku": "SCR-IP13", "qty": 1}])
    job.status = "cancelled"
    db.session.commit()
    with pytest.raises(Conflict, match="cancel requisition"):
        stock.issue_requisition(people["clerk"], req)


def test_return_unused_and_defective(people):
    sp = _sp(people)
    part = factories.part("SCR-IP13", price="100.00", stock=3)
    job = _job(people, warranty_chargeable=True)
    req = stock.request_parts(people["engineer"], job, [{"sku": "SCR-IP13", "qty": 3}])
    stock.issue_requisition(people["clerk"], req)
    db.session.commit()
    line = req.lines[0]
    assert parts_service.job_parts_total(job) == Decimal("300.00")

    stock.return_unused(people["clerk"], line.id, 1, job=job)
    db.session.commit()
    assert _level(part, sp).on_hand == 1 and line.returned_qty == 1
    assert parts_service.job_parts_total(job) == Decimal("200.00")

    dp = stock.return_defective(people["engineer"], line.id, 1, job=job, description="touch dead on arrival")
    db.session.commit()
    assert (dp.origin, dp.status, dp.qty) == ("doa", "kept", 1)
    assert _level(part, sp).on_hand == 1  # the faulty unit is not saleable stock
    doa = db.session.scalar(select(StockMove).where(StockMove.kind == "defective_return"))
    assert doa.qty == 0 and doa.defective_part_id == dp.id
    assert parts_service.job_parts_total(job) == Decimal("100.00")

    with pytest.raises(ValidationError, match="holds 1"):
        stock.return_unused(people["clerk"], line.id, 2, job=job)
    db.session.rollback()
    kinds = [e.kind for e in job.events]
    assert "parts_returned" in kinds and "part_defective" in kinds


def test_replaced_part_log_and_claim_status(people):
    part = factories.part("SCR-IP13")
    job = _job(people)
    dp = stock.log_replaced_part(people["engineer"], job, part=part, serial="fn123", description="cracked")
    db.session.commit()
    assert (dp.origin, dp.status, dp.serial) == ("replaced", "kept", "FN123")
    assert job.events[-1].kind == "old_part_logged"
    with pytest.raises(ValidationError):
        stock.log_replaced_part(people["engineer"], job)
    stock.update_defective(people["clerk"], dp, "sent", reference="RMA-7781")
    stock.update_defective(people["clerk"], dp, "credited", reference="CN-55", credit_amount="320.00")
    db.session.commit()
    dp = db.session.get(DefectivePart, dp.id)
    assert (dp.status, dp.reference, dp.credit_amount) == ("credited", "CN-55", Decimal("320.00"))
    with pytest.raises(Conflict):
        stock.update_defective(people["clerk"], dp, "kept")


def test_adjustment_needs_reason_and_never_goes_below_zero(people):
    sp = _sp(people)
    part = factories.part("SCR-IP13", stock=2)
    with pytest.raises(ValidationError) as exc:
        stock.adjust(people["clerk"], sp, part, -3, "damaged")
    assert "delta" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        stock.adjust(people["clerk"], sp, part, -1, "because")
    assert "reason" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        stock.adjust(people["clerk"], sp, part, 1, "correction")
    assert "note" in exc.value.errors
    [move] = stock.adjust(people["clerk"], sp, part, -1, "damaged", note="dropped")
    db.session.commit()
    assert (move.kind, move.qty, move.reason, move.balance) == ("adjustment", -1, "damaged", 1)
    assert _level(part, sp).on_hand == 1


def test_adjusting_below_reservations_releases_the_newest(people):
    sp = _sp(people)
    part = factories.part("SCR-IP13", stock=2)
    older = stock.request_parts(people["engineer"], _job(people), [{"sku": "SCR-IP13", "qty": 1}])
    newer = stock.request_parts(people["engineer"], _job(people), [{"sku": "SCR-IP13", "qty": 1}])
    stock.adjust(people["clerk"], sp, part, -1, "lost")
    db.session.commit()
    assert (older.lines[0].reserved_qty, newer.lines[0].reserved_qty) == (1, 0)
    assert newer.job.events[-1].kind == "parts_short"
    lv = _level(part, sp)
    assert (lv.on_hand, lv.reserved) == (1, 1)


def test_stock_take_records_differences(people):
    sp = _sp(people)
    a = factories.part("SCR-IP13", stock=5, bin_location="A-01-1")
    b = factories.part("BAT-IP13", stock=2, bin_location="A-01-2", category="battery")
    c = factories.part("PORT-IP13", stock=1, bin_location="A-01-3", category="charging_port")
    take = stock.take_stock(people["clerk"], sp, [stock.Count(a, 4), stock.Count(b, 3), stock.Count(c, 1)], shelf="a-01")
    db.session.commit()
    assert (take.counted, take.differences, take.shelf) == (3, 2, "A-01")
    assert (_level(a, sp).on_hand, _level(b, sp).on_hand, _level(c, sp).on_hand) == (4, 3, 1)
    moves = db.session.scalars(select(StockMove).where(StockMove.stock_take_id == take.id)).all()
    assert sorted(m.qty for m in moves) == [-1, 1] and {m.reason for m in moves} == {"stock_take"}
    with pytest.raises(ValidationError) as exc:
        stock.take_stock(people["clerk"], sp, [stock.Count(a, -1)])
    assert "counts.0.counted" in exc.value.errors


def test_serial_tracked_parts_follow_each_unit(people):
    sp = _sp(people)
    board = factories.part("MB-IP13", category="board", serial_tracked=True, price="1500.00")
    with pytest.raises(ValidationError) as exc:
        stock.receive(people["clerk"], sp, board, 2, serials="A1")
    assert "serials" in exc.value.errors
    stock.receive(people["clerk"], sp, board, 3, serials="a1\nA2, A3")
    db.session.commit()
    with pytest.raises(ValidationError, match="Already in stock"):
        stock.receive(people["clerk"], sp, board, 1, serials="A2")
    assert stock.serials_in_stock(board, sp.id) == ["A1", "A2", "A3"]

    job = _job(people)
    req = stock.request_parts(people["engineer"], job, [{"sku": "MB-IP13", "qty": 1}])
    stock.issue_requisition(people["clerk"], req, serials={req.lines[0].id: "A2"})
    db.session.commit()
    assert req.lines[0].serials == ["A2"] and stock.serials_in_stock(board, sp.id) == ["A1", "A3"]
    assert parts_service.job_parts_lines(job)[0]["serials"] == ["A2"]
    stock.return_unused(people["clerk"], req.lines[0].id, 1, job=job)
    db.session.commit()
    assert sorted(stock.serials_in_stock(board, sp.id)) == ["A1", "A2", "A3"]

    take = stock.take_stock(people["clerk"], sp, [stock.Count(board, serials="A1 A3 B9")])
    db.session.commit()
    assert take.differences == 2 and sorted(stock.serials_in_stock(board, sp.id)) == ["A1", "A3", "B9"]
    assert _level(board, sp).on_hand == 3


def test_transfer_is_in_transit_until_the_other_side_confirms(people):
    here = _sp(people)
    there = people["other_manager"].service_point
    part = factories.part("SCR-IP13", stock=3)
    t = stock.send_transfer(people["clerk"], here, there, part, 2, note="urgent for OT01")
    db.session.commit()
    assert t.status == "in_transit" and _level(part, here).on_hand == 1 and _level(part, there).on_hand == 0
    assert parts_service.level(part, there.id).incoming == 2
    with pytest.raises(PermissionDenied):
        stock.confirm_transfer(people["clerk"], t)  # only the receiving side confirms
    stock.confirm_transfer(people["other_manager"], t)
    db.session.commit()
    assert t.status == "received" and _level(part, there).on_hand == 2
    with pytest.raises(Conflict):
        stock.cancel_transfer(people["clerk"], t)
    with pytest.raises(StockShortage):
        stock.send_transfer(people["clerk"], here, there, part, 2)
    db.session.rollback()
    back = stock.send_transfer(people["clerk"], here, there, part, 1)
    stock.cancel_transfer(people["clerk"], back, reason="courier did not come")
    db.session.commit()
    assert back.status == "cancelled" and _level(part, here).on_hand == 1
    kinds = [m.kind for m in db.session.scalars(select(StockMove).order_by(StockMove.id))]
    assert kinds.count("transfer_out") == 2 and kinds.count("transfer_in") == 2


def test_low_stock_at_or_under_reorder_point(people):
    sp = _sp(people)
    factories.part("SCR-IP13", stock=3, reorder_point=3, safety_stock=2)
    factories.part("BAT-IP13", stock=4, reorder_point=3)
    factories.part("PORT-IP13", stock=0)  # no reorder point, nothing waiting: not listed
    low = parts_service.low_stock(sp.id)
    assert [(lv.part.sku, lv.suggested_order) for lv in low] == [("SCR-IP13", 2)]
    csv_text = parts_service.reorder_csv(sp)
    assert csv_text.startswith("\ufeffservice_point,sku") and "SCR-IP13" in csv_text and "BAT-IP13" not in csv_text


def test_part_options_put_the_parts_that_fit_first(people):
    factories.part("SCR-IP13", compatible_models=["iPhone 13", "iPhone 13 Pro"])
    factories.part("SCR-S23", brand="Samsung", compatible_models=["Galaxy S23"])
    factories.part("GLUE", brand="", compatible_models=[], category="adhesive")
    factories.part("BAT-IP13", compatible_models=["iPhone 13"], category="battery")
    job = _job(people, brand="Apple", model="iphone 13")
    # Nothing typed: the parts that name the handset's model.
    assert [(p.sku, fits) for p, fits in parts_service.part_options(job)] == [("BAT-IP13", True),
                                                                              ("SCR-IP13", True)]
    # Typed: every match, the fitting ones first; bounded by ``limit``.
    assert [(p.sku, fits) for p, fits in parts_service.part_options(job, "scr-")] == [("SCR-IP13", True),
                                                                                     ("SCR-S23", False)]
    assert [p.sku for p, _fits in parts_service.part_options(job, "glue")] == ["GLUE"]
    assert len(parts_service.part_options(job, "-", limit=1)) == 1
    assert parts_service.part_options(job, "nothing-like-this") == []
    assert db.session.get(Job, job.id) is job


def test_low_stock_in_sql_matches_each_part_s_level(people):
    """low_stock filters and orders in the database (a page loads only what it shows):
    the same parts, in the same order, as testing every part's Level."""
    sp = _sp(people)
    factories.part("A-OK", stock=9, reorder_point=3)
    factories.part("B-AT", stock=3, reorder_point=3, safety_stock=1)
    factories.part("C-UNDER", stock=1, reorder_point=4)
    factories.part("D-ZERO", stock=0, reorder_point=2)
    factories.part("E-NONE", stock=0)
    wanted = factories.part("F-WANTED", stock=0)
    factories.part("G-OFF", stock=0, reorder_point=5, active=False)
    job = _job(people)
    stock.request_parts(people["engineer"], job, [{"sku": "F-WANTED", "qty": 2}])
    db.session.commit()
    parts = db.session.scalars(select(Part).where(Part.active.is_(True))).all()
    expected = [lv for lv in parts_service.levels(sp.id, parts) if lv.low]
    expected.sort(key=lambda lv: (-(lv.waiting - lv.available), lv.available - lv.part.reorder_point, lv.part.sku))
    got = parts_service.low_stock(sp.id)
    assert [(lv.part.sku, lv.available, lv.waiting, lv.suggested_order) for lv in got] == \
        [(lv.part.sku, lv.available, lv.waiting, lv.suggested_order) for lv in expected]
    assert [lv.part.sku for lv in got] == ["F-WANTED", "D-ZERO", "C-UNDER", "B-AT"]
    assert parts_service.low_stock_count(sp.id) == 4
    assert [lv.part.sku for lv in parts_service.low_stock(sp.id, limit=2)] == ["F-WANTED", "D-ZERO"]
    assert wanted.id in {lv.part.id for lv in got}
