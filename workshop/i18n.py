"""UI translations: compile ``translations/<locale>/LC_MESSAGES/messages.po`` to
``.mo`` when the catalogue is newer than its compiled form (or the compiled form is
missing, as on a fresh checkout), so no separate build step is needed.

Update the catalogue after changing UI strings, then fill in the new ``msgstr``:

    pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --ignore-dirs ".* __pycache__" \
        --no-location --sort-output --project workshop -o translations/messages.pot .
    pybabel update -i translations/messages.pot -d translations -w 100
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def compile_catalogs(directory: str | os.PathLike) -> list[Path]:
    """Compile every stale ``.po`` under ``directory``; return the ``.mo`` files written.

    Each file is written to a temporary name and renamed into place, so processes
    starting together never read half a file.  A directory that cannot be written is
    logged and skipped (the existing ``.mo``, if any, is used).
    """
    written = []
    for po in sorted(Path(directory).glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=po.parent.parent.name)
            fd, tmp = tempfile.mkstemp(prefix=".messages-", suffix=".mo", dir=po.parent)
            with os.fdopen(fd, "wb") as handle:
                write_mo(handle, catalog)
            os.replace(tmp, mo)
        except OSError as exc:
            log.warning("Could not compile %s: %s", po, exc)
            continue
        written.append(mo)
    return written


def _request_translations():
    """The current request's catalogue, looked up once per request and locale.

    Flask-Babel finds it anew for each string (a dozen context-local lookups and a
    locale formatted to text); a job page translates ~150 strings.  The result is kept
    on the request's Babel namespace next to the locale it was found for, so
    ``force_locale`` (a receipt printed in the other language) still switches it.
    """
    from flask.globals import _cv_app
    from flask_babel import get_locale, get_translations

    app_context = _cv_app.get(None)
    if app_context is None:
        return get_translations()
    namespace = getattr(app_context.g, "_flask_babel", None)
    locale = getattr(namespace, "babel_locale", None)
    if locale is None:  # not chosen yet in this request: let Flask-Babel choose it
        get_locale()
        namespace = app_context.g._flask_babel
        locale = namespace.babel_locale
    cached = namespace.__dict__.get("workshop_translations")
    if cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    namespace.workshop_translations = (locale, translations)
    return translations


def install_template_gettext(app) -> None:
    """Templates translate through :func:`_request_translations` (after Babel's init_app)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )
