"""A JSON array of objects (``.json``), optionally gzip-compressed.

Streamed with ijson's C backend: one element at a time, so a 10 GB array
needs no more memory than a 10 KB one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotate.ingest.errors import ImportFailed
from annotate.ingest.readers.base import Position, ReadContext, Reader, Row, open_maybe_gzip, read_errors


def read(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """Yield ``("row N", object)`` for every element of the top-level array."""
    import ijson

    path = Path(path)
    index = 0
    last = lambda: f"after row {index}" if index else None  # noqa: E731
    with open_maybe_gzip(path) as stream, read_errors(context.source, last):
        head = stream.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head:
            raise ImportFailed(context.source, None, "the file is empty")
        if not head.startswith(b"["):
            raise ImportFailed(context.source, None, "expected a JSON array of objects at the top level")
        stream.seek(0)
        position = Position(stream, path.stat().st_size)
        try:
            for index, row in enumerate(ijson.items(stream, "item", use_float=True), start=1):
                location = f"row {index}"
                if not isinstance(row, dict):
                    raise ImportFailed(context.source, location, f"expected a JSON object, got {_kind(row)}")
                if index % 256 == 0:
                    context.fraction = position.fraction()
                yield location, row
        except ijson.JSONError as exc:
            where = f"row {index + 1}" if index else "row 1"
            raise ImportFailed(context.source, where, f"invalid JSON: {exc}") from None
    context.fraction = 1.0


def _kind(value: object) -> str:
    return {list: "list", str: "str", int: "int", float: "float", bool: "bool", type(None): "null"}.get(
        type(value), type(value).__name__
    )


READER = Reader("json", "JSON array", (".json",), read)
