"""The signed-in user's own settings: the language the app speaks to them."""

from .views import bp

__all__ = ["bp"]
