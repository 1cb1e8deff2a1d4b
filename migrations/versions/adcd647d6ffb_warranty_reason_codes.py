"""warranty reason codes

The job keeps its warranty reasons as codes and the values they were made from
(``jobs.warranty_reason_codes``/``warranty_reason_args``, parallel to the English
``warranty_reasons``), so the job page and the receipt can say them in the reader's
language.  Jobs taken in before this revision get empty lists and keep showing the
stored English sentences.

Revision ID: adcd647d6ffb
Revises: b7c1e2a90f3d
Create Date: 2026-11-22 18:40:46.253552
"""

import sqlalchemy as sa
from alembic import op

revision = "adcd647d6ffb"
down_revision = "b7c1e2a90f3d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warranty_reason_codes", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("warranty_reason_args", sa.JSON(), server_default="[]", nullable=False))


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("warranty_reason_args")
        batch_op.drop_column("warranty_reason_codes")
