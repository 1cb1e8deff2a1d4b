"""Password policy: long enough, not the username, not common or trivial.

``zxcvbn`` (a port of Dropbox's estimator, with its lists of the most common
passwords, names and words) scores a password 0-4; below ``MIN_SCORE`` it is refused,
as is anything that contains the username.
"""

from __future__ import annotations

from flask_babel import get_locale, gettext
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 200  # scrypt takes anything, but a megabyte "password" is an attack
MIN_SCORE = 2


def problems(password: str, *, username: str = "", display_name: str = "") -> list[str]:
    """What is wrong with ``password`` (empty when it is acceptable)."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [gettext("Use at least %(count)s characters.", count=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [gettext("Use at most %(count)s characters.", count=MAX_LENGTH)]
    lowered = password.lower()
    for name in (username, display_name):
        name = (name or "").strip().lower()
        if len(name) >= 3 and name in lowered:
            return [gettext("The password must not contain the username or name.")]
    inputs = [x for x in (username, display_name, "workshop", "repair") if x]
    result = zxcvbn(password[:100], user_inputs=inputs)
    if result["score"] < MIN_SCORE:
        hint = (result.get("feedback") or {}).get("warning") or ""
        # zxcvbn's own hint is English only: shown to English readers alone.
        if get_locale() is not None and str(get_locale()) != "en":
            hint = ""
        message = gettext("This password is too common or too easy to guess; use a longer, less predictable one.")
        return [f"{message} {hint}".strip()]
    return []
