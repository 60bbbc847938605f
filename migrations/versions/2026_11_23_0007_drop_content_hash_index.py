"""items: drop the (project_id, content_hash) index, which no query used

Re-imports are recognised by external id (a row without one gets an id made from
its content hash), through the (project_id, external_id) unique index; the
content-hash index only cost every import a random-order index insert per row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_items_project_id_content_hash", table_name="items")


def downgrade() -> None:
    op.create_index("ix_items_project_id_content_hash", "items", ["project_id", "content_hash"], unique=False)
