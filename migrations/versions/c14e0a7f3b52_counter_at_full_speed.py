"""the counter at full speed (issue 14)

- ``jobs.stub_token``: the secret on the customer's receipt stub; existing jobs get
  a fresh random token each (their printed stubs, carrying only the job number, no
  longer verify: the counter falls back to phone digits and ID).
- ``jobs.customer_name``: the customer's name as the job's receipts were issued with
  it, so correcting the customer record never reprints an earlier job's receipt.
- ``jobs.open_job_override_reason``: why a manager took a handset in while it had
  another open job.

Revision ID: c14e0a7f3b52
Revises: adcd647d6ffb
Create Date: 2026-11-28 02:00:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "c14e0a7f3b52"
down_revision = "e5a1c0f7b913"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stub_token", sa.String(length=16), nullable=True))
    conn = op.get_bind()
    jobs = sa.table("jobs", sa.column("id", sa.Integer), sa.column("stub_token", sa.String))
    for (job_id,) in conn.execute(sa.select(jobs.c.id)).all():
        conn.execute(jobs.update().where(jobs.c.id == job_id)
                     .values(stub_token=f"{secrets.randbelow(10 ** 12):012d}"))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.alter_column("stub_token", existing_type=sa.String(length=16), nullable=False)


    # The name the job's receipts were issued with: existing jobs take the name on
    # the customer record now.
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_name", sa.String(length=120), nullable=True))
    op.execute("UPDATE jobs SET customer_name = (SELECT name FROM customers WHERE customers.id = jobs.customer_id)")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_job_override_reason", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("customer_name")
        batch_op.drop_column("open_job_override_reason")
        batch_op.drop_column("stub_token")
