"""Behind a reverse proxy: trust its X-Forwarded-For/-Proto/-Host when told to.

``PROXY_FIX_X_FOR`` (and ``PROXY_FIX_X_PROTO``, ``PROXY_FIX_X_HOST``) give how many
proxies in front of the app set each header; 0 (the default) trusts none, so a client
cannot pick its own address for the sign-in throttle by sending the header itself.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    x_for = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    x_proto = int(app.config.get("PROXY_FIX_X_PROTO") or 0)
    x_host = int(app.config.get("PROXY_FIX_X_HOST") or 0)
    if x_for or x_proto or x_host:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto, x_host=x_host)
