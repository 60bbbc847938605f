"""ingest: batch progress, heartbeat and skipped rows; interrupted state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


OLD_STATES = "status IN ('running', 'complete', 'failed')"
NEW_STATES = "status IN ('running', 'complete', 'failed', 'interrupted')"


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("progress", sa.Double(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("rows_total", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("worker", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("skipped", sa.JSON(), nullable=False, server_default="[]"))
        # A new state: widen the column and its CHECK constraint.
        batch_op.drop_constraint(op.f("ck_batches_batch_status"), type_="check")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=8), type_=sa.String(length=11), existing_nullable=False
        )
        batch_op.create_check_constraint(op.f("ck_batches_batch_status"), sa.text(NEW_STATES))


def downgrade() -> None:
    op.execute("UPDATE batches SET status = 'failed' WHERE status = 'interrupted'")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_batches_batch_status"), type_="check")
        batch_op.alter_column(
            "status", existing_type=sa.String(length=11), type_=sa.String(length=8), existing_nullable=False
        )
        batch_op.create_check_constraint(op.f("ck_batches_batch_status"), sa.text(OLD_STATES))
        batch_op.drop_column("skipped")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("worker")
        batch_op.drop_column("rows_total")
        batch_op.drop_column("progress")
