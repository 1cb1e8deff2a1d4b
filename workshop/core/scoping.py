"""Loading one object with the service-point check: the one helper behind ``get_job``,
``get_loaner``, ``get_requisition``, ``get_transfer`` and the views that load a single
row of a service point's data."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select

from models import NotFound, db
from workshop.permissions.rules import check_service_point


def _own_service_point(obj) -> Iterable[int]:
    return (obj.service_point_id,)


def get_scoped(actor, model, *criteria, missing: str, for_update: bool = False,
               service_points: Callable[[object], Iterable[int]] = _own_service_point, hide: bool = False,
               options=()):
    """The ``model`` row matching ``criteria`` if ``actor`` may see it.

    ``service_points(obj)`` are the service points the row belongs to (its own by
    default); the actor needs one of them.  ``actor`` None is the system itself (demo
    data, listeners) and sees everything.  ``for_update`` locks the row (PostgreSQL)
    and reloads it.  Raises NotFound (message ``missing``) when there is none, and
    PermissionDenied when it belongs elsewhere; with ``hide`` that is NotFound too (a
    transfer's existence is not told to a third service point).  ``options`` are loader
    options (what the row is shown with).
    """
    stmt = select(model).where(*criteria)
    if options:
        stmt = stmt.options(*options)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    # unique(): options may load a collection joined (one row per item).
    obj = db.session.scalars(stmt).unique().first() if options else db.session.scalar(stmt)
    return check_scoped(actor, obj, missing=missing, service_points=service_points, hide=hide)


def check_scoped(actor, obj, *, missing: str,
                 service_points: Callable[[object], Iterable[int]] = _own_service_point, hide: bool = False):
    """``obj`` if ``actor`` may see it (see :func:`get_scoped`); raises NotFound for None."""
    if obj is None:
        raise NotFound(missing)
    if actor is not None:
        owners = set(service_points(obj))
        if not owners & set(actor.service_point_ids):
            if hide:
                raise NotFound(missing)
            check_service_point(actor, next(iter(owners)))
    return obj
