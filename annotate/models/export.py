"""The provenance of every export: who exported what, when, how, and the checksums."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.types import Json, str_enum


class ExportStatus(enum.Enum):
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"


class ExportRecord(Base):
    """One export: recorded before its first byte, completed (counts, checksums) after its last."""

    __tablename__ = "exports"
    __table_args__ = (CheckConstraint("rows_done >= 0", name="rows_done_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    format: Mapped[str] = mapped_column(String(32))
    # The ExportOptions (unit, aggregation, filters) as JSON.
    options: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    # How the export was asked for: cli, web or api.
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[ExportStatus] = mapped_column(
        str_enum(ExportStatus, "export_status"), default=ExportStatus.RUNNING, server_default="running"
    )
    # Rows written so far (progress of a background export), then the total.
    rows_done: Mapped[int] = mapped_column(default=0, server_default="0")
    # Judgments to read, when known: the denominator of the progress bar.
    judgments_total: Mapped[int | None] = mapped_column()
    row_count: Mapped[int | None] = mapped_column()
    # ExportSummary.as_json(): counts and what was left out, and why.
    summary: Mapped[dict[str, Any] | None] = mapped_column(Json)
    # Folder exports: path of the folder, and {relative path: {sha256, bytes}} of every file.
    output: Mapped[str | None] = mapped_column(String(1000))
    files: Mapped[dict[str, Any] | None] = mapped_column(Json)
    # sha256 of the data file (the JSONL stream for downloads).
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    tool_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
