"""Import sources into a project: read -> shape -> validate -> write in committed chunks -> complete.

The services here commit (in chunks) rather than only flush: an import is a
long-running unit of work whose atomicity is kept by a batch that stays invisible
until it completes, not by one transaction (see ``annotate.ingest.pipeline`` for why
and how). Callers must not hold uncommitted work in the session they pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import orjson
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from annotate.browse.index import index_batch
from annotate.db import begin_write
from annotate.ingest import pipeline
from annotate.ingest.errors import ImportFailed, LimitExceeded, RowError
from annotate.ingest.join import joined_rows
from annotate.ingest.media import localise_media
from annotate.ingest.readers import ReadContext, detect_format, read_rows
from annotate.ingest.shapes import SHAPES, Shape, content_hash, describe_shapes, detect_shape, mapped_shape
from annotate.ingest.shapes.common import fits_json, lift_suggestion
from annotate.ingest.shapes.mapping import Mapping, check_columns
from annotate.ingest.validate import check_item, item_schema
from annotate.limits import read_limits, value_problem
from annotate.models import Batch, BatchStatus, Project, User
from annotate.ops import metrics
from annotate.webhooks.events import batch_imported

__all__ = [
    "ImportOptions",
    "ImportSummary",
    "import_file",
    "import_rows",
    "import_sources",
    "item_schema",
    "queue_batch",
    "run_batch",
    "start_batch",
    "to_item",
]

# Rows per committed chunk: an expert's claim or submit waits for at most one chunk's
# transaction (bench/RESULTS.md measures how long that is).
CHUNK_SIZE = 1000
# Tables, where an empty cell is a value left out (see ``validate.check_item``).
TABLE_FORMATS = {"csv", "tsv"}
Progress = Callable[[int, float], None]


@dataclass
class ImportOptions:
    """How to read and convert the sources; stored on the batch as its ``mapping``."""

    format: str | None = None
    shape: str | None = None
    mapping: Mapping | None = None
    join: str | None = None
    split: str | None = None
    config: str | None = None
    skip_invalid: bool = False

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}


@dataclass
class ImportSummary:
    """What an import did: rows read, items new, duplicates, rows skipped (and why)."""

    batch_id: int
    source: str
    format: str
    shape: str
    rows: int = 0
    new: int = 0
    duplicate: int = 0
    skipped: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        text = (
            f"imported {self.new} new items from {self.source} ({self.format}, {self.shape} shape): "
            f"{self.rows} rows read, {self.duplicate} duplicates, {self.skipped} skipped; batch {self.batch_id}"
        )
        return text

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "problems"}


def to_item(
    row: dict[str, Any],
    shape: Shape,
    kind_name: str,
    blank_is_missing: bool = False,
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Convert one row with ``shape`` and check it against the item schema and the task kind
    (``blank_is_missing``: for tables; ``config``: the template's, for a gold answer; see ``check_item``)."""
    try:
        item = shape.convert(row)
    except KeyError as exc:
        # Shapes are detected on the first row; a later row may lack a field the shape needs.
        raise RowError(str(exc.args[0]), f"is required by the {shape.name} shape but missing from this row") from None
    lift_suggestion(item)
    check_item(item, kind_name, blank_is_missing, config)
    return item


def _unstorable(item: dict[str, Any], exc: Exception) -> RowError:
    """The RowError for an item orjson cannot serialise (bytes or images from Parquet and
    datasets, integers past 64 bits from a JSON array), naming the first such field."""
    for key in ("prompt", "responses", "suggestion", "gold"):
        if not fits_json(item.get(key)):
            return RowError(key, f"cannot be stored as JSON ({exc})")
    bad = next((k for k, v in (item.get("metadata") or {}).items() if not fits_json(v)), None)
    return RowError(f"metadata.{bad}" if bad else "", f"cannot be stored as JSON ({exc})")


def queue_batch(
    session: Session, project: Project, source: str, options: ImportOptions, user: User | None = None
) -> Batch:
    """Add the batch row of a new import, ``queued`` (flushed, not committed)."""
    batch = Batch(
        project_id=project.id,
        source=source[:500],
        format=options.format or "",
        shape=options.shape or "",
        mapping=options.as_json(),
        status=BatchStatus.QUEUED,
        created_by_id=user.id if user else None,
    )
    session.add(batch)
    session.flush()
    return batch


def start_batch(
    session: Session, project: Project, source: str, options: ImportOptions, user: User | None = None
) -> Batch:
    """Create and commit the batch row of a new import (``queued`` until ``run_batch`` opens it)."""
    begin_write(session)
    batch = queue_batch(session, project, source, options, user)
    session.commit()
    return batch


def _rows_for(sources: list[Path | str], options: ImportOptions, context: ReadContext) -> Iterator[tuple[str, Any]]:
    if options.join:
        return joined_rows([Path(s) for s in sources], options.join, options.format, context)
    if len(sources) != 1:
        raise ImportFailed(context.source, None, "several sources need --join KEY to say how their rows match")
    return read_rows(sources[0], options.format, context)


