"""The preview a researcher sees before importing: detected format and shape, the mapping,
the first rows converted as experts will see them (or the error of each), and the row count."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from annotate.ingest.errors import ImportFailed, RowError
from annotate.ingest.join import joined_rows
from annotate.ingest.readers import ReadContext, detect_format, read_rows
from annotate.ingest.services import ImportOptions, to_item
from annotate.ingest.shapes import SHAPES, detect_shape, mapped_shape

PREVIEW_ROWS = 5


@dataclass
class Preview:
    """What the preview page shows."""

    format: str = ""
    shape: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # {"location", "item"} or {"location", "error"}
    count: int | None = None
    error: str | None = None


def build_preview(
    paths: list[Path], names: list[str], options: ImportOptions, kind: str, count_rows: bool = True
) -> Preview:
    """Read the first rows of the upload with ``options`` and convert them; never writes."""
    preview = Preview()
    try:
        preview.format = options.format or detect_format(paths[0])
        context = ReadContext(" + ".join(names), options.split, options.config)
        fmt = options.format or preview.format
        if options.join:
            rows = joined_rows(paths, options.join, fmt, context)
        else:
            rows = read_rows(paths[0], fmt, ReadContext(names[0]))
        shape = mapped_shape(options.mapping) if options.mapping else (SHAPES[options.shape] if options.shape else None)
        for location, row in islice(rows, PREVIEW_ROWS):
            if isinstance(row, dict) and not preview.columns:
                preview.columns = list(row)
            if shape is None and isinstance(row, dict):
                shape = detect_shape(row)
                if shape is None:
                    preview.error = f"{location}: the shape of the rows was not recognised; map the columns below"
                    break
            try:
                if isinstance(row, RowError):
                    raise row
                preview.rows.append({"location": location, "item": to_item(row, shape, kind)})
            except RowError as exc:
                preview.rows.append({"location": location, "error": str(exc)})
        preview.shape = shape.name if shape else ""
        if count_rows and preview.error is None:
            first = ReadContext(names[0])
            preview.count = sum(1 for _ in read_rows(paths[0], fmt, first))
    except ImportFailed as exc:
        preview.error = str(exc)
    return preview
