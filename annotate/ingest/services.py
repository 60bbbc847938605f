"""Import sources into a project: read -> shape -> validate -> write in committed chunks -> complete.

The services here commit (in chunks) rather than only flush: an import is a
long-running unit of work whose atomicity is kept by a batch that stays invisible
until it completes, not by one transaction (see ``annotate.ingest.pipeline`` for why
and how). Callers must not hold uncommitted work in the session they pass.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from annotate.browse.index import index_batch
from annotate.db import begin_write
from annotate.ingest import pipeline
from annotate.ingest.convert import (
    TABLE_FORMATS,
    Conversion,
    InChild,
    InProcess,
    Sources,
    Spec,
    in_child_pays,
    read,
    staged_row,
    to_item,
)
from annotate.ingest.errors import ImportFailed, LimitExceeded, RowError
from annotate.ingest.readers import ReadContext, detect_format
from annotate.ingest.shapes.mapping import Mapping
from annotate.ingest.validate import item_schema
from annotate.limits import read_limits, setting, value_problem
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
    "staged_row",
    "start_batch",
    "to_item",
]

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


def run_batch(
    session: Session,
    batch: Batch,
    conversion: Conversion,
    *,
    format: str,
    progress: Progress | None = None,
    wait: bool = True,
    index: bool = True,
) -> ImportSummary:
    """Write every chunk of ``conversion`` into ``items`` under ``batch``, each committed,
    then make the batch complete (and its rows visible) at once.

    Raises ImportFailed at the first bad row (unless ``skip_invalid``), after marking
    the batch failed; nothing from it is kept. Another import of the project running:
    waits for it, or raises ``pipeline.ProjectBusy`` when not ``wait``. ``index``: write the
    batch's search text (SQLite) before returning; without it, hand that to the queue
    (``annotate.browse.index``). The conversion is closed (a converter process ended) in any case.
    """
    started = time.perf_counter()
    spec = conversion.spec
    summary = ImportSummary(batch.id, batch.source, format or batch.format, conversion.shape)
    # Ids, not the ORM object, from here on: loading an expired attribute would begin a read
    # transaction in ``session`` and hold it through the import, and on SQLite the WAL could not
    # be checkpointed past it (the whole import was copied at the end: 0.5 s per 100k rows).
    batch_id = summary.batch_id
    writer: pipeline.ChunkWriter | None = None
    with conversion:
        pipeline.open_batch(session, batch_id, spec.project_id, wait=wait)
        try:
            engine = cast(Engine, session.get_bind())  # sessions bind engines
            writer = pipeline.ChunkWriter(engine, batch_id, spec.project_id, spec.source)
            for chunk in conversion:
                values = _progress(conversion, summary)
                writer.add(chunk, values)
                if progress:
                    progress(summary.rows, conversion.fraction)
            summary.new, summary.duplicate = writer.finish(
                conversion.valid, {"shape": summary.shape, "rows_read": summary.rows, "rows_skipped": summary.skipped}
            )
            # The batch was completed on the writer's connection: read it afresh.
            session.rollback()
            session.expire_all()
        except ImportFailed as exc:
            _progress(conversion, summary)
            pipeline.fail(session, batch_id, str(exc), values=_counts(summary))
            raise
        except BaseException as exc:
            # Ctrl-C, a database error, a bug: the batch must not stay "running" forever.
            _progress(conversion, summary)
            message = (
                "interrupted" if isinstance(exc, KeyboardInterrupt) else f"internal error: {type(exc).__name__}: {exc}"
            )
            status = BatchStatus.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else BatchStatus.FAILED
            try:
                pipeline.fail(session, batch_id, message, status, values=_counts(summary))
            finally:
                raise
        finally:
            if writer is not None:
                writer.close()
    batch_imported(session, batch_id)
    if index:
        index_batch(session, batch_id)
    summary.seconds = time.perf_counter() - started
    metrics.IMPORT_ROWS.inc(summary.new)
    if progress:
        progress(summary.rows, 1.0)
    return summary


def _progress(conversion: Conversion, summary: ImportSummary) -> dict[str, Any]:
    """Bring ``summary`` up to date with ``conversion``; the batch's progress values to record."""
    values: dict[str, Any] = {
        "rows_read": conversion.read,
        "rows_skipped": conversion.skipped,
        "progress": conversion.fraction,
        "rows_total": conversion.total_rows,
    }
    if conversion.shape != summary.shape:  # detected on the first row
        summary.shape = values["shape"] = conversion.shape
        values["format"] = summary.format
    summary.rows, summary.skipped = conversion.read, conversion.skipped
    summary.problems = conversion.problems
    if summary.skipped:
        values["skipped"] = summary.problems[: pipeline.MAX_SKIPPED_KEPT]
    return values


def _counts(summary: ImportSummary) -> dict[str, Any]:
    return {
        "rows_read": summary.rows,
        "rows_skipped": summary.skipped,
        "skipped": summary.problems[: pipeline.MAX_SKIPPED_KEPT],
    }


def _spec(
    project: Project, source: str, options: ImportOptions, media_base: Path | None, media_store: Path | None
) -> Spec:
    return Spec(
        source=source,
        kind=project.kind,
        config=project.template["config"],
        shape=options.shape,
        mapping=options.mapping,
        table=options.format in TABLE_FORMATS,
        skip_invalid=options.skip_invalid,
        project_id=project.id,
        media_base=str(media_base) if media_base else None,
        media_store=str(media_store) if media_store else None,
    )


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
    first = Path(sources[0]) if sources else None
    base = first.parent if first is not None and first.exists() else None
    spec = _spec(project, name, options, base, media_store)
    paths = [str(s) for s in sources]
    conversion: Conversion
    if in_child_pays(paths, setting("IMPORT_PROCESS_BYTES")):
        read_as = Sources(paths, options.format, options.join, options.split, options.config)
        conversion = InChild(spec, read_as, context.limits)
    else:
        try:
            conversion = InProcess(spec, read(Sources(paths, options.format, options.join), context), context)
        except ImportFailed as exc:
            pipeline.fail(session, batch.id, str(exc))
            raise
    return run_batch(session, batch, conversion, format=options.format or "", progress=progress, wait=wait, index=index)


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

    conversion = InProcess(_spec(project, source, options, None, None), located(), ReadContext(source))
    return run_batch(session, batch, conversion, format=options.format, index=index)