def run_batch(
    session: Session,
    batch: Batch,
    project: Project,
    rows: Iterable[tuple[str, Any]],
    context: ReadContext,
    options: ImportOptions,
    *,
    progress: Progress | None = None,
    media_base: Path | None = None,
    media_store: Path | None = None,
    wait: bool = True,
    index: bool = True,
) -> ImportSummary:
    """Write every row of ``rows`` into ``items`` under ``batch``, in committed chunks, then
    make the batch complete (and its rows visible) at once.

    Raises ImportFailed at the first bad row (unless ``skip_invalid``), after marking
    the batch failed; nothing from it is kept. Another import of the project running:
    waits for it, or raises ``pipeline.ProjectBusy`` when not ``wait``. ``index``: write the
    batch's search text (SQLite) before returning; without it, hand that to the queue
    (``annotate.browse.index``).
    """
    started = time.perf_counter()
    shape: Shape | None = (
        mapped_shape(options.mapping) if options.mapping else (SHAPES[options.shape] if options.shape else None)
    )
    summary = ImportSummary(batch.id, batch.source, options.format or batch.format, shape.name if shape else "")
    table = options.format in TABLE_FORMATS
    kind, config = project.kind, project.template["config"]
    chunk: list[tuple[Any, ...]] = []
    valid = 0
    pipeline.open_batch(session, batch.id, project.id, wait=wait)
    writer: _Writer | None = None
    try:
        engine = cast(Engine, session.get_bind())  # sessions bind engines
        writer = _Writer(pipeline.ChunkWriter(engine, batch.id, project.id, context.source))
        for location, row in rows:
            summary.rows += 1
            if shape is None and not isinstance(row, RowError):
                shape = _detect(row, context.source, location)
                summary.shape = shape.name
                pipeline.progress(session, batch.id, {"shape": shape.name, "format": summary.format})
            elif options.mapping and summary.rows == 1 and isinstance(row, dict):
                check_columns(options.mapping, row, context.source, location)
            try:
                if isinstance(row, RowError):  # a row the reader could not make (e.g. a --join key without a match)
                    raise row
                assert shape is not None
                item = to_item(row, shape, kind, blank_is_missing=table, config=config)
                # Every row, whatever its source: a media src is fetched by viewers' browsers.
                localise_media(item, media_base, media_store, project.id)
                staged = staged_row(item)
            except RowError as exc:
                if not options.skip_invalid:
                    raise ImportFailed(context.source, location, str(exc)) from None
                summary.skipped += 1
                summary.problems.append({"location": location, "error": str(exc)})
                continue
            valid += 1
            chunk.append(staged)
            if len(chunk) >= CHUNK_SIZE:
                chunk = _flush(session, writer, chunk, summary, context, progress)
        if summary.rows == 0:
            raise ImportFailed(context.source, None, "the file has no rows")
        if valid == 0:
            raise ImportFailed(
                context.source, None, f"every row was invalid ({summary.skipped} skipped); nothing to import"
            )
        _flush(session, writer, chunk, summary, context, progress)
        writer.drain()
        summary.new, summary.duplicate = writer.chunks.finish(
            valid, {"shape": summary.shape, "rows_read": summary.rows, "rows_skipped": summary.skipped}
        )
        # The batch was completed on the writer's connection: read it afresh.
        session.rollback()
        session.expire_all()
    except ImportFailed as exc:
        pipeline.fail(session, batch.id, str(exc), values=_counts(summary))
        raise
    except BaseException as exc:
        # Ctrl-C, a database error, a bug: the batch must not stay "running" forever.
        message = (
            "interrupted" if isinstance(exc, KeyboardInterrupt) else f"internal error: {type(exc).__name__}: {exc}"
        )
        status = BatchStatus.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else BatchStatus.FAILED
        try:
            pipeline.fail(session, batch.id, message, status, values=_counts(summary))
        finally:
            raise
    finally:
        if writer is not None:
            writer.close()
    batch_imported(session, batch.id)
    if index:
        index_batch(session, batch.id)
    summary.seconds = time.perf_counter() - started
    metrics.IMPORT_ROWS.inc(summary.new)
    if progress:
        progress(summary.rows, 1.0)
    return summary


def _counts(summary: ImportSummary) -> dict[str, Any]:
    return {
        "rows_read": summary.rows,
        "rows_skipped": summary.skipped,
        "skipped": summary.problems[: pipeline.MAX_SKIPPED_KEPT],
    }


def _detect(row: Any, source: str, location: str) -> Shape:
    if isinstance(row, RowError):
        raise ImportFailed(source, location, str(row))
    shape = detect_shape(row)
    if shape is None:
        keys = ", ".join(sorted(row)[:12])
        raise ImportFailed(source, location, f"unrecognised row shape (keys: {keys}); expected {describe_shapes()}")
    return shape


def staged_row(item: dict[str, Any]) -> tuple[Any, ...]:
    """The row as written, in ``pipeline.ROW_COLUMNS`` order; RowError if it cannot be stored as JSON."""
    try:
        return _staged(item)
    except TypeError as exc:  # orjson.JSONEncodeError is a TypeError
        raise _unstorable(item, exc) from None


