"""assignment: adjudication, assignment purpose, review state and review holds

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adjudications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "done", name="adjudication_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("agreement_pct", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("judgment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "agreement_pct >= 0 AND agreement_pct <= 100", name=op.f("ck_adjudications_agreement_pct_range")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_adjudications_assignment_id_assignments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_adjudications_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["judgment_id"], ["judgments.id"], name=op.f("fk_adjudications_judgment_id_judgments"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_adjudications_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjudications")),
        sa.UniqueConstraint("item_id", name=op.f("uq_adjudications_item_id")),
    )
    op.create_index("ix_adjudications_queue", "adjudications", ["project_id", "status", "created_at"], unique=False)

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "purpose",
                sa.Enum("judge", "adjudicate", name="assignment_purpose", native_enum=False, create_constraint=True),
                server_default="judge",
                nullable=False,
            )
        )

    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjudication", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(
            sa.Column(
                "review_state",
                sa.Enum(
                    "pending", "accepted", "rejected", name="review_state", native_enum=False, create_constraint=True
                ),
                server_default="pending",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("review_claimed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review_claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_judgments_review_queue", ["project_id", "review_state", "updated_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_judgments_review_claimed_by_id_users"),
            "users",
            ["review_claimed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("project_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjudicator", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjudication_threshold", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "adjudication_threshold_range",
            "adjudication_threshold IS NULL OR (adjudication_threshold >= 1 AND adjudication_threshold <= 100)",
        )

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reviews_revision_id_judgment_revisions"),
            "judgment_revisions",
            ["revision_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reviews_revision_id_judgment_revisions"), type_="foreignkey")
        batch_op.drop_column("revision_id")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint("adjudication_threshold_range", type_="check")
        batch_op.drop_column("adjudication_threshold")

    with op.batch_alter_table("project_members", schema=None) as batch_op:
        batch_op.drop_column("adjudicator")

    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_judgments_review_claimed_by_id_users"), type_="foreignkey")
        batch_op.drop_index("ix_judgments_review_queue")
        # SQLite's batch copy would keep the enum's CHECK on a column it no longer has.
        batch_op.drop_constraint(op.f("ck_judgments_review_state"), type_="check")
        batch_op.drop_column("review_claimed_until")
        batch_op.drop_column("review_claimed_by_id")
        batch_op.drop_column("review_state")
        batch_op.drop_column("adjudication")

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_assignments_assignment_purpose"), type_="check")
        batch_op.drop_column("purpose")

    op.drop_index("ix_adjudications_queue", table_name="adjudications")
    op.drop_table("adjudications")
