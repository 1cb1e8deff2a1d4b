"""The parts store's pages (clerk, manager) and the parts actions of the job page.

Each view validates its form, calls one service, commits, and redirects; a refused
form is shown again with the errors beside its fields (status 422).  Stock pages
work at the user's own service point.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from models import (
    DefectivePart,
    DomainError,
    Job,
    Requisition,
    ServicePoint,
    StockShortage,
    StockTake,
    ValidationError,
    db,
)
from models.parts import DefectiveStatus
from models.words import status_words
from workshop.core.scoping import get_scoped
from workshop.forms import apply_domain_errors
from workshop.jobs import loading as job_service
from workshop.jobs import panels as job_panels
from workshop.jobs.views import job_page
from workshop.parts import catalogue as parts_service
from workshop.parts import ledger as stock_service
from workshop.parts import queries
from workshop.permissions.rules import can, check_service_point
from workshop.web import attempt, money

from . import web as panel_helpers
from .forms import (
    CATEGORY_LABELS,
    DEFECTIVE_LABELS,
    REASON_LABELS,
    AdjustForm,
    DefectiveUpdateForm,
    ImportForm,
    IssueForm,
    OldPartForm,
    PartForm,
    ReasonForm,
    ReceiveForm,
    RequestForm,
    ReturnForm,
    ScanForm,
    StockTakeForm,
    TransferForm,
)

bp = Blueprint("parts", __name__, url_prefix="/parts")


@bp.app_context_processor
def _template_helpers():
    return {"parts_dashboard": panel_helpers.dashboard,
            "category_label": lambda c: CATEGORY_LABELS.get(c, c),
            "reason_label": lambda r: REASON_LABELS.get(r, r),
            "stock_note": panel_helpers.stock_note}


def _sp() -> ServicePoint:
    return current_user.service_point


def _csv_response(text: str, name: str) -> Response:
    stamp = dt.date.today().strftime("%Y%m%d")
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'})


# --------------------------------------------------------------------------- dashboard, catalogue


#: Pending requisitions the parts home lists (with their shortage checks).
PENDING_SHOWN = 12
#: Low parts the parts home lists (all of them: the reorder CSV).
LOW_SHOWN = 15


@bp.route("/")
def index():
    sp = _sp()
    # The oldest few, each with its shortage check; the queue page has them all.
    pending = queries.pending_requisitions([sp.id], limit=PENDING_SHOWN)
    incoming = queries.incoming_transfers(sp.id)
    return render_template("parts/index.html", sp=sp, low=parts_service.low_stock(sp.id, limit=LOW_SHOWN),
                           low_count=parts_service.low_stock_count(sp.id), pending=pending,
                           pending_count=queries.count_pending_requisitions([sp.id]),
                           shortages={r.id: stock_service.shortages(r) for r in pending}, incoming=incoming)


@bp.route("/catalogue")
def catalogue():
    sp = _sp()
    q = request.args.get("q", "").strip()
    category = request.args.get("category", "")
    show_all = can(current_user, "parts.manage") and request.args.get("inactive") == "1"
    parts = db.session.scalars(parts_service.search(q, category=category, include_inactive=show_all)
                               .limit(500)).all()
    return render_template("parts/catalogue.html", sp=sp, q=q, category=category, show_all=show_all,
                           levels=parts_service.levels(sp.id, parts), categories=CATEGORY_LABELS)


@bp.route("/catalogue/<sku>")
def part_detail(sku: str):
    part = parts_service.get_part(sku)
    sp = _sp()
    moves = queries.part_moves(part, sp.id)
    others = queries.service_points(current_user.service_point_ids)
    return render_template(
        "parts/part_detail.html", part=part, sp=sp, level=parts_service.level(part, sp.id), moves=moves,
        ledger_sum=stock_service.ledger_sum(part, sp.id),
        elsewhere=[(o, parts_service.level(part, o.id)) for o in others if o.id != sp.id],
        serials=stock_service.serials_in_stock(part, sp.id) if part.serial_tracked else [],
    )


@bp.route("/new", methods=["GET", "POST"])
def part_new():
    form = PartForm()
    if form.validate_on_submit():
        done = attempt(lambda: parts_service.create_part(current_user, form.data_for_service()), form=form)
        if done:
            part = done.value
            flash(_("Part %(sku)s added to the catalogue.", sku=part.sku), "success")
            return redirect(url_for("parts.part_detail", sku=part.sku))
    return render_template("parts/part_form.html", form=form, part=None), 422 if form.errors else 200


@bp.route("/catalogue/<sku>/edit", methods=["GET", "POST"])
def part_edit(sku: str):
    part = parts_service.get_part(sku)
    form = PartForm(obj=part)
    form.sku.render_kw = {"readonly": True}
    if not form.is_submitted():
        form.compatible_models.data = "\n".join(part.compatible_models or [])
    else:
        form.sku.data = part.sku
    if form.validate_on_submit():
        done = attempt(lambda: parts_service.update_part(current_user, part, form.data_for_service()), form=form)
        if done:
            flash(_("Part %(sku)s saved.", sku=part.sku), "success")
            return redirect(url_for("parts.part_detail", sku=part.sku))
    return render_template("parts/part_form.html", form=form, part=part), 422 if form.errors else 200


@bp.route("/catalogue/<sku>/adjust", methods=["GET", "POST"])
def adjust(sku: str):
    part = parts_service.get_part(sku)
    sp = _sp()
    form = AdjustForm()
    if form.validate_on_submit():
        done = attempt(lambda: stock_service.adjust(current_user, sp, part, form.delta.data, form.reason.data,
                                                    note=form.note.data, serials=form.serials.data), form=form)
        if done:
            flash(_("Stock of %(sku)s adjusted by %(delta)+d.", sku=part.sku, delta=form.delta.data), "success")
            return redirect(url_for("parts.part_detail", sku=part.sku))
    return render_template("parts/adjust.html", form=form, part=part, sp=sp,
                           level=parts_service.level(part, sp.id)), 422 if form.errors else 200


# --------------------------------------------------------------------------- requisitions (the clerk's queue)


@bp.route("/requisitions")
def requisitions():
    sps = current_user.service_point_ids
    pending = queries.pending_requisitions(sps)
    recent = queries.recently_issued(sps)
    return render_template("parts/requisitions.html", pending=pending, recent=recent,
                           shortages={r.id: stock_service.shortages(r) for r in pending},
                           closed_statuses={s.value for s in stock_service.CLOSED_STATUSES})


def _parse_picks(text: str) -> dict[int, list[str]]:
    """Picks so far, kept in a hidden field: ``12`` (line 12 picked) or ``12=SERIAL``."""
    picks: dict[int, list[str]] = {}
    for token in (text or "").split():
        line_id, _sep, serial = token.partition("=")
        if line_id.isdigit():
            picks.setdefault(int(line_id), [])
            if serial:
                picks[int(line_id)].append(serial)
    return picks


def _format_picks(picks: dict[int, list[str]]) -> str:
    return " ".join(f"{lid}={s}" for lid, serials in picks.items() for s in serials) + " " + " ".join(
        str(lid) for lid, serials in picks.items() if not serials)


def _line_done(line, picks) -> bool:
    if line.id not in picks:
        return False
    serials = picks[line.id]
    return not serials or len(serials) >= line.qty


def _scan(req: Requisition, code: str, picks: dict[int, list[str]]) -> str | None:
    """Pick the line a scanned code belongs to; returns an error message or None."""
    text = code.strip().upper()
    for line in req.lines:
        if line.part.serial_tracked and not _line_done(line, picks) and \
                text in stock_service.serials_in_stock(line.part, req.service_point_id):
            if text in picks.get(line.id, []):
                return _("%(code)s was already scanned.", code=text)
            picks.setdefault(line.id, []).append(text)
            return None
    for line in req.lines:
        if text in {line.part.sku, (line.part.bin_location or "").upper()}:
            if _line_done(line, picks):
                return _("%(sku)s is already picked.", sku=line.part.sku)
            picks[line.id] = []
            return None
    return _("%(code)s is not on this requisition. Check the bin.", code=text)


@bp.route("/requisitions/<int:requisition_id>", methods=["GET", "POST"])
def requisition(requisition_id: int):
    req = stock_service.get_requisition(current_user, requisition_id)
    scan_form = ScanForm(prefix="scan")
    issue_form = IssueForm(prefix="issue")
    picks = _parse_picks(scan_form.scanned.data or issue_form.scanned.data or "")
    status = 200
    issue_now = False
    if req.is_pending and issue_form.submit.data and issue_form.validate_on_submit():
        issue_now = True
    elif req.is_pending and scan_form.validate_on_submit():
        error = _scan(req, scan_form.code.data, picks)
        if error:
            scan_form.code.errors = [error]
            status = 422
        issue_now = not error and all(_line_done(line, picks) for line in req.lines)
    if issue_now:
        serials = {lid: s for lid, s in picks.items() if s}
        try:
            stock_service.issue_requisition(current_user, req, serials=serials)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            status = 409 if isinstance(exc, StockShortage) else 422
        else:
            flash(_("%(number)s issued for job %(job)s: %(total)s charged.", number=req.number, job=req.job.number,
                    total=money(sum(line.amount for line in req.lines))), "success")
            return redirect(url_for("parts.requisitions"))
    scan_form.code.data = ""
    scan_form.scanned.data = issue_form.scanned.data = _format_picks(picks).strip()
    return render_template("parts/requisition.html", req=req, scan_form=scan_form, issue_form=issue_form,
                           cancel_form=ReasonForm(formdata=None, prefix="cancel"), picks=picks,
                           done={line.id: _line_done(line, picks) for line in req.lines},
                           shortages={s.line.id: s for s in stock_service.shortages(req)} if req.is_pending else {},
                           closed_statuses={s.value for s in stock_service.CLOSED_STATUSES}), status


@bp.route("/requisitions/<int:requisition_id>/cancel", methods=["POST"])
def requisition_cancel(requisition_id: int):
    req = stock_service.get_requisition(current_user, requisition_id)
    form = ReasonForm(prefix="cancel")
    if form.validate_on_submit():
        done = attempt(lambda: stock_service.cancel_requisition(current_user, req, reason=form.reason.data))
        if done:
            flash(_("%(number)s cancelled.", number=req.number), "success")
    else:
        flash(_("The form expired; please try again."), "warning")
    if can(current_user, "parts.issue") and request.form.get("back") != "job":
        return redirect(url_for("parts.requisitions"))
    return redirect(url_for("jobs.detail", number=req.job.number) + "#parts")


# --------------------------------------------------------------------------- receiving, stock take, adjustments


@bp.route("/receive", methods=["GET", "POST"])
def receive():
    sp = _sp()
    form = ReceiveForm()
    if form.validate_on_submit():
        part = parts_service.find_by_code(form.code.data)
        if part is None:
            form.code.errors = [_("No part has the SKU or bin %(code)s. Add it to the catalogue first.",
                                  code=form.code.data.strip().upper())]
        else:
            done = attempt(lambda: stock_service.receive(current_user, sp, part, form.qty.data, note=form.note.data,
                                                         unit_cost=form.unit_cost.data or None,
                                                         serials=form.serials.data),
                           form=form, mapping={"sku": form.code})
            if done:
                level = parts_service.level(part, sp.id)
                flash(_("Received %(qty)s × %(sku)s %(name)s into bin %(bin)s; %(n)s on hand.", qty=form.qty.data,
                        sku=part.sku, name=part.name, bin=part.bin_location or "—", n=level.on_hand), "success")
                return redirect(url_for("parts.receive"))
    recent = queries.recent_receipts(sp.id)
    return render_template("parts/receive.html", form=form, sp=sp, recent=recent), 422 if form.errors else 200


@bp.route("/stock-take", methods=["GET", "POST"])
def stock_take():
    sp = _sp()
    shelf = (request.values.get("shelf") or "").strip().upper()
    form = StockTakeForm()
    parts = []
    if shelf:
        parts = queries.parts_on_shelf(shelf)
    row_errors: dict[int, list[str]] = {}
    values = {p.id: (request.form.get(f"count-{p.id}", ""), request.form.get(f"serials-{p.id}", "")) for p in parts}
    if form.validate_on_submit() and parts:
        counts = []
        for p in parts:
            counted, serials = values[p.id]
            if p.serial_tracked:
                if serials.strip() or request.form.get(f"empty-{p.id}"):
                    counts.append(stock_service.Count(p, serials=serials))
            elif counted.strip():
                counts.append(stock_service.Count(p, counted=counted))
        try:
            take = stock_service.take_stock(current_user, sp, counts, shelf=shelf, note=form.note.data)
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            for key, messages in exc.errors.items():
                parts_ = key.split(".")
                if len(parts_) == 3 and parts_[1].isdigit():
                    row_errors[counts[int(parts_[1])].part.id] = messages
                else:
                    form.form_errors.append(" ".join(messages))
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            flash(_("Count recorded: %(n)s part(s) counted, %(d)s unit(s) of difference booked as adjustments.",
                    n=take.counted, d=take.differences), "success")
            return redirect(url_for("parts.stock_take", take=take.id))
    take = None
    take_moves = []
    if request.args.get("take", "").isdigit():
        take = db.session.get(StockTake, int(request.args["take"]))
        if take is not None:
            check_service_point(current_user, take.service_point_id)
            take_moves = queries.stock_take_moves(take)
    recent = queries.recent_stock_takes(sp.id)
    status = 422 if (row_errors or form.form_errors) else 200
    return render_template("parts/stock_take.html", form=form, sp=sp, shelf=shelf, parts=parts, values=values,
                           row_errors=row_errors, take=take, take_moves=take_moves, recent=recent), status


# --------------------------------------------------------------------------- transfers


def _transfer_form() -> TransferForm:
    form = TransferForm()
    form.to_service_point.choices = [
        SelectChoice(sp.id, f"{sp.code} · {sp.name}")
        for sp in queries.transfer_destinations(current_user.service_point_id)]
    return form


@bp.route("/transfers")
def transfers():
    sps = current_user.service_point_ids
    rows = queries.transfers_touching(sps)
    return render_template("parts/transfers.html", transfers=rows, sps=sps,
                           action_form=ReasonForm(formdata=None, prefix="t"))


@bp.route("/transfers/new", methods=["GET", "POST"])
def transfer_new():
    sp = _sp()
    form = _transfer_form()
    if form.validate_on_submit():
        part = parts_service.find_by_code(form.code.data)
        if part is None:
            form.code.errors = [_("No part has the SKU or bin %(code)s.", code=form.code.data.strip().upper())]
        else:
            to_sp = db.session.get(ServicePoint, form.to_service_point.data)
            done = attempt(lambda: stock_service.send_transfer(current_user, sp, to_sp, part, form.qty.data,
                                                               serials=form.serials.data, note=form.note.data),
                           form=form, mapping={"sku": form.code})
            if done:
                t = done.value
                flash(_("%(number)s: %(qty)s × %(sku)s sent to %(to)s; it is in transit until they confirm.",
                        number=t.number, qty=t.qty, sku=part.sku, to=t.to_service_point.code), "success")
                return redirect(url_for("parts.transfers"))
    return render_template("parts/transfer_form.html", form=form, sp=sp), 422 if form.errors else 200


@bp.route("/transfers/<int:transfer_id>/confirm", methods=["POST"])
def transfer_confirm(transfer_id: int):
    return _transfer_action(transfer_id, "confirm")


@bp.route("/transfers/<int:transfer_id>/cancel", methods=["POST"])
def transfer_cancel(transfer_id: int):
    return _transfer_action(transfer_id, "cancel")


def _transfer_action(transfer_id: int, action: str):
    form = ReasonForm(prefix="t")
    transfer = stock_service.get_transfer(current_user, transfer_id)
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "warning")
        return redirect(url_for("parts.transfers"))
    if action == "confirm":
        done = attempt(lambda: stock_service.confirm_transfer(current_user, transfer))
    else:
        done = attempt(lambda: stock_service.cancel_transfer(current_user, transfer, reason=form.reason.data or ""))
    if done:
        flash(_("%(number)s received into stock.", number=transfer.number) if action == "confirm"
              else _("%(number)s cancelled; the units are back in stock.", number=transfer.number), "success")
    return redirect(url_for("parts.transfers"))


# --------------------------------------------------------------------------- defective parts (旧件回收)


@bp.route("/defective")
def defectives():
    status = request.args.get("status", "open")
    rows = queries.defectives(current_user.service_point_ids, status)
    forms = {}
    for d in rows:
        form = g.get("defective_form") if g.get("defective_id") == d.id else \
            DefectiveUpdateForm(formdata=None, prefix=f"d{d.id}", status=_next_status(d))
        form.status.choices = [SelectChoice(s, DEFECTIVE_LABELS[s]) for s in _NEXT_DEFECTIVE.get(d.status, ())]
        forms[d.id] = form
    return render_template("parts/defectives.html", rows=rows, forms=forms, status=status,
                           labels=DEFECTIVE_LABELS)


_NEXT_DEFECTIVE = {DefectiveStatus.KEPT.value: (DefectiveStatus.SENT, DefectiveStatus.CREDITED),
                   DefectiveStatus.SENT.value: (DefectiveStatus.CREDITED,)}


def _next_status(d: DefectivePart) -> str:
    return DefectiveStatus.SENT.value if d.status == DefectiveStatus.KEPT.value else DefectiveStatus.CREDITED.value


@bp.route("/defective/<int:defective_id>", methods=["POST"])
def defective_update(defective_id: int):
    d = get_scoped(current_user, DefectivePart, DefectivePart.id == defective_id,
                   missing=_("There is no defective part %(id)s.", id=defective_id))
    form = DefectiveUpdateForm(prefix=f"d{d.id}")
    if form.validate_on_submit():
        done = attempt(lambda: stock_service.update_defective(current_user, d, form.status.data,
                                                              reference=form.reference.data,
                                                              credit_amount=form.credit_amount.data), form=form)
        if done:
            flash(_("Defective part #%(id)s is now %(status)s.", id=d.id, status=status_words(d.status)), "success")
            return redirect(url_for("parts.defectives"))
    g.defective_form, g.defective_id = form, d.id
    response = defectives()
    return response[0] if isinstance(response, tuple) else response, 422


# --------------------------------------------------------------------------- CSV


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        from workshop.core import csvio

        raw = form.file.data.read()
        try:
            # UTF-8 (BOM or not), UTF-16, GB18030; else the line with the bad byte
            text = csvio.decode(raw)
            result = parts_service.import_rows(current_user, parts_service.read_csv(text),
                                               on_batch=db.session.commit)  # the counter keeps working
            db.session.commit()
        except csvio.CsvEncodingError as exc:
            form.file.errors = [*form.file.errors, exc.message]
        except ValidationError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc)
        else:
            flash(_("Import finished: %(summary)s.", summary=result.summary()),
                  "success" if not result.rejected else "warning")
    return render_template("parts/import.html", form=form, result=result), 422 if form.errors else 200


@bp.route("/export/catalogue.csv")
def export_catalogue():
    return _csv_response(parts_service.export_csv(), "parts-catalogue")


@bp.route("/export/reorder.csv")
def export_reorder():
    sp = _sp()
    return _csv_response(parts_service.reorder_csv(sp), f"reorder-{sp.code}")


# --------------------------------------------------------------------------- the job page's parts panel


job_panels.register("parts", "parts/_job_panel.html", order=30, build=panel_helpers.for_job)


def _job_page(job: Job, forms: dict, status: int = 422):
    return job_page(job, forms={"parts": forms}, status=status)


def _back_to_job(job: Job):
    return redirect(url_for("jobs.detail", number=job.number) + "#parts")


def _refused(number: str, exc: DomainError):
    """A refusal that is not about a field (the job moved on, the line is gone): say it on the job page."""
    flash(exc.message, "danger")
    return redirect(url_for("jobs.detail", number=number) + "#parts")


@bp.get("/jobs/<number>/part-options")
def job_part_options(number: str):
    """The job page's part picker asks as one types: JSON suggestions, parts that fit
    the handset first (``?q=`` SKU, name, model or bin; at most 20)."""
    job = job_service.get_job(current_user, number)
    options = parts_service.part_options(job, request.args.get("q", "")[:80])
    levels = {lv.part.id: lv for lv in parts_service.levels(job.service_point_id, [p for p, _fits in options])}
    return jsonify([{"sku": p.sku, "name": p.name, "fits": fits, "available": levels[p.id].available,
                     "label": f"{p.sku} · {p.name} · {money(p.price)} · "
                              + _("%(n)s available", n=levels[p.id].available)}
                    for p, fits in options])


@bp.route("/jobs/<number>/requisitions", methods=["POST"])
def job_request(number: str):
    job = job_service.get_job(current_user, number)
    form = RequestForm()
    if form.validate_on_submit():
        used = [f for f in form.line_forms if f.sku.data]
        if not used:
            form.line1.sku.errors = [_("Choose a part.")]
        else:
            try:
                req = stock_service.request_parts(current_user, job, form.lines(), note=form.note.data)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                if not isinstance(exc, ValidationError):
                    return _refused(number, exc)
                job = job_service.get_job(current_user, number)
                mapping = {}
                for i, f in enumerate(used):
                    mapping[f"lines.{i}.sku"] = f.sku
                    mapping[f"lines.{i}.qty"] = f.qty
                apply_domain_errors(form, exc, mapping)
            else:
                if req.fully_reserved:
                    flash(_("%(number)s sent to the parts store; the parts are reserved.", number=req.number),
                          "success")
                else:
                    flash(_("%(number)s sent to the parts store. Not everything is in stock: the job waits for "
                            "parts.", number=req.number), "warning")
                return _back_to_job(job)
    return _job_page(job, {"request": form})


def _line_action(number: str, line_id: int, kind: str):
    job = job_service.get_job(current_user, number)
    form = ReturnForm(prefix=f"{kind}{line_id}")
    if form.validate_on_submit():
        try:
            if kind == "ret":
                stock_service.return_unused(current_user, line_id, form.qty.data, job=job, serials=form.serials.data)
                message = _("Returned to stock.")
            else:
                stock_service.return_defective(current_user, line_id, form.qty.data, job=job,
                                               serials=form.serials.data, description=form.description.data)
                message = _("Logged as faulty (DOA); it is in the defective bin and not charged.")
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not isinstance(exc, ValidationError):
                return _refused(number, exc)
            job = job_service.get_job(current_user, number)
            apply_domain_errors(form, exc)
        else:
            flash(message, "success")
            return _back_to_job(job)
    return _job_page(job, {("return" if kind == "ret" else "doa", line_id): form})


@bp.route("/jobs/<number>/lines/<int:line_id>/return", methods=["POST"])
def job_return(number: str, line_id: int):
    return _line_action(number, line_id, "ret")


@bp.route("/jobs/<number>/lines/<int:line_id>/defective", methods=["POST"])
def job_defective(number: str, line_id: int):
    return _line_action(number, line_id, "doa")


@bp.route("/jobs/<number>/old-part", methods=["POST"])
def job_old_part(number: str):
    job = job_service.get_job(current_user, number)
    form = OldPartForm(prefix="old")
    if form.validate_on_submit():
        try:
            part = parts_service.get_part(form.sku.data) if form.sku.data else None
            stock_service.log_replaced_part(current_user, job, part=part, serial=form.serial.data,
                                            description=form.description.data)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            if not isinstance(exc, ValidationError):
                return _refused(number, exc)
            job = job_service.get_job(current_user, number)
            apply_domain_errors(form, exc)
        else:
            flash(_("Old part logged; it is kept for the warranty claim."), "success")
            return _back_to_job(job)
    return _job_page(job, {"old_part": form})
