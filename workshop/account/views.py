from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from models import ApiToken, User, db
from workshop.core import tokens as token_rules
from workshop.permissions.rules import check_service_point

from .forms import RevokeForm

bp = Blueprint("account", __name__)


@bp.route("/account/tokens")
def tokens():
    """The signed-in user's own API tokens."""
    return _tokens_page(current_user)


@bp.route("/admin/users/<int:user_id>/tokens")
def user_tokens(user_id: int):
    """A managed user's API tokens (managers: their service points' non-admins; admins: all)."""
    owner = db.get_or_404(User, user_id)
    if current_user.role != "admin":
        check_service_point(current_user, owner.service_point_id)
    return _tokens_page(owner)


def _tokens_page(owner: User):
    rows = token_rules.tokens_of(current_user, owner)
    return render_template("account/tokens.html", owner=owner, tokens=rows, form=RevokeForm())


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    form = RevokeForm()
    if form.validate_on_submit():
        token_rules.revoke_token(current_user, token)
        db.session.commit()
        flash(_("Token %(prefix)s… revoked.", prefix=token.prefix), "success")
    if token.user_id == current_user.id:
        return redirect(url_for("account.tokens"))
    return redirect(url_for("account.user_tokens", user_id=token.user_id))
