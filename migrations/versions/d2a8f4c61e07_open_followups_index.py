"""open follow-up calls on a partial index

The call list and the home page's "calls due" read the open calls (a few hundred
among hundreds of thousands answered) on (service_point_id, due_on) WHERE status =
'open'; with the status index alone SQLite walked the due-date index over the whole
history (60 ms at 250,000 calls).

Revision ID: d2a8f4c61e07
Revises: 7b3e9d2c4a15
Create Date: 2026-11-28 06:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d2a8f4c61e07"
down_revision = "7b3e9d2c4a15"
branch_labels = None
depends_on = None

OPEN = "status = 'open'"


def upgrade():
    op.create_index("ix_followups_open_due", "followups", ["service_point_id", "due_on"],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade():
    op.drop_index("ix_followups_open_due", table_name="followups")
