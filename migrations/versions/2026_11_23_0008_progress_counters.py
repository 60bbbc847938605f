"""progress: per-project counters, items.judged_count, and a queue index in claim order

``project_counters`` holds the progress page's big numbers (items, judgments, skips,
judgments per UTC day, and items per number of judgments), kept by the application in
the same transaction as the change they count; ``items.judged_count`` is each item's number of judgments
(tie-breakers excluded). Both are backfilled here from the rows they summarise.

``ix_items_queue`` is rebuilt with ``assigned_count`` descending, the order in which
claims take items (started first, then import order): a claim is then one index seek
instead of a sort of every open item.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Plain table stubs: a migration never imports application code.
items = sa.table(
    "items", sa.column("id", sa.Integer), sa.column("project_id", sa.Integer), sa.column("judged_count", sa.Integer)
)
judgments = sa.table(
    "judgments",
    sa.column("item_id", sa.Integer),
    sa.column("project_id", sa.Integer),
    sa.column("adjudication", sa.Boolean),
    sa.column("created_at", sa.DateTime),
)
assignments = sa.table("assignments", sa.column("project_id", sa.Integer), sa.column("status", sa.String))
counters = sa.table(
    "project_counters",
    sa.column("project_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("shard", sa.Integer),
    sa.column("value", sa.BigInteger),
)


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("judged_count", sa.Integer(), server_default="0", nullable=False))
    op.drop_index("ix_items_queue", table_name="items")
    op.create_index(
        "ix_items_queue",
        "items",
        ["project_id", "priority", sa.literal_column("assigned_count DESC"), "id"],
        unique=False,
    )
    op.create_table(
        "project_counters",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_counters_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("project_id", "name", "shard", name=op.f("pk_project_counters")),
    )

    judged = (
        sa.select(sa.func.count())
        .select_from(judgments)
        # project_id too, so that each item's count is one seek of (project_id, item_id).
        .where(
            judgments.c.project_id == items.c.project_id,
            judgments.c.item_id == items.c.id,
            judgments.c.adjudication == sa.false(),
        )
        .scalar_subquery()
    )
    judged_items = sa.select(judgments.c.item_id).where(judgments.c.adjudication == sa.false())
    op.execute(items.update().where(items.c.id.in_(judged_items)).values(judged_count=judged))

    def backfill(name, source):
        op.execute(counters.insert().from_select(["project_id", "name", "shard", "value"], source))

    zero = sa.literal(0)
    backfill(
        "items", sa.select(items.c.project_id, sa.literal("items"), zero, sa.func.count()).group_by(items.c.project_id)
    )
    backfill(
        "judgments",
        sa.select(judgments.c.project_id, sa.literal("judgments"), zero, sa.func.count()).group_by(
            judgments.c.project_id
        ),
    )
    backfill(
        "skips",
        sa.select(assignments.c.project_id, sa.literal("skips"), zero, sa.func.count())
        .where(assignments.c.status == "skipped")
        .group_by(assignments.c.project_id),
    )
    if op.get_bind().dialect.name == "postgresql":
        utc_day = sa.func.to_char(sa.func.timezone("UTC", judgments.c.created_at), "YYYY-MM-DD")
    else:
        utc_day = sa.func.date(judgments.c.created_at)  # stored as UTC text
    backfill(
        "days",
        sa.select(judgments.c.project_id, sa.literal("day_") + utc_day, zero, sa.func.count()).group_by(
            judgments.c.project_id, utc_day
        ),
    )
    backfill(
        "judged",
        sa.select(
            items.c.project_id, sa.literal("judged_") + sa.cast(items.c.judged_count, sa.String), zero, sa.func.count()
        )
        .where(items.c.judged_count > 0)
        .group_by(items.c.project_id, items.c.judged_count),
    )


def downgrade() -> None:
    op.drop_table("project_counters")
    op.drop_index("ix_items_queue", table_name="items")
    op.create_index("ix_items_queue", "items", ["project_id", "priority", "assigned_count", "id"], unique=False)
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("judged_count")
