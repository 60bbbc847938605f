"""judgments: an index on (project_id, expert_id, created_at, id), an expert's judgments by time

The task page shows how many judgments the expert has made in the project, and today:
counts over this index (a range of it for today), no table row read, where they read
every one of the expert's judgment rows. Their history page lists the same judgments
newest first (created_at, then id) and reads a page of them from it in order.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_judgments_expert_created", ["project_id", "expert_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.drop_index("ix_judgments_expert_created")
