"""How SQLite transactions begin: reads never take the write lock, writers take it first.

SQLite lets one writer at a time hold its lock.  A transaction that reads and then
writes, begun with a plain (deferred) ``BEGIN``, may fail at its first write with
SQLITE_BUSY (in WAL mode SQLITE_BUSY_SNAPSHOT, which no busy timeout cures) when
another writer committed since it began reading: the unit of work would then fail
half-way.  So the unit of work is *declared* before its first statement:

- a request whose method writes (POST, PUT, PATCH, DELETE) and everything outside a
  request (CLI commands, scripts, tests) begin with ``BEGIN IMMEDIATE``: they hold
  the write lock from their first read, so they can never fail half-way and writers
  (stock decrements, job numbers) are serialised by the database;
- a GET, HEAD or OPTIONS request begins with a plain ``BEGIN``: it reads a snapshot
  and never waits for, or holds up, a writer.

A writing request may be declared with :func:`reads_first`: it begins like a read
(no lock while it authenticates, validates and looks things up), then its domain code
calls :func:`take_write_lock` right before its first write.  That ends the read
snapshot and begins ``BEGIN IMMEDIATE`` on the same connection; whatever the writes
depend on must be read (or checked again) after it.  The intake does this, so the
write lock is held for the inserts only, not for the whole request.

A deferred (reading) transaction that tries to write raises
:class:`WriteInReadTransaction` before the statement runs: a GET that writes is a bug
to fix (make it a POST) or to declare with :func:`writes`.  PostgreSQL is untouched.
"""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.exc import OperationalError

#: True: transactions begun now take the write lock up front.  The default (CLI,
#: scripts, tests) is True; a reading request sets False for its duration.
_write_intent: ContextVar[bool] = ContextVar("sqlite_write_intent", default=True)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


class WriteInReadTransaction(RuntimeError):
    """A statement that writes ran in a transaction begun for reading."""


def writes(view):
    """Mark a view that writes although it answers GET (it then takes the write lock)."""
    view.sqlite_writes = True
    return view


def reads_first(view):
    """Mark a writing view whose unit of work reads first and calls :func:`take_write_lock`
    before its first write (its transaction begins deferred, not IMMEDIATE)."""
    view.sqlite_reads_first = True
    return view


def take_write_lock(session) -> None:
    """Before the first write of a :func:`reads_first` unit of work: on SQLite, end the
    read snapshot and hold the write lock from now on (``BEGIN IMMEDIATE``).  Nothing
    is expired: the objects read so far keep what they held; read again whatever the
    writes depend on.  A no-op on PostgreSQL and in a transaction that already writes.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    transaction = session().get_transaction() if callable(session) else session.get_transaction()
    if transaction is None:
        with write_intent(True):
            session.connection()  # begins IMMEDIATE
        return
    for entry in getattr(transaction, "_connections", {}).values():
        conn = entry[0]
        if conn.info.get("sqlite_read_only"):
            # The read transaction wrote nothing: end it and take the lock on the same connection.
            conn.exec_driver_sql("COMMIT")
            _begin_immediate(conn)
            conn.info["sqlite_read_only"] = False


@contextmanager
def write_intent(value: bool = True):
    """Begin transactions inside the block for writing (True) or for reading (False)."""
    token = _write_intent.set(value)
    try:
        yield
    finally:
        _write_intent.reset(token)


#: How long a writer waits for the write lock before "database is locked" (the
#: connection's busy_timeout, set in workshop/__init__.py, is the same).
LOCK_WAIT_SECONDS = 10.0


def _begin_immediate(conn) -> None:
    """``BEGIN IMMEDIATE``, retried every millisecond while another writer holds the lock.

    SQLite's own busy handler sleeps 1, 2, 5, 10 ... up to 100 ms between tries, so a
    writer waiting behind a 5 ms transaction often sleeps 20-50 ms: with several
    workers taking in handsets at once, the lock then sits idle most of the time.
    Here the waiter retries every millisecond (up to :data:`LOCK_WAIT_SECONDS`).
    """
    dbapi = conn.connection.dbapi_connection
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    dbapi.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                if not isinstance(exc.orig, sqlite3.OperationalError) or "locked" not in str(exc.orig):
                    raise
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.001)
    finally:
        dbapi.execute(f"PRAGMA busy_timeout={int(LOCK_WAIT_SECONDS * 1000)}")


def _begin(conn) -> None:
    immediate = _write_intent.get()
    conn.info["sqlite_read_only"] = not immediate
    if immediate:
        _begin_immediate(conn)
    else:
        conn.exec_driver_sql("BEGIN")


def _end(conn) -> None:
    conn.info.pop("sqlite_read_only", None)


def _guard(conn, cursor, statement, parameters, context, executemany) -> None:
    if conn.info.get("sqlite_read_only") and _WRITE_SQL.match(statement):
        raise WriteInReadTransaction(
            "A statement that writes ran in a transaction begun for reading (plain BEGIN, "
            "e.g. in a GET request): " + statement.split("\n", 1)[0][:120])


def install(engine) -> None:
    """Hook the begin/guard listeners onto an SQLite ``engine`` (idempotent)."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "begin", _begin):
        return
    event.listen(engine, "begin", _begin)
    event.listen(engine, "commit", _end)
    event.listen(engine, "rollback", _end)
    event.listen(engine, "before_cursor_execute", _guard)


def init_app(app, session) -> None:
    """Per request: reading methods begin deferred transactions, the rest IMMEDIATE."""
    from flask import request

    state_key = "_sqlite_tx_token"

    @app.before_request
    def _declare_unit_of_work():
        view = app.view_functions.get(request.endpoint or "")
        reading = ((request.method in READ_METHODS and not getattr(view, "sqlite_writes", False))
                   or _marked_reads_first(view))
        if not reading and _in_read_transaction(session):
            # A session kept across requests (a test holding the app context) may still
            # be in a reading transaction: end it, it wrote nothing.
            session.rollback()
        setattr(request, state_key, _write_intent.set(not reading))

    @app.teardown_request
    def _end_unit_of_work(_exc=None):
        token = getattr(request, state_key, None)
        if token is not None:
            if _in_read_transaction(session):
                session.rollback()
            _write_intent.reset(token)


def _in_read_transaction(session) -> bool:
    transaction = session().get_transaction()
    if transaction is None:
        return False
    # SessionTransaction keeps its connections as (connection, transaction, ...) tuples.
    return any(entry[0].info.get("sqlite_read_only") for entry in getattr(transaction, "_connections", {}).values())


def _marked_reads_first(view) -> bool:
    if getattr(view, "sqlite_reads_first", False):
        return True
    # A MethodView (the API): the handler of this method carries the mark.
    from flask import request

    handler = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    return bool(getattr(handler, "sqlite_reads_first", False))
