"""workbench (reserved for the workbench work; empty until it needs schema changes)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # workbench: drafts (unsubmitted answers, one per assignment)
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("client_saved_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"], ["assignments.id"], name=op.f("fk_drafts_assignment_id_assignments"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("assignment_id", name=op.f("uq_drafts_assignment_id")),
    )
    # kinds: uploaded task templates (one row per name and version)
    op.create_table(
        "task_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_task_templates_version_positive")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_task_templates_uploaded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_templates")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_task_templates_name_version")),
    )
    with op.batch_alter_table("task_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_templates_name"), ["name"], unique=False)


def downgrade() -> None:
    # kinds
    with op.batch_alter_table("task_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_templates_name"))
    op.drop_table("task_templates")
    # workbench
    op.drop_table("drafts")
