from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from models import db
from workshop.core import accounts, audit, throttle

from .forms import LoginForm, LogoutForm

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target.rstrip("?") or None


def _login_limits() -> throttle.Limits:
    config = current_app.config
    return throttle.Limits(per_account=config["LOGIN_ACCOUNT_FAILURE_LIMIT"],
                           per_client=config["LOGIN_FAILURE_LIMIT"],
                           prefix=config.get("RATELIMIT_KEY_PREFIX") or "")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        limits, client = _login_limits(), request.remote_addr or ""
        refusal = throttle.refused(limits, form.username.data, client)
        if refusal is not None:
            if refusal.reason == "client":
                message = _("Too many failed sign-ins from here; wait a few minutes and try again.")
            else:
                message = _("Too many failed sign-ins for this account; wait a few minutes and try again.")
            form.password.errors.append(message)
            response = current_app.make_response((render_template("auth/login.html", form=form), 429))
            response.headers["Retry-After"] = str(refusal.retry_after)
            return response
        user = accounts.authenticate(form.username.data, form.password.data)
        if user is None:
            throttle.failed(limits, form.username.data, client)
            form.password.errors.append(_("Wrong username or password, or the account is disabled."))
        else:
            throttle.succeeded(limits, form.username.data, client)
            login_user(user, remember=form.remember.data)
            audit.record(user, "user.login", user, service_point_id=user.service_point_id)
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # Server-side: the cookie (and any copy of it, and remember-me) stops working.
            from workshop.core.sessions import end_sessions

            end_sessions(current_user, actor=current_user)
            db.session.commit()
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
