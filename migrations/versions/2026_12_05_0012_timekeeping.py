"""timekeeping: server-measured active time, authenticity flags, rates over time, timesheets

- activity_intervals: stretches of active time per person and activity (task, instructions,
  review, adjudication), made from heartbeats; activity_clocks: each person's latest interval,
  the row a heartbeat locks so two tabs never count one second twice.
- judgments.interval_count, .signals (how the answer's text was entered), .flags and
  .flag_bits (too_fast, mostly_pasted, idle_submit, each with the value that raised it).
- rate_changes: hourly rates as set over time (a person's own, or one project's for them),
  seeded from the current rates as in force since 1970, so earlier days are paid as before.
- timesheet_locks and timesheet_lines: approved periods and their hours and pay as approved;
  timesheet_adjustments: visible corrections booked later.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Rates set before time was measured apply to all of it.
SINCE_EVER = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    rate_changes = op.create_table(
        "rate_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("hourly_rate", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_rate_changes_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_rate_changes_set_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_rate_changes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_changes")),
    )
    with op.batch_alter_table("rate_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rate_changes_user_project_effective", ["user_id", "project_id", "effective_at"], unique=False
        )

    op.create_table(
        "timesheet_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("corrects_day", sa.Date(), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_timesheet_adjustments_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_timesheet_adjustments_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_timesheet_adjustments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timesheet_adjustments")),
    )
    with op.batch_alter_table("timesheet_adjustments", schema=None) as batch_op:
        batch_op.create_index("ix_timesheet_adjustments_project_day", ["project_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_timesheet_adjustments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "timesheet_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("locked_by_id", sa.Integer(), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("last_day >= first_day", name=op.f("ck_timesheet_locks_period_not_empty")),
        sa.ForeignKeyConstraint(
            ["locked_by_id"], ["users.id"], name=op.f("fk_timesheet_locks_locked_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_timesheet_locks_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timesheet_locks")),
    )
    with op.batch_alter_table("timesheet_locks", schema=None) as batch_op:
        batch_op.create_index("ix_timesheet_locks_project_days", ["project_id", "first_day", "last_day"], unique=False)

    op.create_table(
        "timesheet_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lock_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("rates", sa.JSON(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.CheckConstraint("seconds >= 0", name=op.f("ck_timesheet_lines_seconds_not_negative")),
        sa.ForeignKeyConstraint(
            ["lock_id"],
            ["timesheet_locks.id"],
            name=op.f("fk_timesheet_lines_lock_id_timesheet_locks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_timesheet_lines_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timesheet_lines")),
        sa.UniqueConstraint("lock_id", "user_id", "day", name=op.f("uq_timesheet_lines_lock_id_user_id_day")),
    )
    with op.batch_alter_table("timesheet_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timesheet_lines_user_id"), ["user_id"], unique=False)

    op.create_table(
        "activity_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column(
            "activity",
            sa.Enum(
                "task",
                "instructions",
                "review",
                "adjudication",
                name="activity",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("judgment_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ms", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("ended_at >= started_at", name=op.f("ck_activity_intervals_ends_after_start")),
        sa.CheckConstraint("ms >= 0", name=op.f("ck_activity_intervals_ms_not_negative")),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_activity_intervals_assignment_id_assignments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["judgment_id"],
            ["judgments.id"],
            name=op.f("fk_activity_intervals_judgment_id_judgments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_activity_intervals_project_id_projects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_activity_intervals_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_intervals")),
    )
    with op.batch_alter_table("activity_intervals", schema=None) as batch_op:
        batch_op.create_index("ix_activity_intervals_assignment", ["assignment_id"], unique=False)
        batch_op.create_index("ix_activity_intervals_judgment", ["judgment_id"], unique=False)
        batch_op.create_index("ix_activity_intervals_project_ended", ["project_id", "ended_at"], unique=False)
        batch_op.create_index("ix_activity_intervals_user_ended", ["user_id", "ended_at"], unique=False)

    op.create_table(
        "activity_clocks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("interval_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interval_id"],
            ["activity_intervals.id"],
            name=op.f("fk_activity_clocks_interval_id_activity_intervals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_activity_clocks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_activity_clocks")),
    )
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interval_count", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("signals", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("flags", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("flag_bits", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index("ix_judgments_project_flags", ["project_id", "flag_bits", "expert_id"], unique=False)

    _seed_rates(rate_changes)


def _seed_rates(rate_changes: sa.Table) -> None:
    """The rates in force now, as in force since ever: a person's own, and each project's for them."""
    conn = op.get_bind()
    users = sa.table("users", sa.column("id"), sa.column("hourly_rate"))
    members = sa.table("project_members", sa.column("user_id"), sa.column("project_id"), sa.column("hourly_rate"))
    now = datetime.now(UTC)
    rows = [
        {"user_id": user_id, "project_id": None, "hourly_rate": rate}
        for user_id, rate in conn.execute(
            sa.select(users.c.id, users.c.hourly_rate).where(users.c.hourly_rate.isnot(None))
        )
    ] + [
        {"user_id": user_id, "project_id": project_id, "hourly_rate": rate}
        for user_id, project_id, rate in conn.execute(
            sa.select(members.c.user_id, members.c.project_id, members.c.hourly_rate).where(
                members.c.hourly_rate.isnot(None)
            )
        )
    ]
    if rows:
        op.bulk_insert(rate_changes, [{**row, "effective_at": SINCE_EVER, "created_at": now} for row in rows])


def downgrade() -> None:
    with op.batch_alter_table("judgments", schema=None) as batch_op:
        batch_op.drop_index("ix_judgments_project_flags")
        batch_op.drop_column("flag_bits")
        batch_op.drop_column("flags")
        batch_op.drop_column("signals")
        batch_op.drop_column("interval_count")
    op.drop_table("activity_clocks")
    with op.batch_alter_table("activity_intervals", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_intervals_user_ended")
        batch_op.drop_index("ix_activity_intervals_project_ended")
        batch_op.drop_index("ix_activity_intervals_judgment")
        batch_op.drop_index("ix_activity_intervals_assignment")
    op.drop_table("activity_intervals")
    with op.batch_alter_table("timesheet_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timesheet_lines_user_id"))
    op.drop_table("timesheet_lines")
    with op.batch_alter_table("timesheet_locks", schema=None) as batch_op:
        batch_op.drop_index("ix_timesheet_locks_project_days")
    op.drop_table("timesheet_locks")
    with op.batch_alter_table("timesheet_adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timesheet_adjustments_user_id"))
        batch_op.drop_index("ix_timesheet_adjustments_project_day")
    op.drop_table("timesheet_adjustments")
    with op.batch_alter_table("rate_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_changes_user_project_effective")
    op.drop_table("rate_changes")
