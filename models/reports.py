"""Indexes the reports read by (workshop/reports).  Kept here, on the other domains'
tables, so that each domain's model module stays as its owners wrote it; Alembic
revision 3c9e1f2ab7d4 creates them."""

from __future__ import annotations

from sqlalchemy import Index

from .jobs import Job, JobEvent
from .parts import Requisition
from .pickup import PickupRecord

#: Jobs received in a period at some service points (the received cohort, jobs per day).
ix_jobs_sp_received_on = Index("ix_jobs_sp_received_on", Job.service_point_id, Job.received_on)
#: "Did it come back?": re-repairs of a job.
ix_jobs_rerepair_of_id = Index("ix_jobs_rerepair_of_id", Job.rerepair_of_id)
#: Jobs collected in a period (the collected cohort).
ix_pickups_collected_on = Index("ix_pickups_collected_on", PickupRecord.collected_on, PickupRecord.job_id)
#: Status moves in a period (QC passes and failures per engineer).
ix_job_events_to_status_at = Index("ix_job_events_to_status_at", JobEvent.to_status, JobEvent.at)
#: A job's moves to one status (when it became ready).
ix_job_events_job_to_status = Index("ix_job_events_job_to_status", JobEvent.job_id, JobEvent.to_status, JobEvent.at)
#: Parts issued in a period at a service point.
ix_requisitions_sp_issued_at = Index("ix_requisitions_sp_issued_at", Requisition.service_point_id,
                                     Requisition.issued_at)

REPORT_INDEXES = (ix_jobs_sp_received_on, ix_jobs_rerepair_of_id, ix_pickups_collected_on,
                  ix_job_events_to_status_at, ix_job_events_job_to_status, ix_requisitions_sp_issued_at)
