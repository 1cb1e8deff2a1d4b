"""The floor of bench/web.py: the least a Flask + SQLAlchemy + Jinja page can cost here.

One route, ``/jobs/<number>``: one indexed query for the job by number (SQLAlchemy
Core, pooled connection), rendered by a Jinja template compiled once.  Served by
gunicorn like the app, on the same database (``FLOOR_DATABASE_URL``)::

    FLOOR_DATABASE_URL=sqlite:////tmp/bench.db gunicorn -w 2 -b 127.0.0.1:8001 bench.floor:app
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, abort
from sqlalchemy import create_engine, event, text

app = Flask(__name__)
engine = create_engine(os.environ["FLOOR_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1),
                       pool_pre_ping=False)


@event.listens_for(engine, "connect")
def _pragmas(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA busy_timeout=10000")


QUERY = text("SELECT number, status, brand, model, colour, imei, fault_description, received_at, promised_by "
             "FROM jobs WHERE number = :number")
PAGE = app.jinja_env.from_string(
    "<!doctype html><html><head><title>{{ job.number }}</title></head><body>"
    "<h1>{{ job.number }}</h1><dl><dt>Status</dt><dd>{{ job.status }}</dd>"
    "<dt>Handset</dt><dd>{{ job.brand }} {{ job.model }} {{ job.colour }}</dd>"
    "<dt>IMEI</dt><dd>{{ job.imei or '' }}</dd><dt>Fault</dt><dd>{{ job.fault_description }}</dd>"
    "<dt>Received</dt><dd>{{ job.received_at }}</dd><dt>Promised</dt><dd>{{ job.promised_by }}</dd></dl>"
    "</body></html>")


@app.get("/jobs/<number>")
def job(number: str):
    with engine.connect() as conn:
        row = conn.execute(QUERY, {"number": number}).mappings().first()
    if row is None:
        abort(404)
    return PAGE.render(job=row)
