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
