"""What the reports read by (workshop/reports): indexes on the other domains' tables
(kept here, so each domain's model module stays as its owners wrote it) and the
collected-job summary.  Alembic revision 3c9e1f2ab7d4 creates them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Numeric
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
#: "Did it come back?": re-repairs of a job.
ix_jobs_rerepair_of_id = Index("ix_jobs_rerepair_of_id", Job.rerepair_of_id)
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
    )