def _staged(item: dict[str, Any]) -> tuple[Any, ...]:
    dumps = orjson.dumps
    suggestion, gold, metadata = item.get("suggestion"), item.get("gold"), item.get("metadata") or {}
    return (
        item["id"],
        content_hash(item["prompt"], item["responses"]),
        dumps(item["prompt"]).decode(),
        dumps(item["responses"]).decode(),
        dumps(metadata).decode(),
        None if suggestion is None else dumps(suggestion).decode(),
        None if gold is None else dumps(gold).decode(),
    )


class _Writer:
    """Writes chunks on a thread of its own while the next chunk is read and checked.

    The database driver releases the GIL while SQLite or PostgreSQL works, so on a
    machine with two cores parsing and writing overlap. At most one chunk is being
    written while the next is filled, so memory stays flat; an error in the writer
    is raised at the next ``put`` or at ``drain``.
    """

    def __init__(self, chunks: pipeline.ChunkWriter):
        self.chunks = chunks
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annotate-import")
        self.pending: Future[None] | None = None

    def put(self, rows: list[tuple[Any, ...]], values: dict[str, Any]) -> None:
        self.drain()
        self.pending = self.pool.submit(self.chunks.add, rows, values)

    def drain(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the chunk in flight (its outcome no longer matters), stop the thread, free the connection."""
        try:
            self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            self.chunks.close()


def _flush(
    session: Session,
    writer: _Writer,
    chunk: list[tuple[Any, ...]],
    summary: ImportSummary,
    context: ReadContext,
    progress: Progress | None,
) -> list[tuple[Any, ...]]:
    """Hand ``chunk`` and the batch's progress to the writer (one transaction); return a new empty chunk."""
    values: dict[str, Any] = {
        "rows_read": summary.rows,
        "rows_skipped": summary.skipped,
        "progress": context.fraction,
        "rows_total": context.total_rows,
    }
    if summary.skipped:
        values["skipped"] = summary.problems[: pipeline.MAX_SKIPPED_KEPT]
    writer.put(chunk, values)
    if progress:
        progress(summary.rows, context.fraction)
    return []


def import_sources(
    session: Session,
    project: Project,
    sources: list[Path | str],
    options: ImportOptions | None = None,
    *,
    user: User | None = None,
    progress: Progress | None = None,
    media_store: Path | None = None,
    batch: Batch | None = None,
    display_name: str | None = None,
    wait: bool = True,
    index: bool = True,
) -> ImportSummary:
    """Import one source (or several joined on a key) into ``project`` as one batch
    (``wait``: for another import of the project to finish; see ``run_batch``)."""
    options = options or ImportOptions()
    name = display_name or " + ".join(Path(s).name or str(s) for s in sources)
    if options.format is None and sources:
        options.format = detect_format(sources[0])
    if batch is None:
        batch = start_batch(session, project, name, options, user)
    context = ReadContext(name, options.split, options.config)
    try:
        rows = _rows_for(sources, options, context)
    except ImportFailed as exc:
        pipeline.fail(session, batch.id, str(exc))
        raise
    first = Path(sources[0]) if sources else None
    base = first.parent if first is not None and first.exists() else None
    return run_batch(
        session,
        batch,
        project,
        rows,
        context,
        options,
        progress=progress,
        media_base=base,
        media_store=media_store,
        wait=wait,
        index=index,
    )


def import_file(
    session: Session,
    project: Project,
    path: Path,
    *,
    user: User | None = None,
    shape_name: str | None = None,
    progress: Progress | None = None,
    options: ImportOptions | None = None,
    media_store: Path | None = None,
    index: bool = True,
) -> ImportSummary:
    """Import every row of ``path`` into ``project`` as one batch, all or nothing.

    Raises ImportFailed at the first bad row; nothing from the file is kept and
    the batch is recorded as failed with the error. Rows whose external id the
    project already has (or that repeat within the file) count as duplicates.
    """
    options = options or ImportOptions(shape=shape_name)
    if not Path(path).exists():
        raise ImportFailed(Path(path).name, None, "no such file")
    return import_sources(
        session, project, [path], options, user=user, progress=progress, media_store=media_store, index=index
    )


def import_rows(
    session: Session,
    project: Project,
    rows: Iterable[dict[str, Any]],
    source: str,
    options: ImportOptions | None = None,
    *,
    user: User | None = None,
    index: bool = True,
) -> ImportSummary:
    """Import rows given as values (e.g. an API request body); locations read ``items[N]``."""
    options = options or ImportOptions()
    options.format = options.format or "json"
    batch = start_batch(session, project, source, options, user)

    limits = read_limits()

    def located() -> Iterator[tuple[str, Any]]:
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                yield f"items[{index}]", RowError("", f"expected a JSON object, got {type(row).__name__}")
                continue
            # The same limits as for a file (the body's size was bounded before it was parsed).
            found = value_problem(row, limits.depth, limits.field_bytes)
            if found is not None:
                raise LimitExceeded(source, f"items[{index}]", f"{found[0]}: {found[1]}")
            yield f"items[{index}]", row

    return run_batch(session, batch, project, located(), ReadContext(source), options, index=index)
