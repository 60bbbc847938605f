"""exports: status, progress, summary, files and error of every export

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exports", schema=None) as batch_op:
        # Exports recorded before this revision had finished (or were abandoned mid-stream).
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "running", "complete", "failed", name="export_status", native_enum=False, create_constraint=True
                ),
                server_default="running",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("rows_done", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("judgments_total", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("summary", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("output", sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column("files", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_exports_rows_done_not_negative"), "rows_done >= 0")
    op.execute(
        "UPDATE exports SET status = CASE WHEN finished_at IS NULL THEN 'failed' ELSE 'complete' END, rows_done = COALESCE(row_count, 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_exports_rows_done_not_negative"), type_="check")
        # SQLite's batch copy would keep the enum's CHECK on a column it no longer has.
        batch_op.drop_constraint(op.f("ck_exports_export_status"), type_="check")
        batch_op.drop_column("error")
        batch_op.drop_column("files")
        batch_op.drop_column("output")
        batch_op.drop_column("summary")
        batch_op.drop_column("judgments_total")
        batch_op.drop_column("rows_done")
        batch_op.drop_column("status")
