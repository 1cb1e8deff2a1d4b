"""What the reports read by (workshop/reports): indexes on the other domains' tables
(kept here, so each domain's model module stays as its owners wrote it), the
collected-job summary (Alembic 3c9e1f2ab7d4) and the daily summary (Alembic
9b4d2e7c1a60)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from .aftercare import Complaint, FollowUp
from .base import db
from .jobs import Job, JobEvent
from .parts import Requisition
from .pickup import PickupRecord

#: Jobs received in a period at some service points (the received cohort, jobs per day);
#: it carries what the received figures test, so counting never reads the wide job rows.
ix_jobs_sp_received_on = Index("ix_jobs_sp_received_on", Job.service_point_id, Job.received_on,
                               Job.rerepair_of_id, Job.warranty_chargeable, Job.engineer_id)
#: "Did it come back?": re-repairs of a job.  Partial: most jobs are no re-repair, and
#: with the NULLs counted SQLite's statistics call the index useless (it then walked
#: the jobs by date for each collected job).
ix_jobs_rerepair_of_id = Index("ix_jobs_rerepair_of_id", Job.rerepair_of_id,
                               sqlite_where=Job.rerepair_of_id.is_not(None),
                               postgresql_where=Job.rerepair_of_id.is_not(None))
#: Jobs collected in a period (the collected cohort).
ix_pickups_collected_on = Index("ix_pickups_collected_on", PickupRecord.collected_on, PickupRecord.job_id,
                                PickupRecord.repair_warranty_ends_on)
#: Status moves in a period (QC passes and failures per engineer).
ix_job_events_to_status_at = Index("ix_job_events_to_status_at", JobEvent.to_status, JobEvent.at,
                                   JobEvent.from_status, JobEvent.job_id)
#: A job's moves to one status (when it became ready).
ix_job_events_job_to_status = Index("ix_job_events_job_to_status", JobEvent.job_id, JobEvent.to_status, JobEvent.at)
#: Parts issued in a period at a service point.
ix_requisitions_sp_issued_at = Index("ix_requisitions_sp_issued_at", Requisition.service_point_id,
                                     Requisition.issued_at)

#: Complaints registered in a period (the complaint statistics).
ix_complaints_sp_registered_at = Index("ix_complaints_sp_registered_at", Complaint.service_point_id,
                                       Complaint.registered_at)
#: Follow-up calls answered in a period, with their score (satisfaction).
ix_followups_sp_answered_at = Index("ix_followups_sp_answered_at", FollowUp.service_point_id, FollowUp.answered_at,
                                    FollowUp.satisfaction)

REPORT_INDEXES = (ix_jobs_sp_received_on, ix_jobs_rerepair_of_id, ix_pickups_collected_on,
                  ix_job_events_to_status_at, ix_job_events_job_to_status, ix_requisitions_sp_issued_at,
                  ix_complaints_sp_registered_at, ix_followups_sp_answered_at)


class CollectedJobFact(db.Model):
    """One row per collected job: what the collected-cohort KPIs need, computed once
    (workshop/reports/summary.py) in the transaction that collects the job, and again
    in the one that takes in a re-repair of it.  The KPIs read it instead of walking
    pickups, jobs and events (docs/PERFORMANCE.md, "Reports").

    A per-job row rather than per-day sums: the median and the 90th percentile of
    turnaround need each job's value.
    """

    __tablename__ = "report_collected_jobs"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"))
    collected_on: Mapped[dt.date] = mapped_column(Date)
    ready_on: Mapped[dt.date | None] = mapped_column(Date)
    days_to_ready: Mapped[float | None] = mapped_column(Float)
    days_to_collected: Mapped[float] = mapped_column(Float)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    first_time_fix: Mapped[bool | None] = mapped_column(Boolean)
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    parts_cost: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    __table_args__ = (
        # Covers every column the KPIs read, so they never touch the table itself.
        Index("ix_report_collected_jobs_sp_day", "service_point_id", "collected_on", "days_to_ready",
              "days_to_collected", "on_time", "first_time_fix", "total", "parts_cost"),
        # The drill-down lists' pages: by collection day and job (keyset).
        Index("ix_report_collected_jobs_day_job", "collected_on", "job_id", "service_point_id"),
    )


class ReportDay(db.Model):
    """One row per service point and local day: the counts and sums the KPIs add up
    over a period, so a month reads ~30 rows per service point instead of ~30,000 jobs.

    Received side (jobs whose ``received_on`` is the day): ``received``, ``rerepairs``
    (``rerepair_of`` set), ``warranty`` (``warranty_chargeable`` false).  Collected side
    (the :class:`CollectedJobFact` rows whose ``collected_on`` is the day): ``collected``,
    ``made_ready`` (with a days-to-ready), ``on_time_base`` / ``on_time``,
    ``ftf_base`` / ``first_time_fix``, ``charged`` (total > 0), ``revenue``, ``parts_cost``.

    Kept right by workshop/reports/summary.py in the transactions that change jobs;
    a row is the same recount :func:`summary.day_rows` makes from the raw rows.
    Medians and percentiles are not sums: they are read from :class:`CollectedJobFact`.
    """

    __tablename__ = "report_days"

    service_point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    rerepairs: Mapped[int] = mapped_column(Integer, default=0)
    warranty: Mapped[int] = mapped_column(Integer, default=0)
    collected: Mapped[int] = mapped_column(Integer, default=0)
    made_ready: Mapped[int] = mapped_column(Integer, default=0)
    on_time_base: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    ftf_base: Mapped[int] = mapped_column(Integer, default=0)
    first_time_fix: Mapped[int] = mapped_column(Integer, default=0)
    charged: Mapped[int] = mapped_column(Integer, default=0)
    revenue: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"))
    parts_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0.00"))

    #: The counted columns, in the order :func:`summary.day_rows` yields them.
    COUNTS = ("received", "rerepairs", "warranty", "collected", "made_ready", "on_time_base", "on_time", "ftf_base",
              "first_time_fix", "charged", "revenue", "parts_cost")
