"""JSON Lines (``.jsonl``, ``.ndjson``), optionally gzip-compressed: one object per line, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from annotate.ingest.errors import ImportFailed
from annotate.ingest.readers.base import Position, ReadContext, Reader, Row, open_maybe_gzip, read_errors


def read(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """Yield ``("line N", row)`` for every non-blank line."""
    path = Path(path)
    number = 0
    last = lambda: f"after line {number}" if number else None  # noqa: E731
    with open_maybe_gzip(path) as stream, read_errors(context.source, last):
        position = Position(stream, path.stat().st_size)
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            location = f"line {number}"
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ImportFailed(context.source, location, f"invalid JSON: {exc}") from None
            if not isinstance(row, dict):
                raise ImportFailed(context.source, location, f"expected a JSON object, got {type(row).__name__}")
            if number % 256 == 0:
                context.fraction = position.fraction()
            yield location, row
    context.fraction = 1.0


READER = Reader("jsonl", "JSON Lines", (".jsonl", ".ndjson"), read)
