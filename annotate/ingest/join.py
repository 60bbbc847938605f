"""Joining files of single-model outputs on a key into one k-wise item per key.

``annotate import SLUG A.json B.json --join instruction``: every file holds one
model's outputs (``instruction``, ``output``, ``generator``, …); rows with the same
key become one item whose responses are the files' outputs, in file order.

The first file is streamed; the others are indexed in memory by key (their rows
are needed out of order). Memory is therefore proportional to the files after
the first: fine for the model-output files this is for (thousands of rows);
for millions, pre-join them and import a JSONL of canonical items.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotate.ingest.errors import ImportFailed, RowError
from annotate.ingest.readers import ReadContext, read_rows

OUTPUT_COLUMNS = ("output", "response", "completion", "answer")
MODEL_COLUMNS = ("generator", "model")


def _pick(row: dict, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in row), None)


def _key(row: dict, key: str, source: str, location: str) -> Any:
    if key not in row:
        raise ImportFailed(source, location, f"{key}: the join key is missing (columns: {', '.join(sorted(row)[:20])})")
    value = row[key]
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ImportFailed(source, location, f"{key}: a join key must be a string or an integer")
    return value


def _index(path: Path, fmt: str | None, key: str, context: ReadContext) -> dict[Any, tuple[str, dict]]:
    index: dict[Any, tuple[str, dict]] = {}
    for location, row in read_rows(path, fmt, context):
        value = _key(row, key, context.source, location)
        if value in index:
            raise ImportFailed(context.source, location, f"{key}: {str(value)[:60]!r} appears twice (first at {index[value][0]})")
        index[value] = (location, row)
    if not index:
        raise ImportFailed(context.source, None, "the file has no rows")
    return index


def joined_rows(paths: list[Path], key: str, fmt: str | None, context: ReadContext) -> Iterator[tuple[str, dict[str, Any] | RowError]]:
    """Yield ``(location, canonical row)`` per key of the first file; a key missing from
    another file yields a RowError in place of the row, so --skip-invalid can skip it."""
    if len(paths) < 2:
        raise ImportFailed(context.source, None, "--join needs two or more files")
    others = []
    for path in paths[1:]:
        others.append((path.name, _index(path, fmt, key, ReadContext(path.name, context.split, context.config))))
    first = ReadContext(paths[0].name, context.split, context.config)
    seen: set[Any] = set()
    for location, row in read_rows(paths[0], fmt, first):
        context.fraction = first.fraction
        where = f"{paths[0].name} {location}"
        value = _key(row, key, paths[0].name, location)
        if value in seen:
            raise ImportFailed(paths[0].name, location, f"{key}: {str(value)[:60]!r} appears twice")
        seen.add(value)
        rows = [(paths[0].name, row)]
        missing = [name for name, index in others if value not in index]
        if missing:
            yield where, RowError(key, f"{str(value)[:60]!r} has no match in {', '.join(missing)}")
            continue
        rows += [(name, index[value][1]) for name, index in others]
        yield where, _combine(rows, key)
    for name, index in others:
        for value, (location, _row) in index.items():
            if value not in seen:
                yield f"{name} {location}", RowError(key, f"{str(value)[:60]!r} has no match in {paths[0].name}")


def _combine(rows: list[tuple[str, dict]], key: str) -> dict[str, Any] | RowError:
    responses: list[dict[str, Any]] = []
    extra: dict[str, list[Any]] = {}
    for n, (name, row) in enumerate(rows, start=1):
        output = _pick(row, OUTPUT_COLUMNS)
        if output is None:
            return RowError("output", f"{name} has none of the columns {', '.join(OUTPUT_COLUMNS)}")
        model = _pick(row, MODEL_COLUMNS)
        responses.append({"id": f"r{n}", "content": row[output], "model": str(row[model]) if model else Path(name).name.split(".")[0]})
        for column, value in row.items():
            if column not in (key, output, model):
                extra.setdefault(column, []).append(value)
    metadata: dict[str, Any] = {"joined_on": key, "sources": [name for name, _ in rows]}
    for column, values in extra.items():
        metadata[column] = values[0] if len(values) == len(rows) and all(v == values[0] for v in values) else values
    return {"prompt": rows[0][1][key], "responses": responses, "metadata": metadata}
