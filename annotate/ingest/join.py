"""Joining files of single-model outputs on a key into one k-wise item per key.

``annotate import SLUG A.json B.json --join instruction``: every file holds one
model's outputs (``instruction``, ``output``, ``generator``, …); rows with the same
key become one item whose responses are the files' outputs, in file order.

The first file is streamed; the others are needed out of order, so each is indexed
by key in a temporary SQLite file (deleted afterwards) rather than in memory:
memory stays flat whatever the size of the files.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import orjson

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


class _KeyIndex:
    """The rows of one file by join key, in a temporary SQLite file, remembering which were used."""

    def __init__(self, folder: Path, name: str):
        self.db = sqlite3.connect(folder / f"{name}.db", isolation_level=None)
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        # Keys are stored as JSON, so the string "1" and the integer 1 stay different keys.
        self.db.execute(
            "CREATE TABLE rows (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, location TEXT NOT NULL,"
            " row BLOB, used INTEGER NOT NULL DEFAULT 0)"
        )

    def add(self, key: Any, location: str, row: dict[str, Any] | None) -> str | None:
        """Store a row (None: only remember the key); return the first location if the key is taken."""
        try:
            self.db.execute(
                "INSERT INTO rows (key, location, row) VALUES (?, ?, ?)",
                (orjson.dumps(key), location, None if row is None else orjson.dumps(row)),
            )
        except sqlite3.IntegrityError:
            return self.db.execute("SELECT location FROM rows WHERE key = ?", (orjson.dumps(key),)).fetchone()[0]
        return None

    def take(self, key: Any) -> dict[str, Any] | None:
        """The row for ``key``, marked as used; None if the file has no such key."""
        found = self.db.execute("SELECT seq, row FROM rows WHERE key = ?", (orjson.dumps(key),)).fetchone()
        if found is None:
            return None
        self.db.execute("UPDATE rows SET used = 1 WHERE seq = ?", (found[0],))
        return orjson.loads(found[1])

    def unused(self) -> Iterator[tuple[Any, str]]:
        """Keys never taken, in file order."""
        for key, location in self.db.execute("SELECT key, location FROM rows WHERE used = 0 ORDER BY seq"):
            yield orjson.loads(key), location

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM rows").fetchone()[0]

    def close(self) -> None:
        self.db.close()


def _index(index: _KeyIndex, path: Path, fmt: str | None, key: str, context: ReadContext) -> _KeyIndex:
    for location, row in read_rows(path, fmt, context):
        value = _key(row, key, context.source, location)
        try:
            first = index.add(value, location, row)
        except TypeError as exc:  # a typed format's value JSON cannot hold
            raise ImportFailed(context.source, location, f"cannot be joined: {exc}") from None
        if first is not None:
            raise ImportFailed(context.source, location, f"{key}: {str(value)[:60]!r} appears twice (first at {first})")
    if not len(index):
        raise ImportFailed(context.source, None, "the file has no rows")
    return index


def joined_rows(
    paths: list[Path], key: str, fmt: str | None, context: ReadContext
) -> Iterator[tuple[str, dict[str, Any] | RowError]]:
    """Yield ``(location, canonical row)`` per key of the first file; a key missing from
    another file yields a RowError in place of the row, so --skip-invalid can skip it."""
    if len(paths) < 2:
        raise ImportFailed(context.source, None, "--join needs two or more files")
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="annotate-join-")))
        others: list[tuple[str, _KeyIndex]] = []
        for n, path in enumerate(paths[1:], start=1):
            index = _KeyIndex(folder, f"file{n}")
            stack.callback(index.close)
            others.append(
                (path.name, _index(index, path, fmt, key, ReadContext(path.name, context.split, context.config)))
            )
        seen = _KeyIndex(folder, "first")
        stack.callback(seen.close)
        first = ReadContext(paths[0].name, context.split, context.config)
        for location, row in read_rows(paths[0], fmt, first):
            context.fraction = first.fraction
            where = f"{paths[0].name} {location}"
            value = _key(row, key, paths[0].name, location)
            if seen.add(value, location, None) is not None:
                raise ImportFailed(paths[0].name, location, f"{key}: {str(value)[:60]!r} appears twice")
            matches = [(name, index.take(value)) for name, index in others]
            missing = [name for name, match in matches if match is None]
            if missing:
                yield where, RowError(key, f"{str(value)[:60]!r} has no match in {', '.join(missing)}")
                continue
            found = [(name, match) for name, match in matches if match is not None]  # all of them, here
            yield where, _combine([(paths[0].name, row), *found], key)
        for name, index in others:
            for value, location in index.unused():
                yield f"{name} {location}", RowError(key, f"{str(value)[:60]!r} has no match in {paths[0].name}")


def _combine(rows: list[tuple[str, dict]], key: str) -> dict[str, Any] | RowError:
    responses: list[dict[str, Any]] = []
    extra: dict[str, list[Any]] = {}
    for n, (name, row) in enumerate(rows, start=1):
        output = _pick(row, OUTPUT_COLUMNS)
        if output is None:
            return RowError("output", f"{name} has none of the columns {', '.join(OUTPUT_COLUMNS)}")
        model = _pick(row, MODEL_COLUMNS)
        responses.append(
            {
                "id": f"r{n}",
                "content": row[output],
                "model": str(row[model]) if model else Path(name).name.split(".")[0],
            }
        )
        for column, value in row.items():
            if column not in (key, output, model):
                extra.setdefault(column, []).append(value)
    metadata: dict[str, Any] = {"joined_on": key, "sources": [name for name, _ in rows]}
    for column, values in extra.items():
        metadata[column] = values[0] if len(values) == len(rows) and all(v == values[0] for v in values) else values
    return {"prompt": rows[0][1][key], "responses": responses, "metadata": metadata}
