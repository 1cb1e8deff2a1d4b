"""The app as bench/web.py serves it: the real app plus two routes that do nothing
but pass through everything the app does for every request.

- ``GET /api/v1/bench-noop`` answers ``{}`` to a bearer token: the token and its user
  checked, the permission table, rate limits, the request guard, the security
  headers and the transaction around the request, but no job read and nothing
  serialised.  No API path can cost less.
- ``GET /bench-noop`` renders the page layout (navigation, the user's menus, the
  CSRF and language bits) with an empty body to a signed-in user: no page can cost
  less.

Both carry the permission of the path they stand for (the scan API's and the job
page's).  Measured beside the floor, they show how close to the floor any path of
the app can get on this machine (docs/PERFORMANCE.md, issue 13).  The other routes
are the app's own, untouched.
"""

from __future__ import annotations

from flask import jsonify, render_template

from workshop import create_app
from workshop.permissions.rules import ENDPOINT_RULES

ENDPOINT_RULES["bench_noop_api"] = ENDPOINT_RULES["api_bench.Scan"]
ENDPOINT_RULES["bench_noop_page"] = ENDPOINT_RULES["jobs.detail"]

app = create_app()
#: Compiled once, as the app's templates are.
_EMPTY_PAGE = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}{% endblock %}')


@app.get("/api/v1/bench-noop", endpoint="bench_noop_api")
def noop_api():
    return jsonify({})


@app.get("/bench-noop", endpoint="bench_noop_page")
def noop_page():
    return render_template(_EMPTY_PAGE)
