"""Times on pages in the service point's own clock: the ``local`` template filter.

Stored times are UTC; every page and document shows them on the clock of the
service point they belong to (the job's), else the signed-in user's.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_login import current_user

from workshop.core import clock

DEFAULT_FORMAT = "%Y-%m-%d %H:%M"


def local(value: dt.datetime | None, service_point=None, fmt: str = DEFAULT_FORMAT) -> str:
    """``value`` (stored UTC) formatted on ``service_point``'s clock (default: the
    signed-in user's service point; UTC when there is none). Empty for None."""
    if value is None:
        return ""
    if service_point is None and current_user and current_user.is_authenticated:
        service_point = current_user.service_point
    moment = clock.local_now(service_point, value) if service_point is not None else clock.as_utc(value)
    return moment.strftime(fmt)


def init_app(app: Flask) -> None:
    app.add_template_filter(local, "local")
