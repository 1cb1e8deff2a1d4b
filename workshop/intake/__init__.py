"""Front-desk intake (受理) and what it relies on: the TAC table, the blocked
register and warranty policies."""

from . import devices, policies, views  # noqa: F401  (each registers its routes on bp)
from .blueprint import bp

__all__ = ["bp"]
