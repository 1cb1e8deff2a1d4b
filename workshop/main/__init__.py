"""The home page and the header scan box."""

from .views import bp

__all__ = ["bp"]
