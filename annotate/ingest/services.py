"""Import a source file into a project: one batch, all or nothing, in bulk-inserted chunks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.ingest.errors import ImportFailed, RowError
from annotate.ingest.readers import detect_format, read_rows
from annotate.ingest.shapes import SHAPES, Shape, content_hash, describe_shapes, detect_shape
from annotate.kinds import get_kind
from annotate.models import Batch, BatchStatus, Item, Project, User
from annotate.validation import problems

CHUNK_SIZE = 2000


@cache
def item_schema() -> dict[str, Any]:
    """The canonical item JSON Schema (published with the package)."""
    return orjson.loads((Path(__file__).parent / "item.schema.json").read_bytes())


@dataclass
class ImportSummary:
    batch_id: int
    source: str
    format: str
    shape: str
    rows: int = 0
    new: int = 0
    duplicate: int = 0

    def __str__(self) -> str:
        return (
            f"imported {self.new} new items from {self.source} ({self.format}, {self.shape} shape); "
            f"{self.duplicate} duplicates skipped; {self.rows} rows read; batch {self.batch_id}"
        )


def to_item(row: dict[str, Any], shape: Shape, kind_name: str) -> dict[str, Any]:
    """Convert one row with ``shape`` and check it against the item schema and the task kind."""
    item = shape.convert(row)
    found = problems(item_schema(), item)
    if found:
        raise RowError(found[0].path, found[0].message)
    ids = [r["id"] for r in item["responses"]]
    if len(set(ids)) != len(ids):
        raise RowError("responses", f"response ids must be unique, got {ids}")
    problem = get_kind(kind_name).responses_problem(len(ids))
    if problem:
        raise RowError("responses", problem)
    return item


def _located(rows: Iterable[tuple[str, dict[str, Any]]], source: str, shape: Shape | None, kind: str) -> Iterator[tuple[str, dict]]:
    """Convert rows to items, turning a RowError into ImportFailed with its location."""
    for location, row in rows:
        if shape is None:
            shape = detect_shape(row)
            if shape is None:
                keys = ", ".join(sorted(row)[:12])
                raise ImportFailed(source, location, f"unrecognised row shape (keys: {keys}); expected {describe_shapes()}")
        try:
            yield shape.name, to_item(row, shape, kind)
        except RowError as exc:
            raise ImportFailed(source, location, str(exc)) from None


def import_file(
    session: Session,
    project: Project,
    path: Path,
    *,
    user: User | None = None,
    shape_name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import every row of ``path`` into ``project`` as one batch.

    Raises ImportFailed at the first bad row; the caller rolls back, so nothing
    from the file is kept. Rows whose external id the project already has (or
    that repeat within the file) are counted as duplicates, not inserted.
    """
    source = path.name
    if not path.is_file():
        raise ImportFailed(source, None, "no such file")
    fmt = detect_format(path)
    shape = SHAPES[shape_name] if shape_name else None
    batch = Batch(project_id=project.id, source=source, format=fmt, created_by_id=user.id if user else None)
    session.add(batch)
    session.flush()
    summary = ImportSummary(batch_id=batch.id, source=source, format=fmt, shape=shape_name or "")
    seen: set[str] = set()
    chunk: list[dict[str, Any]] = []
    now = utcnow()

    def flush_chunk() -> None:
        ids = [row["external_id"] for row in chunk]
        existing = set(
            session.scalars(select(Item.external_id).where(Item.project_id == project.id, Item.external_id.in_(ids)))
        )
        fresh = [row for row in chunk if row["external_id"] not in existing]
        summary.duplicate += len(chunk) - len(fresh)
        if fresh:
            session.execute(insert(Item), fresh)
        summary.new += len(fresh)
        chunk.clear()
        if progress:
            progress(summary.rows)

    for shape_used, item in _located(read_rows(path, fmt), source, shape, project.kind):
        summary.rows += 1
        summary.shape = shape_used
        if item["id"] in seen:
            summary.duplicate += 1
            continue
        seen.add(item["id"])
        chunk.append(
            {
                "project_id": project.id,
                "batch_id": batch.id,
                "external_id": item["id"],
                "content_hash": content_hash(item["prompt"], item["responses"]),
                "prompt": item["prompt"],
                "responses": item["responses"],
                "meta": item.get("metadata") or {},
                "suggestion": item.get("suggestion"),
                "gold": item.get("gold"),
                "priority": 0,
                "assigned_count": 0,
                "created_at": now,
            }
        )
        if len(chunk) >= CHUNK_SIZE:
            flush_chunk()
    if chunk:
        flush_chunk()
    if summary.rows == 0:
        raise ImportFailed(source, None, "the file has no rows")
    batch.shape = summary.shape
    batch.rows_read = summary.rows
    batch.rows_new = summary.new
    batch.rows_duplicate = summary.duplicate
    batch.status = BatchStatus.COMPLETE
    batch.finished_at = utcnow()
    session.flush()
    return summary
