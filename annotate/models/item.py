"""What gets judged: import batches and their items."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.types import Json, str_enum


class BatchStatus(enum.Enum):
    # Waiting for a worker of the task queue (a web import); nothing read yet.
    QUEUED = "queued"
    # Rows are being written: they stay invisible (claims, counts, exports, the data
    # browser) until the batch is complete; see annotate.ingest.pipeline.
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    # The importing process died (killed, crashed, machine restarted): nothing was kept
    # (rows it had written are removed; a job's retry reopens the batch).
    INTERRUPTED = "interrupted"


# The batches whose items nobody sees: not yet complete (queued, running) or never to be
# (failed, interrupted: their rows are being deleted). See annotate.ingest.pipeline.
HIDDEN_STATUSES = (BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.FAILED, BatchStatus.INTERRUPTED)


class Batch(Base):
    """One import: where it came from, how it was read, and what it produced."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(32))
    shape: Mapped[str] = mapped_column(String(32), default="")
    mapping: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # The importer always says (queued, then running, then complete or failed); a batch made
    # by other means (a script, a test, a benchmark) holds rows already written: complete.
    status: Mapped[BatchStatus] = mapped_column(str_enum(BatchStatus, "batch_status"), default=BatchStatus.COMPLETE)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_new: Mapped[int] = mapped_column(default=0)
    rows_duplicate: Mapped[int] = mapped_column(default=0)
    rows_skipped: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # Progress of a running import, committed as it goes (see annotate.ingest.services).
    progress: Mapped[float] = mapped_column(default=0.0)
    rows_total: Mapped[int | None] = mapped_column()
    # Who runs it ("host:pid") and when it last reported: a stale heartbeat means interrupted.
    worker: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Rows skipped with --skip-invalid: [{"location", "error"}], the first 1,000 of them.
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Item(Base):
    """One thing to judge, in the canonical shape (ARCHITECTURE.md)."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        CheckConstraint("assigned_count >= 0", name="assigned_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the canonical content (a row without an id gets an external id made from it).
    content_hash: Mapped[str] = mapped_column(String(64))
    prompt: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    responses: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", Json, default=dict)
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(Json)
    gold: Mapped[dict[str, Any] | None] = mapped_column(Json)
    priority: Mapped[int] = mapped_column(default=0)
    # Leased or submitted assignments: the slots of the item's overlap in use.
    # Kept on the row so that claims lock and re-check one row (see assign/).
    assigned_count: Mapped[int] = mapped_column(default=0)
    # Submitted judging assignments (tie-breakers excluded), kept by the assignment engine:
    # incremented under the item's row lock, so concurrent final judgments of one item see
    # each other, and the project's progress counters know which judgment completes it.
    judged_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def response(self, response_id: str) -> dict[str, Any] | None:
        return next((r for r in self.responses if r["id"] == response_id), None)


# The assignment engine's queue: within one priority, started items first (assigned_count
# descending), then import order. The index follows that order exactly, so a claim is one
# seek past the project's full items (``assigned_count >= overlap`` sorts before the open
# ones) and a walk of a few entries, never a sort of every open item.
Index("ix_items_queue", Item.project_id, Item.priority, Item.assigned_count.desc(), Item.id)
# The data browser's lists: a project's items in import order (annotate/browse/queries.py).
# Without it, "WHERE project_id = ? ORDER BY id LIMIT n" sorts every item of the project.
Index("ix_items_project_id", Item.project_id, Item.id)
# Pages and the claim find a project's batches that are not complete (``visible``).
Index("ix_batches_project_status", Batch.project_id, Batch.status)


def visible(batch_id: ColumnElement[Integer] | Mapped[int], project_id: Any = None) -> ColumnElement[bool]:
    """The condition that an item (its ``batch_id`` column) belongs to a complete batch: what
    claims, counts, exports and the data browser see. ``project_id`` (a value, a column or a
    bind parameter) narrows the batches looked at to the project's.

    An uncorrelated ``NOT IN``: the database collects the project's few hidden batches once per
    statement and then checks each item against that small set (no lookup per item)."""
    hidden = select(Batch.id).where(Batch.status.in_(HIDDEN_STATUSES))
    if project_id is not None:
        hidden = hidden.where(Batch.project_id == project_id)
    return batch_id.not_in(hidden)
