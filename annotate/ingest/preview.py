"""The preview a researcher sees before importing: detected format and shape, the mapping,
the first rows converted as experts will see them (or the error of each), and the row count."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from annotate.ingest.convert import TABLE_FORMATS, staged_row, to_item
from annotate.ingest.errors import ImportFailed, RowError
from annotate.ingest.join import joined_rows
from annotate.ingest.readers import ReadContext, detect_format, read_rows
from annotate.ingest.services import ImportOptions
from annotate.ingest.shapes import SHAPES, Shape, detect_shape, mapped_shape

PREVIEW_ROWS = 5
# Rows checked beyond the first few (every row of most uploads): enough to know before
# importing whether rows will fail, without making the preview of a huge file slow.
CHECK_ROWS = 200_000


@dataclass
class Preview:
    """What the preview page shows."""

    format: str = ""
    shape: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # {"location", "item"} or {"location", "error"}
    count: int | None = None
    error: str | None = None
    invalid: int = 0  # rows among the first ``checked`` that the import would refuse
    checked: int = 0
    first_invalid: str | None = None  # "location: problem" of the first of them

    @property
    def blocked(self) -> bool:
        """Rows are known to fail: importing needs a better mapping or skipping them."""
        return self.invalid > 0


def build_preview(
    paths: list[Path],
    names: list[str],
    options: ImportOptions,
    kind: str,
    count_rows: bool = True,
    config: dict[str, Any] | None = None,
) -> Preview:
    """Read the first rows of the upload with ``options`` and convert them; never writes.
    ``config``: the project's template config, to check gold answers as the import does."""
    preview = Preview()
    try:
        preview.format = options.format or detect_format(paths[0])
        context = ReadContext(" + ".join(names), options.split, options.config)
        fmt = options.format or preview.format
        checks = {"blank_is_missing": fmt in TABLE_FORMATS, "config": config}

        def all_rows():
            if options.join:
                return joined_rows(paths, options.join, fmt, context)
            return read_rows(paths[0], fmt, ReadContext(names[0]))

        rows = all_rows()
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
                assert shape is not None  # detected above, or the loop ended
                preview.rows.append({"location": location, "item": _converted(row, shape, kind, checks)})
            except RowError as exc:
                preview.rows.append({"location": location, "error": str(exc)})
        preview.shape = shape.name if shape else ""
        if count_rows and preview.error is None:
            _count_and_check(preview, all_rows(), shape, kind, checks)
    except ImportFailed as exc:
        preview.error = str(exc)
    return preview


def _converted(row: dict[str, Any], shape: Shape, kind: str, checks: dict) -> dict[str, Any]:
    """The row as the import converts it, refused where the import would refuse it (a value
    that cannot be stored, such as bytes from Parquet, included: ``staged_row``)."""
    item = to_item(row, shape, kind, **checks)
    staged_row(item)
    return item


def _count_and_check(preview: Preview, rows, shape: Shape | None, kind: str, checks: dict) -> None:
    """Count the rows, converting the first ``CHECK_ROWS`` as the import will: how many would fail."""
    count = 0
    for location, row in rows:
        count += 1
        if count > CHECK_ROWS or shape is None:
            continue
        try:
            if isinstance(row, RowError):
                raise row
            _converted(row, shape, kind, checks)
        except RowError as exc:
            preview.invalid += 1
            if preview.first_invalid is None:
                preview.first_invalid = f"{location}: {exc}"
    preview.count = count
    preview.checked = min(count, CHECK_ROWS)
