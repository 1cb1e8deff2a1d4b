from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from workshop.core.locale import LANGUAGES, choose
from workshop.extensions import limiter
from workshop.pickup import collection as pickup_service

from .forms import TrackForm

bp = Blueprint("track", __name__, url_prefix="/track")

def _language(preferred: str | None = None, hint: str | None = None) -> str:
    """?lang= first, then the customer's language (``core.locale``: what they recorded,
    else the browser's, else a guess from their phone number)."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    browser = None
    if request.accept_languages:
        browser = request.accept_languages.best_match(["en", "zh_Hans", "zh_CN", "zh", "zh_TW"]) or "en"
    return choose(preferred, browser, hint)


def _render(template: str, status: int = 200, *, preferred: str | None = None, hint: str | None = None,
            **context):
    lang = _language(preferred, hint)
    here = {**(request.view_args or {}), **request.args.to_dict()}
    lang_urls = {code: url_for(request.endpoint, **{**here, "lang": code}) for code in LANGUAGES}
    with force_locale(lang):
        body = render_template(template, lang=lang, lang_urls=lang_urls, **context)
    response = current_app.make_response((body, status))
    # The URL carries the phone digits: keep it out of caches, logs of other sites, search.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("")
def lookup():
    """The form asking for the job number and the last 4 phone digits."""
    form = TrackForm(request.args if "number" in request.args else None)
    if "number" in request.args and form.validate():
        return redirect(url_for("track.status", number=form.number.data.strip().upper(),
                                phone_last4=form.phone_last4.data.strip(), lang=request.args.get("lang")))
    return _render("track/lookup.html", form=form)


@bp.route("/<number>")
@limiter.limit(lambda: current_app.config.get("TRACK_RATE_LIMIT", "10 per minute"))
def status(number: str):
    """The status of one job, for whoever knows its number and the phone's last 4 digits."""
    given = request.args.get("phone_last4")
    form = TrackForm(MultiDict({"number": number, "phone_last4": given or ""}))
    if given is None:
        form = TrackForm(MultiDict({"number": number}))
        return _render("track/lookup.html", form=form)
    if not form.validate():
        return _render("track/lookup.html", status=422, form=form)
    found = pickup_service.public_status(number, given)
    if found is None:
        return _render("track/lookup.html", status=404, form=form, not_found=True)
    return _render("track/status.html", preferred=found.locale, hint=found.locale_hint, job=found, form=form)
