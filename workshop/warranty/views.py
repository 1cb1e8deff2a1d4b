"""Admin pages for warranty policies: the list, a new policy, editing one.
The terms are validated by the policy engine itself (workshop.warranty.policies)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from models import DomainError, ServicePoint, WarrantyPolicy, db
from workshop.intake.blueprint import bp
from workshop.intake.forms import PolicyForm, show_errors
from workshop.warranty import policies as policy_service
from workshop.warranty.engine import COMPONENTS, SANBAO

_TERM_FIELDS = policy_service.DAY_FIELDS + ("proof_required", "restart_on_exchange")


def _service_point_choices(form: PolicyForm) -> None:
    form.service_points.choices = [SelectChoice(sp.id, f"{sp.code} · {sp.name}") for sp in
                                   db.session.scalars(select(ServicePoint).order_by(ServicePoint.code))]


def _fill(form: PolicyForm, policy: WarrantyPolicy | None) -> None:
    terms = policy_service.terms_of(policy) if policy is not None else SANBAO
    data = terms.as_mapping()
    for name in _TERM_FIELDS:
        getattr(form, name).data = data[name]
    for component in COMPONENTS:
        getattr(form, f"component_months_{component}").data = data["component_months"].get(component)
    if policy is not None:
        form.code.data, form.name.data = policy.code, policy.name
        form.chain_default.data, form.active.data = policy.chain_default, policy.active
        form.service_points.data = policy_service.default_service_point_ids(policy)


def _terms_from(form: PolicyForm) -> dict:
    data = {name: getattr(form, name).data for name in _TERM_FIELDS}
    data["component_months"] = {c: getattr(form, f"component_months_{c}").data for c in COMPONENTS}
    data["code"], data["name"] = form.code.data, form.name.data
    return data


def _save(form: PolicyForm, policy: WarrantyPolicy | None):
    if not form.validate_on_submit():
        return None, (422 if form.is_submitted() else 200)
    try:
        saved = policy_service.save(current_user, _terms_from(form), policy=policy,
                                    chain_default=form.chain_default.data, active=form.active.data,
                                    service_point_ids=form.service_points.data or [])
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        show_errors(form, exc.errors, exc.message)
        return None, 422
    flash(_("Warranty policy %(code)s saved.", code=saved.code), "success")
    return redirect(url_for("intake.policies")), 302


@bp.route("/admin/warranty-policies")
def policies():
    rows = policy_service.all_policies()
    return render_template("intake/policies.html", policies=rows, terms={p.id: policy_service.terms_of(p)
                                                                          for p in rows},
                           fallback=policy_service.FALLBACK_NOTE if not rows else None)


@bp.route("/admin/warranty-policies/new", methods=["GET", "POST"])
def policy_new():
    form = PolicyForm()
    _service_point_choices(form)
    if not form.is_submitted():
        _fill(form, None)
        form.code.data = form.name.data = ""
    response, status = _save(form, None)
    if response is not None:
        return response
    return render_template("intake/policy_form.html", form=form, policy=None, components=COMPONENTS), status


@bp.route("/admin/warranty-policies/<int:policy_id>", methods=["GET", "POST"])
def policy_edit(policy_id: int):
    policy = db.get_or_404(WarrantyPolicy, policy_id)
    form = PolicyForm()
    _service_point_choices(form)
    if not form.is_submitted():
        _fill(form, policy)
    form.code.data = policy.code  # the code never changes: jobs carry it
    response, status = _save(form, policy)
    if response is not None:
        return response
    return render_template("intake/policy_form.html", form=form, policy=policy, components=COMPONENTS), status
