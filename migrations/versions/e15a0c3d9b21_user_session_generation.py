"""Users get a session generation: bumping it ends every session of that user.

Revision ID: e15a0c3d9b21
Revises: adcd647d6ffb
"""

import sqlalchemy as sa
from alembic import op

revision = "e15a0c3d9b21"
down_revision = "c4e7a1f3b9d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
