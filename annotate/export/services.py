"""Run an export: resolve the options, stream records as JSONL, checksum them, and record
the export's provenance (who, when, what, how many, sha256)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import IO, Any

import orjson
from sqlalchemy.orm import Session

from annotate import __version__
from annotate.db import utcnow
from annotate.export import FORMATS
from annotate.export.base import (
    ExportContext,
    ExportError,
    ExportFormat,
    ExportOptions,
    ExportSummary,
    Record,
)
from annotate.export.selection import prepare
from annotate.kinds import get_kind
from annotate.models import ExportRecord, Project, User
from annotate.models.export import ExportStatus
from annotate.ops import metrics

CHUNK_BYTES = 65536
PROGRESS_EVERY = 5000  # rows between progress callbacks

__all__ = ["ExportError", "export_to", "get_format", "jsonl_chunks", "resolve", "start_export"]


def get_format(name: str) -> ExportFormat:
    """The format registered under ``name``; ExportError lists the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"format: unknown export format {name!r}; available: {', '.join(FORMATS)}") from None


def resolve(session: Session, project: Project, fmt: ExportFormat, options: ExportOptions) -> ExportOptions:
    """Check ``options`` for this format and project (before any byte is written); fill in defaults."""
    options = fmt.resolve(options, get_kind(project.kind))
    prepare(ExportContext(session, project, options, ExportSummary()))
    return options


def start_export(
    session: Session,
    project: Project,
    fmt: ExportFormat,
    options: ExportOptions,
    user: User | None,
    channel: str,
    *,
    output: str | None = None,
    judgments_total: int | None = None,
) -> ExportRecord:
    """Record that an export began (who, what, how)."""
    record = ExportRecord(
        project_id=project.id,
        user_id=user.id if user else None,
        format=fmt.name,
        options=options.as_json(),
        channel=channel,
        status=ExportStatus.RUNNING,
        output=output,
        judgments_total=judgments_total,
        tool_version=__version__,
    )
    session.add(record)
    session.flush()
    return record


def finish_export(
    record: ExportRecord, summary: ExportSummary, sha256: str, files: dict[str, Any] | None = None
) -> None:
    """Complete the record: counts, what was left out and why, checksums."""
    record.status = ExportStatus.COMPLETE
    record.row_count = summary.rows
    record.rows_done = summary.rows
    record.summary = summary.as_json()
    record.sha256 = sha256
    record.files = files
    record.finished_at = utcnow()
    metrics.EXPORT_ROWS.inc(summary.rows)


def fail_export(record: ExportRecord, message: str) -> None:
    record.status = ExportStatus.FAILED
    record.error = message[:2000]
    record.finished_at = utcnow()


def jsonl_chunks(
    session: Session,
    project: Project,
    fmt: ExportFormat,
    options: ExportOptions,
    summary: ExportSummary,
    digest,
    each: Callable[[Record], None] | None = None,
) -> Iterator[bytes]:
    """Yield the export as JSONL in chunks of about 64 KB, updating ``digest`` and ``summary``;
    ``each`` sees every record (the folder form writes a format's sidecar files with it)."""
    ctx = ExportContext(session, project, options, summary)
    dumps = orjson.dumps
    buffer: list[bytes] = []
    size = 0
    rows = 0
    progress = summary.progress
    for record in fmt.records(ctx):
        if each is not None:
            each(record)
        line = dumps(record, option=orjson.OPT_APPEND_NEWLINE)
        buffer.append(line)
        size += len(line)
        rows += 1
        # The first row goes out at once (the client sees the download start), then 64 KB chunks.
        if size >= CHUNK_BYTES or rows == 1:
            chunk = b"".join(buffer)
            digest.update(chunk)
            summary.rows = rows
            yield chunk
            buffer.clear()
            size = 0
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(rows)
    summary.rows = rows
    if buffer:
        chunk = b"".join(buffer)
        digest.update(chunk)
        yield chunk


def export_to(
    session: Session,
    project: Project,
    fmt: ExportFormat,
    out: IO[bytes],
    *,
    options: ExportOptions | None = None,
    user: User | None,
    channel: str,
) -> tuple[ExportRecord, ExportSummary]:
    """Write the whole export as JSONL to ``out`` and record it. Raises ExportError on bad options."""
    options = resolve(session, project, fmt, options or ExportOptions())
    record = start_export(session, project, fmt, options, user, channel)
    summary = ExportSummary()
    digest = hashlib.sha256()
    for chunk in jsonl_chunks(session, project, fmt, options, summary, digest):
        out.write(chunk)
    finish_export(record, summary, digest.hexdigest())
    session.flush()
    return record, summary
