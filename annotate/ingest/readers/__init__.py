"""Source readers, one module per format, registered by name (STYLE.md 11).

A reader turns a source (a file, a folder, a Hub name) into ``(location, row)``
pairs, streaming where the format allows. ``location`` is what an error
message names: ``line 57`` for JSONL and CSV, ``row 12`` (1-based) for JSON
arrays, Parquet and datasets. Readers also keep ``ReadContext.fraction`` up to
date (0..1) so that progress bars and the progress page can show an ETA.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from annotate.ingest.errors import ImportFailed
from annotate.ingest.readers.base import Overflow, ReadContext, Reader, Row, open_maybe_gzip

__all__ = ["READERS", "ReadContext", "Reader", "Row", "detect_format", "read_rows"]


def _registry() -> dict[str, Reader]:
    from annotate.ingest.readers import csv_tsv, hf, json_array, jsonl, parquet

    readers = (jsonl.READER, json_array.READER, csv_tsv.CSV, csv_tsv.TSV, parquet.READER, hf.DISK, hf.LOAD, hf.HUB)
    return {reader.name: reader for reader in readers}


READERS: dict[str, Reader] = _registry()


def _sniff(path: Path) -> str | None:
    try:
        with open_maybe_gzip(path) as f:
            head = f.read(4096)
    except (EOFError, OSError, zlib.error, Overflow):
        return None  # a truncated or corrupt file: the reader for its name says what is wrong
    if head.startswith(b"PAR1"):
        return "parquet"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "jsonl"
    return None


def detect_format(source: Path | str) -> str:
    """The reader name for ``source``: from the folder's contents, the file name (``.gz``
    stripped) or, failing that, the first bytes. A string that is no local path is a Hub name."""
    path = Path(source)
    name = path.name
    if not path.exists():
        text = str(source)
        if "/" in text and not text.startswith((".", "/")) and text.count("/") == 1 and not Path(text).suffix:
            return "hf-hub"
        raise ImportFailed(name or text, None, "no such file or folder")
    if path.is_dir():
        if (path / "dataset_dict.json").is_file() or (path / "state.json").is_file():
            return "hf-disk"
        return "hf-load"
    lower = name.lower().removesuffix(".gz")
    for reader in READERS.values():
        if reader.suffixes and lower.endswith(reader.suffixes):
            if reader.name in {"json", "jsonl"}:
                return _sniff(path) or reader.name
            return reader.name
    sniffed = _sniff(path)
    if sniffed:
        return sniffed
    raise ImportFailed(
        name,
        None,
        "unsupported file type; expected .jsonl, .json, .csv, .tsv (each optionally .gz), .parquet, "
        "or a Hugging Face dataset folder",
    )


def read_rows(source: Path | str, fmt: str | None, context: ReadContext) -> Iterator[tuple[str, Row]]:
    """Yield ``(location, row)`` for every row of ``source`` read as ``fmt`` (detected if None)."""
    fmt = fmt or detect_format(source)
    try:
        reader = READERS[fmt]
    except KeyError:
        raise ImportFailed(context.source, None, f"unknown format {fmt!r}; known: {', '.join(READERS)}") from None
    return reader.read(source, context)
