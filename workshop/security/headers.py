"""Security headers on every answer (issue 15).

HTML pages get a strict Content-Security-Policy: scripts and styles only from this
site's /static (no inline script, no style attributes, no eval), no plugins, no
framing.  Other answers (JSON, CSV) get ``default-src 'none'``; PDFs get no CSP (the
browser's PDF viewer is a plugin that ``object-src 'none'`` would block) and may be
framed only by this site's pages.  HSTS is sent when the request came over HTTPS (behind a proxy
that only works with ProxyFix configured, see workshop/security/proxy.py).
"""

from __future__ import annotations

from flask import Flask, request

HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


def add_security_headers(response):
    headers = response.headers
    mimetype = response.mimetype or ""
    if mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", HTML_CSP)
    elif mimetype != "application/pdf":
        headers.setdefault("Content-Security-Policy", OTHER_CSP)
    # A PDF may be framed by this site's own pages (the job page loads the new job's tag
    # label and receipt in frames to print them); nothing else is framed by anyone.
    headers.setdefault("X-Frame-Options", "SAMEORIGIN" if mimetype == "application/pdf" else "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
