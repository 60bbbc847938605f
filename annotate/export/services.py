"""Run an export: stream records as JSONL, checksum them, and record the export's provenance."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import IO

import orjson
from sqlalchemy.orm import Session

from annotate import __version__
from annotate.db import utcnow
from annotate.export import FORMATS
from annotate.export.base import ExportFormat, ExportSummary
from annotate.models import ExportRecord, Project, User


class ExportError(ValueError):
    """The export cannot run as asked; the message says why."""


def get_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"format: unknown export format {name!r}; available: {', '.join(sorted(FORMATS))}") from None


def start_export(session: Session, project: Project, fmt: ExportFormat, user: User | None, channel: str) -> ExportRecord:
    """Record that an export began (who, what, how)."""
    record = ExportRecord(
        project_id=project.id,
        user_id=user.id if user else None,
        format=fmt.name,
        options={},
        channel=channel,
        tool_version=__version__,
    )
    session.add(record)
    session.flush()
    return record


def finish_export(record: ExportRecord, summary: ExportSummary, sha256: str) -> None:
    record.row_count = summary.rows
    record.sha256 = sha256
    record.options = {**record.options, "left_out": summary.left_out}
    record.finished_at = utcnow()


def jsonl_chunks(session: Session, project: Project, fmt: ExportFormat, summary: ExportSummary, digest) -> Iterator[bytes]:
    """Yield the export as JSONL in chunks of about 64 KB, updating ``digest`` as it goes."""
    buffer: list[bytes] = []
    size = 0
    for record in fmt.records(session, project, summary):
        line = orjson.dumps(record) + b"\n"
        buffer.append(line)
        size += len(line)
        if size >= 65536:
            chunk = b"".join(buffer)
            digest.update(chunk)
            yield chunk
            buffer.clear()
            size = 0
    if buffer:
        chunk = b"".join(buffer)
        digest.update(chunk)
        yield chunk


def export_to(session: Session, project: Project, fmt: ExportFormat, out: IO[bytes], *, user: User | None, channel: str) -> tuple[ExportRecord, ExportSummary]:
    """Write the whole export to ``out`` and record it."""
    record = start_export(session, project, fmt, user, channel)
    summary = ExportSummary()
    digest = hashlib.sha256()
    for chunk in jsonl_chunks(session, project, fmt, summary, digest):
        out.write(chunk)
    finish_export(record, summary, digest.hexdigest())
    session.flush()
    return record, summary
