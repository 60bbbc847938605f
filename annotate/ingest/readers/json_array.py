"""A JSON array of objects (``.json``), optionally gzip-compressed.

Streamed with ijson's C backend: one element at a time, so a 10 GB array
needs no more memory than a 10 KB one.

ijson builds each element in full, however deep or large, and its ``items`` keeps
a path string per nesting level (``item.item.item…``), so memory grows with the
square of the depth: 1 MB of ``[`` exhausts any machine. So the stream it reads is
guarded: an element may span at most ``IMPORT_MAX_ROW_BYTES``; and when a buffer
holds more brackets than ijson can nest cheaply (``FAST_BRACKETS``), or an element
spans buffers and holds more brackets than ``IMPORT_MAX_DEPTH``, the file is read
again from the start with ijson's ``basic_parse`` (no paths) and a builder that
counts the depth itself and stops at the limit. That is a few times slower, so only
such files pay for it; every element is then checked for depth and field size.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from annotate.ingest.errors import ImportFailed, LimitExceeded
from annotate.ingest.readers.base import Overflow, Position, ReadContext, Reader, Row, open_maybe_gzip, read_errors
from annotate.limits import ReadLimits, too_deep, too_large, value_problem

BUFFER = 1 << 16
# Brackets per buffer ijson's ``items`` may see: nested that deep, its path strings cost
# about 10 MB; ordinary data holds a few hundred per 64 KB.
FAST_BRACKETS = 2048


class _MaybeDeep(Exception):
    """An element spans buffers and holds more brackets than the depth limit: parse exactly."""


class _Guard:
    """The file as ijson reads it, counting what the element being built has cost so far.

    Counts are per ``read``: the bytes and brackets read since the last element was
    completed (underestimated by at most one buffer, hence the slack).
    """

    def __init__(self, stream: IO[bytes], limits: ReadLimits, exact: bool):
        self._stream = stream
        self._limits = limits
        self._exact = exact
        self.reads = self.size = self.brackets = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.reads += 1
        self.size += len(data)
        if self.reads >= 2 and self.size > self._limits.row_bytes + len(data):
            raise Overflow(too_large("the element", self._limits.row_bytes, "IMPORT_MAX_ROW_BYTES"))
        if not self._exact:
            brackets = data.count(b"[") + data.count(b"{")
            if brackets > FAST_BRACKETS:
                raise _MaybeDeep
            if self.reads >= 2:
                self.brackets += brackets
                if self.brackets > self._limits.depth:
                    raise _MaybeDeep
        return data

    def element_done(self) -> None:
        self.reads = self.size = self.brackets = 0


def _exact_items(events: Iterator[tuple[str, Any]], limit: int) -> Iterator[Any]:
    """The top-level array's elements built from ``basic_parse`` events, stopping when the
    nesting passes ``limit`` (the array itself is level 0, an element level 1)."""
    from ijson.common import ObjectBuilder

    depth = 0
    builder: ObjectBuilder | None = None
    for event, value in events:
        if event == "start_map" or event == "start_array":
            depth += 1
            if depth > limit + 1:
                raise Overflow(too_deep(limit))
            if depth == 1:
                continue  # the top-level array
            if depth == 2:
                builder = ObjectBuilder()
            builder.event(event, value)  # type: ignore[union-attr]
        elif event == "end_map" or event == "end_array":
            depth -= 1
            if depth == 0:
                return
            builder.event(event, value)  # type: ignore[union-attr]
            if depth == 1:
                yield builder.value  # type: ignore[union-attr]
                builder = None
        elif depth == 1:
            yield value  # a scalar element (refused by the reader)
        else:
            builder.event(event, value)  # type: ignore[union-attr]


def _elements(path: Path, context: ReadContext, exact: bool, skip: int) -> Iterator[tuple[int, Any]]:
    """``(index, element)`` from the file; ``skip`` elements already handed out are parsed, not yielded."""
    import ijson

    limits = context.limits
    index = 0
    last = lambda: f"row {index + 1}" if index or skip else "row 1"  # noqa: E731
    with open_maybe_gzip(path, limits) as stream, read_errors(context.source, last):
        guard = _Guard(stream, limits, exact)
        position = Position(stream, path.stat().st_size)
        if exact:
            items = _exact_items(ijson.basic_parse(guard, use_float=True, buf_size=BUFFER), limits.depth)
        else:
            items = ijson.items(guard, "item", use_float=True, buf_size=BUFFER)
        try:
            for index, row in enumerate(items, start=1):
                guard.element_done()
                if index <= skip:
                    continue
                if index % 256 == 0:
                    context.fraction = position.fraction()
                yield index, row
        except ijson.JSONError as exc:
            raise ImportFailed(context.source, f"row {index + 1}", f"invalid JSON: {exc}") from None


def read(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """Yield ``("row N", object)`` for every element of the top-level array."""
    path = Path(path)
    limits = context.limits
    with open_maybe_gzip(path, limits) as stream, read_errors(context.source, lambda: None):
        head = stream.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ImportFailed(context.source, None, "the file is empty")
    if not head.startswith(b"["):
        raise ImportFailed(context.source, None, "expected a JSON array of objects at the top level")
    done = 0
    exact = False
    while True:
        try:
            for index, row in _elements(path, context, exact, done):
                location = f"row {index}"
                if not isinstance(row, dict):
                    raise ImportFailed(context.source, location, f"expected a JSON object, got {_kind(row)}")
                found = value_problem(row, limits.depth, limits.field_bytes)
                if found is not None:
                    raise LimitExceeded(context.source, location, f"{found[0]}: {found[1]}")
                done = index
                yield location, row
            break
        except _MaybeDeep:
            exact = True  # read again, handing out only the elements after the last one given
    context.fraction = 1.0


def _kind(value: object) -> str:
    return {list: "list", str: "str", int: "int", float: "float", bool: "bool", type(None): "null"}.get(
        type(value), type(value).__name__
    )


READER = Reader("json", "JSON array", (".json",), read)
