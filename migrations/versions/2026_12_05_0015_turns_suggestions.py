"""turns and suggestions: per-turn judgments and the machine suggestion as the expert met it,
on judgments; a project's suggestion policy

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("turns", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("suggestion", sa.JSON(), nullable=True))
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suggestions", sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_projects_suggestions_policy"),
            sa.text("suggestions IS NULL OR suggestions IN ('hidden', 'after_answer', 'shown')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_projects_suggestions_policy"), type_="check")
        batch_op.drop_column("suggestions")
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.drop_column("suggestion")
        batch_op.drop_column("turns")
