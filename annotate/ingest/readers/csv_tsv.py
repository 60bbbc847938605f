"""CSV and TSV with a header row, optionally gzip-compressed, streamed.

Every value is a string (as in the file); an empty header name, a repeated
header name or a row with more or fewer fields than the header is an error
naming the line. Cells holding JSON lists or objects (e.g. a ``responses``
column written by pandas) are decoded by the shapes when they expect a list.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from annotate.ingest.errors import ImportFailed, LimitExceeded
from annotate.ingest.readers.base import Overflow, Position, ReadContext, Reader, Row, open_maybe_gzip, read_errors
from annotate.limits import too_large

# Model outputs are long: the csv module's default 128 KB per field is not enough. Each
# read sets it to the field limit (ANNOTATE_IMPORT_MAX_FIELD_BYTES) before it starts.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class _Lines:
    """The text's lines for the csv module, each read at most ``limit`` characters at a time;
    a record (one or more lines, quoted newlines included) longer than ``limit`` raises Overflow."""

    def __init__(self, text: io.TextIOWrapper, limit: int):
        self._readline = text.readline
        self._limit = limit
        self.pending = 0  # characters of the record being read; reset by the reader after each record

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._readline(self._limit + 1)
        if not line:
            raise StopIteration
        self.pending += len(line)
        if self.pending > self._limit:
            raise Overflow(too_large("the record", self._limit, "IMPORT_MAX_ROW_BYTES"))
        return line


def _reader(delimiter: str):
    def read(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
        """Yield ``("line N", {header: value})`` for every data row."""
        path = Path(path)
        state = {"line": 0}
        last = lambda: f"after line {state['line']}" if state["line"] else None  # noqa: E731
        limits = context.limits
        csv.field_size_limit(limits.field_bytes)
        with open_maybe_gzip(path, limits) as stream, read_errors(context.source, last):
            position = Position(stream, path.stat().st_size)
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            lines = _Lines(text, limits.row_bytes)
            rows = csv.reader(lines, delimiter=delimiter, strict=True)
            try:
                header = next(rows, None)
                if header is None:
                    raise ImportFailed(context.source, None, "the file is empty")
                _check_header(header, context.source)
                lines.pending = 0
                state["line"] = rows.line_num
                width = len(header)
                count = 0
                for fields in rows:
                    lines.pending = 0
                    state["line"] = rows.line_num
                    location = f"line {rows.line_num}"
                    if not fields or (fields == [""] and width > 1):
                        continue  # a blank line
                    if len(fields) != width:
                        raise ImportFailed(
                            context.source, location, f"expected {width} fields (as in the header), got {len(fields)}"
                        )
                    count += 1
                    if count % 256 == 0:
                        context.fraction = position.fraction()
                    yield location, dict(zip(header, fields, strict=True))
            except Overflow as exc:
                # Named by the line the record starts on (a quoted field may span many).
                raise LimitExceeded(context.source, f"line {state['line'] + 1}", exc.message) from None
            except csv.Error as exc:
                if "field limit" in str(exc):
                    raise LimitExceeded(
                        context.source,
                        f"line {state['line'] + 1}",
                        too_large("a field", limits.field_bytes, "IMPORT_MAX_FIELD_BYTES"),
                    ) from None
                raise ImportFailed(
                    context.source, f"line {rows.line_num}", f"malformed {READER_NAMES[delimiter]}: {exc}"
                ) from None
        context.fraction = 1.0

    return read


def _check_header(header: list[str], source: str) -> None:
    seen: set[str] = set()
    for number, name in enumerate(header, start=1):
        if not name.strip():
            raise ImportFailed(source, "line 1", f"header column {number} has no name")
        if name in seen:
            raise ImportFailed(source, "line 1", f"header column {name!r} appears twice")
        seen.add(name)


READER_NAMES = {",": "CSV", "\t": "TSV"}
CSV = Reader("csv", "CSV", (".csv",), _reader(","))
TSV = Reader("tsv", "TSV", (".tsv", ".tab"), _reader("\t"))
