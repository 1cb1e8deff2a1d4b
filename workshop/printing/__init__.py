"""Printed documents: device tag labels, customer receipts, batches."""

from .views import bp

__all__ = ["bp"]
