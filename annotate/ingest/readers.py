"""Source readers: each yields (location, row) pairs, streaming where the format allows.

``location`` is what an error message should name: ``line 57`` for JSONL,
``row 12`` (1-based) for a JSON array.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from annotate.ingest.errors import ImportFailed

Row = dict[str, Any]
GZIP_MAGIC = b"\x1f\x8b"


def _open(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    if raw.read(2) == GZIP_MAGIC:
        raw.seek(0)
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    raw.seek(0)
    return raw


def detect_format(path: Path) -> str:
    """'jsonl' or 'json', from the file name (``.gz`` stripped) or, failing that, the first byte."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith(".json"):
        with _open(path) as f:
            head = f.read(4096).lstrip()
        return "json" if head.startswith(b"[") else "jsonl"
    raise ImportFailed(str(path.name), None, "unsupported file type; expected .jsonl, .ndjson or .json (optionally .gz)")


def read_rows(path: Path, fmt: str | None = None) -> Iterator[tuple[str, Row]]:
    """Yield (location, row) for every row of ``path``."""
    fmt = fmt or detect_format(path)
    source = path.name
    try:
        if fmt == "jsonl":
            yield from _jsonl(path, source)
        elif fmt == "json":
            yield from _json_array(path, source)
        else:
            raise ImportFailed(source, None, f"unsupported format {fmt!r}")
    except (EOFError, gzip.BadGzipFile, OSError) as exc:
        raise ImportFailed(source, None, f"cannot read file: {exc}") from None


def _jsonl(path: Path, source: str) -> Iterator[tuple[str, Row]]:
    with _open(path) as raw:
        for number, line in enumerate(io.BufferedReader(raw, buffer_size=1 << 20), start=1):  # type: ignore[arg-type]
            if not line.strip():
                continue
            location = f"line {number}"
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ImportFailed(source, location, f"invalid JSON: {exc}") from None
            if not isinstance(row, dict):
                raise ImportFailed(source, location, f"expected a JSON object, got {type(row).__name__}")
            yield location, row


def _json_array(path: Path, source: str) -> Iterator[tuple[str, Row]]:
    with _open(path) as raw:
        data = raw.read()
    try:
        rows = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ImportFailed(source, None, f"invalid JSON: {exc}") from None
    if not isinstance(rows, list):
        raise ImportFailed(source, None, "expected a JSON array of objects at the top level")
    for index, row in enumerate(rows, start=1):
        location = f"row {index}"
        if not isinstance(row, dict):
            raise ImportFailed(source, location, f"expected a JSON object, got {type(row).__name__}")
        yield location, row
