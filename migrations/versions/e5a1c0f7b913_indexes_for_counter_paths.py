"""indexes for the counter paths at a million jobs

Partial indexes on open jobs (a few hundred among a million) for the home page,
bench queue and board, engineer loads, uncollected list and promise watch; an
index on customer names for search by name (exact or prefix).

Revision ID: e5a1c0f7b913
Revises: adcd647d6ffb
Create Date: 2026-11-28 02:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e5a1c0f7b913"
down_revision = "e15a0c3d9b21"
branch_labels = None
depends_on = None

OPEN = "status <> 'collected'"


def upgrade():
    op.create_index("ix_jobs_open_sp", "jobs", ["service_point_id", "status", "promised_by"],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index("ix_jobs_open_engineer", "jobs", ["engineer_id", "status"],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index("ix_customers_name", "customers", ["name"])


def downgrade():
    op.drop_index("ix_customers_name", table_name="customers")
    op.drop_index("ix_jobs_open_engineer", table_name="jobs")
    op.drop_index("ix_jobs_open_sp", table_name="jobs")
