"""Throttling failed attempts: sign-ins (per account and per client address) and any
other guess worth limiting (:func:`exhausted` / :func:`count`, e.g. receipt stubs
scanned at pickup that do not match, per job).

Counted in Flask-Limiter's storage (``RATELIMIT_STORAGE_URI``): ``memory://`` for one
process, ``redis://...`` shared by every worker and server.  Only failed sign-ins
count.  The per-client limit is generous (a whole counter behind one NAT address
shares it); the per-account limit is tight and is cleared by a successful sign-in.
The caller passes the client address (``request.remote_addr``, which is the real
client behind a proxy only when ProxyFix is configured, see workshop/security/proxy.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import parse

from workshop.extensions import limiter


@dataclass(frozen=True)
class Limits:
    per_account: str  # e.g. "5 per 5 minutes"
    per_client: str  # e.g. "50 per 5 minutes"
    prefix: str = ""


@dataclass(frozen=True)
class Refusal:
    reason: str  # "account" or "client"
    retry_after: int  # seconds


def _keys(limits: Limits, username: str, client: str):
    account = (username or "").strip().lower()[:64]
    return (
        ("account", parse(limits.per_account), (f"{limits.prefix}login-account", account)),
        ("client", parse(limits.per_client), (f"{limits.prefix}login-client", client or "unknown")),
    )


def refused(limits: Limits, username: str, client: str) -> Refusal | None:
    """A Refusal when this account or this client has used up its failed sign-ins."""
    strategy = limiter.limiter
    for reason, item, ids in _keys(limits, username, client):
        if not strategy.test(item, *ids):
            stats = strategy.get_window_stats(item, *ids)
            return Refusal(reason, max(1, int(stats.reset_time - time.time())))
    return None


def failed(limits: Limits, username: str, client: str) -> None:
    """Count one failed sign-in against the account and the client."""
    strategy = limiter.limiter
    for _reason, item, ids in _keys(limits, username, client):
        strategy.hit(item, *ids)


def exhausted(limit: str, *key: str) -> int | None:
    """Seconds until ``key`` may try again when its failures used up ``limit`` (e.g.
    "5 per 15 minutes"), else None."""
    item = parse(limit)
    strategy = limiter.limiter
    if strategy.test(item, *key):
        return None
    stats = strategy.get_window_stats(item, *key)
    return max(1, int(stats.reset_time - time.time()))


def count(limit: str, *key: str) -> None:
    """Count one failure against ``key``."""
    limiter.limiter.hit(parse(limit), *key)


def succeeded(limits: Limits, username: str, client: str) -> None:
    """A good sign-in clears the account's count (the client's stays)."""
    _reason, item, ids = _keys(limits, username, client)[0]
    limiter.limiter.clear(item, *ids)
