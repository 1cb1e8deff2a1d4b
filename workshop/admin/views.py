from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

import labels
from models import DomainError, ServicePoint, User, db
from workshop.forms import apply_domain_errors
from workshop.permissions import check_service_point
from workshop.services import accounts

from .forms import ServicePointForm, ServicePointSettingsForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _service_point_choices():
    stmt = select(ServicePoint).order_by(ServicePoint.code)
    if current_user.role != "admin":
        stmt = stmt.where(ServicePoint.id.in_(current_user.service_point_ids))
    return [SelectChoice(sp.id, f"{sp.code} · {sp.name}") for sp in db.session.scalars(stmt)]


@bp.route("/users")
def users():
    rows = db.session.scalars(accounts.visible_users(current_user)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserForm()
    form.service_point.choices = _service_point_choices()
    if form.validate_on_submit():
        try:
            sp = db.session.get(ServicePoint, form.service_point.data)
            accounts.check_may_manage(current_user, form.role.data, sp)
            user = accounts.create_user(
                form.username.data, form.role.data, form.password.data or "",
                service_point=sp, display_name=form.display_name.data or "",
                engineer_level=form.engineer_level.data, brands=form.brands.data or "",
                actor=current_user,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc)
        else:
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    accounts.check_may_manage(current_user, user.role, user.service_point)
    form = UserForm(obj=user)
    form.service_point.choices = _service_point_choices()
    form.username.render_kw = {"readonly": True}
    if form.is_submitted():
        form.username.data = user.username
        form.service_point.data = user.service_point_id
    if form.validate_on_submit():
        try:
            accounts.check_may_manage(current_user, form.role.data, user.service_point)
            accounts.update_user(
                user, actor=current_user, role=form.role.data, display_name=form.display_name.data,
                active=form.active.data, password=form.password.data or None,
                engineer_level=form.engineer_level.data, brands=form.brands.data or "",
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc)
        else:
            flash(_("User %(name)s saved.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/service-points")
def service_points():
    rows = db.session.scalars(select(ServicePoint).order_by(ServicePoint.code)).all()
    return render_template("admin/service_points.html", service_points=rows)


@bp.route("/service-points/new", methods=["GET", "POST"])
def service_point_new():
    form = ServicePointForm()
    if form.validate_on_submit():
        try:
            sp = accounts.create_service_point(
                form.code.data, form.name.data, address=form.address.data or "",
                phone=form.phone.data or "", timezone=form.timezone.data or None, actor=current_user,
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc)
        else:
            flash(_("Service point %(code)s created.", code=sp.code), "success")
            return redirect(url_for("admin.service_points"))
    return render_template("admin/service_point_form.html", form=form)


@bp.route("/service-points/<code>/settings", methods=["GET", "POST"])
def service_point_settings(code: str):
    """Counter settings: printing defaults, repair warranty, reminders (manager, admin)."""
    sp = accounts.service_point_by_code(code)
    if sp is None:
        from flask import abort

        abort(404, description=f"There is no service point {code}.")
    if current_user.role != "admin":
        check_service_point(current_user, sp.id)
    form = ServicePointSettingsForm(obj=sp)
    form.label_size.choices = [SelectChoice(k, s.description) for k, s in labels.LABEL_SIZES.items()]
    form.receipt_format.choices = [SelectChoice(k, f.description) for k, f in labels.RECEIPT_FORMATS.items()]
    form.printer_dpi.choices = [SelectChoice(d, f"{d} dpi") for d in labels.PRINTER_DPIS]
    if form.validate_on_submit():
        try:
            accounts.update_service_point_settings(
                sp, actor=current_user, name=form.name.data, address=form.address.data or "",
                phone=form.phone.data or "", timezone=form.timezone.data, label_size=form.label_size.data,
                receipt_format=form.receipt_format.data, printer_dpi=form.printer_dpi.data,
                repair_warranty_days=form.repair_warranty_days.data,
                reminder_after_days=form.reminder_after_days.data,
                staff_remedy_limit=form.staff_remedy_limit.data, followup_after_days=form.followup_after_days.data,
                receipt_terms=(form.receipt_terms.data or "").strip(),
            )
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_errors(form, exc)
        else:
            flash(_("Settings of %(code)s saved.", code=sp.code), "success")
            return redirect(url_for("admin.service_point_settings", code=sp.code))
    return render_template("admin/service_point_settings.html", form=form, sp=sp)
