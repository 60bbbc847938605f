"""jobs: background work on the task queue, as the app records it; a queued state for batches
(and an index to find a project's batches that are not complete, which the import keeps invisible)

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

OLD_STATES = "status IN ('running', 'complete', 'failed', 'interrupted')"
NEW_STATES = "status IN ('queued', 'running', 'complete', 'failed', 'interrupted')"


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "retrying",
                "failed",
                "done",
                name="job_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=255), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_jobs_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_kind_subject", ["kind", "subject_id"], unique=False)
        batch_op.create_index("ix_jobs_status", ["status"], unique=False)

    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.create_index("ix_batches_project_status", ["project_id", "status"], unique=False)
        batch_op.drop_constraint(op.f("ck_batches_batch_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_batches_batch_status"), sa.text(NEW_STATES))


def downgrade() -> None:
    # A queued import never started: it did not happen.
    op.execute("UPDATE batches SET status = 'failed', error = 'never started' WHERE status = 'queued'")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_batches_batch_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_batches_batch_status"), sa.text(OLD_STATES))
        batch_op.drop_index("ix_batches_project_status")

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status")
        batch_op.drop_index("ix_jobs_kind_subject")

    op.drop_table("jobs")
