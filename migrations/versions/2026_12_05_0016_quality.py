"""quality: gold mixing and qualification settings of a project, qualification attempts,
position checks (items shown again with the order swapped), and the quality report kept until
the judgments change

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gold_rate", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("qualification_size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("qualification_threshold", sa.Double(), server_default="0.8", nullable=False))
        batch_op.add_column(sa.Column("qualification_retake_hours", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("qualification_tag", sa.String(length=100), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_projects_gold_rate_range"), "gold_rate IS NULL OR (gold_rate >= 0 AND gold_rate <= 1)"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_projects_qualification_size_positive"),
            "qualification_size IS NULL OR qualification_size >= 1",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_projects_qualification_threshold_range"),
            "qualification_threshold >= 0 AND qualification_threshold <= 1",
        )

    op.create_table(
        "qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "passed", "failed", name="qualification_status", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("size >= 1", name=op.f("ck_qualifications_size_positive")),
        sa.CheckConstraint(
            "correct >= 0 AND correct <= answered", name=op.f("ck_qualifications_correct_within_answered")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_qualifications_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_qualifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualifications")),
        sa.UniqueConstraint(
            "project_id", "user_id", "attempt", name=op.f("uq_qualifications_project_id_user_id_attempt")
        ),
    )
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.create_index("ix_qualifications_user_tag", ["user_id", "tag", "status"], unique=False)

    op.create_table(
        "quality_snapshots",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_quality_snapshots_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_quality_snapshots")),
    )

    op.create_table(
        "position_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("judgment_id", sa.Integer(), nullable=False),
        sa.Column("display_order", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["expert_id"], ["users.id"], name=op.f("fk_position_checks_expert_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_position_checks_item_id_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["judgment_id"],
            ["judgments.id"],
            name=op.f("fk_position_checks_judgment_id_judgments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_position_checks_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_checks")),
        sa.UniqueConstraint("judgment_id", name=op.f("uq_position_checks_judgment_id")),
    )
    with op.batch_alter_table("position_checks", schema=None) as batch_op:
        batch_op.create_index("ix_position_checks_expert", ["project_id", "expert_id", "answered_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("position_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_position_checks_expert")
    op.drop_table("position_checks")
    op.drop_table("quality_snapshots")
    with op.batch_alter_table("qualifications", schema=None) as batch_op:
        batch_op.drop_index("ix_qualifications_user_tag")
    op.drop_table("qualifications")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_projects_qualification_threshold_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_projects_qualification_size_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_projects_gold_rate_range"), type_="check")
        batch_op.drop_column("qualification_tag")
        batch_op.drop_column("qualification_retake_hours")
        batch_op.drop_column("qualification_threshold")
        batch_op.drop_column("qualification_size")
        batch_op.drop_column("gold_rate")
