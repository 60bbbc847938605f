"""JSON Lines (``.jsonl``, ``.ndjson``), optionally gzip-compressed: one object per line, streamed.

A line is read at most ``IMPORT_MAX_ROW_BYTES`` at a time, so one huge line cannot
fill the memory; orjson stops at 1024 levels of nesting by itself, and the rows
whose size or bracket count could break the depth or field limit are walked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from annotate.ingest.errors import ImportFailed, LimitExceeded
from annotate.ingest.readers.base import Position, ReadContext, Reader, Row, open_maybe_gzip, read_errors
from annotate.limits import might_exceed, too_deep, too_large, value_problem


def read(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """Yield ``("line N", row)`` for every non-blank line."""
    path = Path(path)
    limits = context.limits
    row_limit = limits.row_bytes
    number = 0
    last = lambda: f"after line {number}" if number else None  # noqa: E731
    with open_maybe_gzip(path, limits) as stream, read_errors(context.source, last):
        position = Position(stream, path.stat().st_size)
        readline = stream.readline
        while line := readline(row_limit + 1):
            number += 1
            if len(line) > row_limit and not line.endswith(b"\n"):
                raise LimitExceeded(
                    context.source, f"line {number}", too_large("the line", row_limit, "IMPORT_MAX_ROW_BYTES")
                )
            if not line.strip():
                continue
            location = f"line {number}"
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                if "depth limit" in str(exc):
                    raise LimitExceeded(context.source, location, too_deep(limits.depth)) from None
                raise ImportFailed(context.source, location, f"invalid JSON: {exc}") from None
            if not isinstance(row, dict):
                raise ImportFailed(context.source, location, f"expected a JSON object, got {type(row).__name__}")
            if might_exceed(line, limits):
                found = value_problem(row, limits.depth, limits.field_bytes)
                if found is not None:
                    raise LimitExceeded(context.source, location, f"{found[0]}: {found[1]}")
            if number % 256 == 0:
                context.fraction = position.fraction()
            yield location, row
    context.fraction = 1.0


READER = Reader("jsonl", "JSON Lines", (".jsonl", ".ndjson"), read)
