"""The job page: every area (intake, bench, parts, pickup) adds its panel to it."""

from .views import bp

__all__ = ["bp"]
