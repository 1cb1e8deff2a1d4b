"""report indexes and the collected-job summary

Indexes the reports read by (models/reports.py): jobs received per service point
and day, re-repairs of a job, pickups per day, status moves per status and time,
a job's moves to a status, parts issued per service point and time, complaints
registered and follow-up calls answered per service point and time; and the
summary table ``report_collected_jobs`` (one row per collected job), filled here
from the jobs already collected and kept right from then on by the app
(workshop/reports/summary.py).

Revision ID: 3c9e1f2ab7d4
Revises: c4e7a1f3b9d2
Create Date: 2026-11-28 02:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "3c9e1f2ab7d4"
down_revision = "c14e0a7f3b52"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_jobs_sp_received_on", "jobs",
     ["service_point_id", "received_on", "rerepair_of_id", "warranty_chargeable", "engineer_id"]),
    ("ix_jobs_rerepair_of_id", "jobs", ["rerepair_of_id"]),
    ("ix_pickups_collected_on", "pickups", ["collected_on", "job_id", "repair_warranty_ends_on"]),
    ("ix_job_events_to_status_at", "job_events", ["to_status", "at", "from_status", "job_id"]),
    ("ix_job_events_job_to_status", "job_events", ["job_id", "to_status", "at"]),
    ("ix_requisitions_sp_issued_at", "requisitions", ["service_point_id", "issued_at"]),
    ("ix_complaints_sp_registered_at", "complaints", ["service_point_id", "registered_at"]),
    ("ix_followups_sp_answered_at", "followups", ["service_point_id", "answered_at", "satisfaction"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_table(
        "report_collected_jobs",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("collected_on", sa.Date(), nullable=False),
        sa.Column("ready_on", sa.Date(), nullable=True),
        sa.Column("days_to_ready", sa.Float(), nullable=True),
        sa.Column("days_to_collected", sa.Float(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("first_time_fix", sa.Boolean(), nullable=True),
        sa.Column("total", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("parts_cost", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_report_collected_jobs_job_id_jobs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["service_point_id"], ["service_points.id"],
                                name=op.f("fk_report_collected_jobs_service_point_id_service_points")),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_report_collected_jobs")),
    )
    op.create_index("ix_report_collected_jobs_sp_day", "report_collected_jobs",
                    ["service_point_id", "collected_on", "days_to_ready", "days_to_collected", "on_time",
                     "first_time_fix", "total", "parts_cost"])
    # The jobs collected before this revision: computed by the app's own code.
    from workshop.reports.summary import rebuild_facts

    rebuild_facts(op.get_bind())


def downgrade():
    op.drop_index("ix_report_collected_jobs_sp_day", table_name="report_collected_jobs")
    op.drop_table("report_collected_jobs")
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
