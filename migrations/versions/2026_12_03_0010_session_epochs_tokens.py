"""hardening: per-user session epochs, token expiry, membership invitations, per-membership rates

- users.session_epoch: the session cookie carries it; sign-out, a password change,
  deactivation and "sign out everywhere" increment it, ending every session at once.
- api_tokens.expires_at: a token may expire (NULL: never).
- membership_invitations: a membership offered to an existing account, which its owner
  accepts or declines after signing in.
- project_members.hourly_rate: a project's rate for a member where it differs from theirs.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "membership_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "researcher",
                "expert",
                "reviewer",
                name="membership_invitation_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_membership_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_membership_invitations_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_membership_invitations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_invitations")),
        sa.UniqueConstraint("project_id", "user_id", name=op.f("uq_membership_invitations_project_id_user_id")),
    )
    with op.batch_alter_table("membership_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_invitations_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("project_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hourly_rate", sa.Numeric(precision=10, scale=2), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")

    with op.batch_alter_table("project_members", schema=None) as batch_op:
        batch_op.drop_column("hourly_rate")

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")

    with op.batch_alter_table("membership_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_invitations_user_id"))

    op.drop_table("membership_invitations")
