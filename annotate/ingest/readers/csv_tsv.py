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

from annotate.ingest.errors import ImportFailed
from annotate.ingest.readers.base import Position, ReadContext, Reader, Row, open_maybe_gzip, read_errors

# Model outputs are long: the csv module's default 128 KB per field is not enough.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _reader(delimiter: str):
    def read(path: Path | str, context: ReadContext) -> Iterator[tuple[str, Row]]:
        """Yield ``("line N", {header: value})`` for every data row."""
        path = Path(path)
        state = {"line": 0}
        last = lambda: f"after line {state['line']}" if state["line"] else None  # noqa: E731
        with open_maybe_gzip(path) as stream, read_errors(context.source, last):
            position = Position(stream, path.stat().st_size)
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            rows = csv.reader(text, delimiter=delimiter, strict=True)
            try:
                header = next(rows, None)
                if header is None:
                    raise ImportFailed(context.source, None, "the file is empty")
                _check_header(header, context.source)
                width = len(header)
                count = 0
                for fields in rows:
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
            except csv.Error as exc:
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
