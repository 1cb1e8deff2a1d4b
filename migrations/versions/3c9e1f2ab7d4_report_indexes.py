"""report indexes

Indexes the reports read by (models/reports.py): jobs received per service point
and day, re-repairs of a job, pickups per day, status moves per status and time,
a job's moves to a status, parts issued per service point and time.

Revision ID: 3c9e1f2ab7d4
Revises: adcd647d6ffb
Create Date: 2026-11-28 02:05:00
"""

from alembic import op

revision = "3c9e1f2ab7d4"
down_revision = "adcd647d6ffb"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_jobs_sp_received_on", "jobs", ["service_point_id", "received_on"]),
    ("ix_jobs_rerepair_of_id", "jobs", ["rerepair_of_id"]),
    ("ix_pickups_collected_on", "pickups", ["collected_on", "job_id"]),
    ("ix_job_events_to_status_at", "job_events", ["to_status", "at"]),
    ("ix_job_events_job_to_status", "job_events", ["job_id", "to_status", "at"]),
    ("ix_requisitions_sp_issued_at", "requisitions", ["service_point_id", "issued_at"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
