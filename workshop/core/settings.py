"""The settings domain code reads, through one door.

Domain modules never import ``current_app`` or ``request``.  Where a caller has the
setting at hand it passes it as an argument; where no caller can (a signal listener
queueing a customer message, a rule deep inside intake) the module reads it here.
``create_app`` installs the source: the running app's configuration, read when the
value is needed (so a test that changes ``app.config`` is heard), and the public base
URL (``PUBLIC_BASE_URL``, else the host of the request being answered).  Without an
installed source, or outside an app context (plain unit tests), every setting is its
default and the base URL is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_config: Callable[[str, Any], Any] | None = None
_base_url: Callable[[], str] | None = None


def install(config: Callable[[str, Any], Any], base_url: Callable[[], str]) -> None:
    """Where settings come from: ``config(name, default)`` and ``base_url()``."""
    global _config, _base_url
    _config, _base_url = config, base_url


def setting(name: str, default: Any = None) -> Any:
    """The configuration value ``name`` (``default`` when unset or nothing is installed)."""
    return default if _config is None else _config(name, default)


def public_base_url() -> str:
    """The address customers reach the app at, without a trailing slash ("" when unknown)."""
    return "" if _base_url is None else (_base_url() or "").rstrip("/")
