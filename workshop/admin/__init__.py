"""Users and service points."""

from .views import bp

__all__ = ["bp"]
