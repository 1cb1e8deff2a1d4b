"""What the parts pages and panels read: read-only queries of the parts store, so the
views and templates run none of their own.  Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select

from models import (
    DefectivePart,
    Part,
    Requisition,
    ServicePoint,
    StockMove,
    StockTake,
    Transfer,
    db,
)
from models.parts import DefectiveStatus, MoveKind, RequisitionStatus, TransferStatus


def _pending(service_point_ids: Iterable[int]):
    return (Requisition.service_point_id.in_(list(service_point_ids)),
            Requisition.status == RequisitionStatus.PENDING.value)


def pending_requisitions(service_point_ids: Iterable[int], limit: int | None = None) -> list[Requisition]:
    """Requisitions waiting for the store, oldest first (the first ``limit`` of them)."""
    return list(db.session.scalars(
        select(Requisition).where(*_pending(service_point_ids))
        .order_by(Requisition.requested_at, Requisition.id).limit(limit)))


def count_pending_requisitions(service_point_ids: Iterable[int]) -> int:
    return db.session.scalar(select(func.count()).select_from(Requisition).where(*_pending(service_point_ids)))


def recently_issued(service_point_ids: Iterable[int], limit: int = 20) -> list[Requisition]:
    return list(db.session.scalars(
        select(Requisition).where(Requisition.service_point_id.in_(list(service_point_ids)),
                                  Requisition.status == RequisitionStatus.ISSUED.value)
        .order_by(Requisition.issued_at.desc()).limit(limit)))


def my_pending_requisitions(user_id: int, limit: int = 10) -> list[Requisition]:
    return list(db.session.scalars(select(Requisition).where(
        Requisition.requested_by_id == user_id, Requisition.status == RequisitionStatus.PENDING.value)
        .order_by(Requisition.id).limit(limit)))


def incoming_transfers(service_point_id: int) -> list[Transfer]:
    """Transfers on their way to the service point."""
    return list(db.session.scalars(
        select(Transfer).where(Transfer.to_service_point_id == service_point_id,
                               Transfer.status == TransferStatus.IN_TRANSIT.value).order_by(Transfer.id)))


def count_incoming_transfers(service_point_id: int) -> int:
    return db.session.scalar(select(func.count(Transfer.id)).where(
        Transfer.to_service_point_id == service_point_id, Transfer.status == TransferStatus.IN_TRANSIT.value))


def transfers_touching(service_point_ids: Iterable[int], limit: int = 200) -> list[Transfer]:
    """Transfers from or to the service points, the ones in transit first."""
    sps = list(service_point_ids)
    return list(db.session.scalars(
        select(Transfer).where(or_(Transfer.from_service_point_id.in_(sps), Transfer.to_service_point_id.in_(sps)))
        .order_by((Transfer.status == TransferStatus.IN_TRANSIT.value).desc(), Transfer.id.desc()).limit(limit)))


def transfer_destinations(from_service_point_id: int) -> list[ServicePoint]:
    """The active service points a transfer may go to."""
    return list(db.session.scalars(
        select(ServicePoint).where(ServicePoint.active.is_(True), ServicePoint.id != from_service_point_id)
        .order_by(ServicePoint.code)))


def service_points(ids: Iterable[int]) -> list[ServicePoint]:
    return list(db.session.scalars(select(ServicePoint).where(ServicePoint.id.in_(list(ids)))
                                   .order_by(ServicePoint.code)))


def part_moves(part: Part, service_point_id: int, limit: int = 300) -> list[StockMove]:
    """The part's ledger at the service point, newest first."""
    return list(db.session.scalars(
        select(StockMove).where(StockMove.part_id == part.id, StockMove.service_point_id == service_point_id)
        .order_by(StockMove.id.desc()).limit(limit)))


def recent_receipts(service_point_id: int, limit: int = 25) -> list[StockMove]:
    return list(db.session.scalars(
        select(StockMove).where(StockMove.service_point_id == service_point_id,
                                StockMove.kind == MoveKind.RECEIPT.value)
        .order_by(StockMove.id.desc()).limit(limit)))


def parts_on_shelf(shelf: str) -> list[Part]:
    """Active parts whose bin starts with ``shelf`` (or whose SKU is it), in bin order."""
    return list(db.session.scalars(
        select(Part).where(Part.active.is_(True), or_(Part.bin_location.like(f"{shelf}%"), Part.sku == shelf))
        .order_by(Part.bin_location, Part.sku)))


def stock_take_moves(take: StockTake) -> list[StockMove]:
    return list(db.session.scalars(select(StockMove).where(StockMove.stock_take_id == take.id)
                                   .order_by(StockMove.id)))


def recent_stock_takes(service_point_id: int, limit: int = 10) -> list[StockTake]:
    return list(db.session.scalars(select(StockTake).where(StockTake.service_point_id == service_point_id)
                                   .order_by(StockTake.id.desc()).limit(limit)))


def defectives(service_point_ids: Iterable[int], status: str = "open", limit: int = 300) -> list[DefectivePart]:
    """Old parts kept at the service points: ``status`` "open" (not yet credited), one
    status, or anything else for all; newest first."""
    stmt = select(DefectivePart).where(DefectivePart.service_point_id.in_(list(service_point_ids)))
    if status == "open":
        stmt = stmt.where(DefectivePart.status != DefectiveStatus.CREDITED.value)
    elif status in {s.value for s in DefectiveStatus}:
        stmt = stmt.where(DefectivePart.status == status)
    return list(db.session.scalars(stmt.order_by(DefectivePart.id.desc()).limit(limit)))


def defectives_of_job(job) -> list[DefectivePart]:
    return list(db.session.scalars(select(DefectivePart).where(DefectivePart.job_id == job.id)
                                   .order_by(DefectivePart.id)))


def count_kept_defectives(service_point_id: int) -> int:
    return db.session.scalar(select(func.count(DefectivePart.id)).where(
        DefectivePart.service_point_id == service_point_id, DefectivePart.status == DefectiveStatus.KEPT.value))
