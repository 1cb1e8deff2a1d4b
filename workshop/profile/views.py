"""/profile: the signed-in user's own page, where they choose their language."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from models import DomainError, db

from .preferences import set_locale

bp = Blueprint("profile", __name__)


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[("", _l("As my browser says")), ("en", "English"),
                                                  ("zh_Hans", "中文（简体）")], validate_choice=False)
    submit = SubmitField(_l("Save"))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    form = LanguageForm()
    status = 200
    if form.validate_on_submit():
        try:
            changed = set_locale(current_user, current_user, form.locale.data)
        except DomainError as exc:
            form.locale.errors = list((exc.errors or {}).get("locale") or [exc.message])
            status = 422
        else:
            db.session.commit()
            if changed:
                with force_locale(current_user.locale or "en"):
                    flash(_("Language saved."), "success")
            return redirect(url_for("profile.profile"))
    elif form.is_submitted():
        status = 422
    else:
        form.locale.data = current_user.locale or ""
    return render_template("profile/profile.html", form=form), status
