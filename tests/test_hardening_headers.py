"""Issue 15, item 3: security headers on every answer; templates carry no inline script,
no on* handlers, no <style> blocks and no style attributes (the CSP would block them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _common(r):
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] in ("same-origin", "no-referrer")


@pytest.mark.sqlite_only
@pytest.mark.parametrize("url,accept", [
    ("/login", "text/html"),
    ("/no-such-page", "text/html"),
    ("/api/v1/me", "application/json"),
    ("/static/css/workshop.css", "*/*"),
    ("/track", "text/html"),
    ("/healthz", "application/json"),
])
def test_every_answer_has_the_headers(client, url, accept):
    r = client.get(url, headers={"Accept": accept})
    _common(r)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    if r.mimetype == "text/html":
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    else:
        assert "default-src 'none'" in csp
    assert "Strict-Transport-Security" not in r.headers


@pytest.mark.sqlite_only
def test_hsts_only_over_https(client):
    r = client.get("/login", base_url="https://workshop.example")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    _common(r)


@pytest.mark.sqlite_only
def test_500_answers_carry_the_headers_too(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("kaboom")

    app.view_functions["health.healthz"] = boom
    r = app.test_client().get("/healthz", headers={"Accept": "text/html"})
    assert r.status_code == 500
    _common(r)


def test_templates_have_no_inline_script_handlers_or_styles():
    offences = []
    for path in TEMPLATES.rglob("*.html"):
        if "notifications" in path.parts:  # e-mail bodies, never served as pages
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and 'type="application/json"' not in attrs:
                offences.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offences.append(f"{path.name}: on* handler")
        if re.search(r"<style\b", text):
            offences.append(f"{path.name}: inline <style>")
        if re.search(r"\bstyle\s*=", text):
            offences.append(f"{path.name}: style attribute")
        if "javascript:" in text:
            offences.append(f"{path.name}: javascript: URL")
    assert offences == []
