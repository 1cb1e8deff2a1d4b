"""the reports' daily summary

``report_days``: one row per service point and local day with the counts and sums
the KPIs add up over a period (jobs received, re-repairs, warranty jobs; jobs
collected, made ready, on time, first-time fixes, charged, revenue, parts cost),
filled here from the jobs and the collected-job summary and kept right from then
on by the app (workshop/reports/summary.py).  ``report_collected_jobs`` gets an
index for the drill-down lists' pages (by collection day and job).  The index of
re-repairs becomes partial (only jobs that are one): with the NULLs counted SQLite's
statistics called it useless and the planner walked the jobs by date instead.

Revision ID: 9b4d2e7c1a60
Revises: 3c9e1f2ab7d4
Create Date: 2026-11-28 05:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9b4d2e7c1a60"
down_revision = "3c9e1f2ab7d4"
branch_labels = None
depends_on = None

COUNTS = ("received", "rerepairs", "warranty", "collected", "made_ready", "on_time_base", "on_time", "ftf_base",
          "first_time_fix", "charged")


def upgrade():
    op.drop_index("ix_jobs_rerepair_of_id", table_name="jobs")
    op.create_index("ix_jobs_rerepair_of_id", "jobs", ["rerepair_of_id"],
                    sqlite_where=sa.text("rerepair_of_id IS NOT NULL"),
                    postgresql_where=sa.text("rerepair_of_id IS NOT NULL"))
    op.create_index("ix_report_collected_jobs_day_job", "report_collected_jobs",
                    ["collected_on", "job_id", "service_point_id"])
    op.create_table(
        "report_days",
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.Column("revenue", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("parts_cost", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["service_point_id"], ["service_points.id"],
                                name=op.f("fk_report_days_service_point_id_service_points")),
        sa.PrimaryKeyConstraint("service_point_id", "day", name=op.f("pk_report_days")),
    )
    # The days so far: recounted by the app's own code from the jobs and the
    # collected-job summary (kept right since 3c9e1f2ab7d4).
    from workshop.reports.summary import rebuild_days

    rebuild_days(op.get_bind())


def downgrade():
    op.drop_table("report_days")
    op.drop_index("ix_report_collected_jobs_day_job", table_name="report_collected_jobs")
    op.drop_index("ix_jobs_rerepair_of_id", table_name="jobs")
    op.create_index("ix_jobs_rerepair_of_id", "jobs", ["rerepair_of_id"])
