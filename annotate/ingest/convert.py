"""Rows to the tuples an import writes: shape, item checks, media, JSON text and content hash.

``Conversion`` turns ``(location, row)`` pairs into chunks of row tuples (``ROW_COLUMNS``
order) and counts what it read and skipped; the import (``annotate.ingest.services``)
writes each chunk as it comes. A large file is read and converted in a process of its
own (``python -m annotate.ingest.convert``, ``InProcess`` vs ``InChild``) while the
importing process writes the chunk before: converting is Python work that holds the GIL,
so a thread would not overlap it with the writes (measured: a writer thread ran slower
than writing in turn, bench/RESULTS.md), while a second process does, on a second core.
The child is started per import, only for files of at least ``ANNOTATE_IMPORT_PROCESS_BYTES``
(its start costs about 0.2 s), and stops with the import:

- the child sends each chunk as one length-prefixed ``marshal`` record on its stdout (rows
  are tuples of text), and a last record saying done or failed (with the location and reason);
- the pipe holds at most the chunk being sent, so the child is at most one chunk ahead
  and memory stays flat whatever the file's size;
- a child whose parent dies (a killed worker) fails its next write and exits; a parent
  whose child dies reads the end of the pipe and fails the import, saying so.
"""

from __future__ import annotations

import logging
import marshal
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from annotate.ingest.errors import ImportFailed, LimitExceeded, RowError
from annotate.ingest.media import localise_media
from annotate.ingest.readers import ReadContext, read_rows
from annotate.ingest.readers.base import GZIP_MAGIC
from annotate.ingest.shapes import SHAPES, Shape, content_hash, describe_shapes, detect_shape, mapped_shape
from annotate.ingest.shapes.common import fits_json, lift_suggestion
from annotate.ingest.shapes.mapping import Mapping, check_columns
from annotate.ingest.validate import check_item
from annotate.limits import ReadLimits

# Rows per committed chunk: an expert's claim or submit waits for at most one chunk's
# transaction (bench/RESULTS.md measures how long that is).
CHUNK_SIZE = 1000
# The columns of a chunk's row tuples, in order (JSON as text).
ROW_COLUMNS = ("external_id", "content_hash", "prompt", "responses", "metadata", "suggestion", "gold")
# Tables, where an empty cell is a value left out (see ``validate.check_item``).
TABLE_FORMATS = {"csv", "tsv"}
Chunk = list[tuple[Any, ...]]
log = logging.getLogger(__name__)


@dataclass
class Spec:
    """What converting needs, as plain values (they are sent to a converter process)."""

    source: str  # the import's name, as errors say it
    kind: str
    config: dict[str, Any] | None = None  # the template's, for a gold answer
    shape: str | None = None
    mapping: Mapping | None = None
    table: bool = False  # an empty cell is a value left out
    skip_invalid: bool = False
    project_id: int = 0
    media_base: str | None = None  # the source's folder, for relative media paths
    media_store: str | None = None


def to_item(
    row: dict[str, Any],
    shape: Shape,
    kind_name: str,
    blank_is_missing: bool = False,
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Convert one row with ``shape`` and check it against the item schema and the task kind
    (``blank_is_missing``: for tables; ``config``: the template's, for a gold answer; see ``check_item``)."""
    try:
        item = shape.convert(row)
    except KeyError as exc:
        # Shapes are detected on the first row; a later row may lack a field the shape needs.
        raise RowError(str(exc.args[0]), f"is required by the {shape.name} shape but missing from this row") from None
    lift_suggestion(item)
    check_item(item, kind_name, blank_is_missing, config)
    return item


def staged_row(item: dict[str, Any]) -> tuple[Any, ...]:
    """The row as written, in ``ROW_COLUMNS`` order; RowError if it cannot be stored as JSON."""
    try:
        return _staged(item)
    except TypeError as exc:  # orjson.JSONEncodeError is a TypeError
        raise _unstorable(item, exc) from None


def _staged(item: dict[str, Any]) -> tuple[Any, ...]:
    dumps = orjson.dumps
    prompt = dumps(item["prompt"]).decode()
    responses = dumps(item["responses"]).decode()
    metadata = dumps(item.get("metadata") or {}).decode()
    suggestion = None if item.get("suggestion") is None else dumps(item["suggestion"]).decode()
    gold = None if item.get("gold") is None else dumps(item["gold"]).decode()
    if any(NUL_ESCAPE in text for text in (prompt, responses, metadata, suggestion or "", gold or "")):
        _refuse_nul(item)
    return (item["id"], content_hash(item["prompt"], item["responses"]), prompt, responses, metadata, suggestion, gold)


# How JSON writes a NUL character. PostgreSQL keeps it in a ``json`` column but none of its text
# functions (the search index's ``json_to_tsvector``, ``->>``) can read it back.
NUL_ESCAPE = "\\u0000"


def _refuse_nul(item: dict[str, Any]) -> None:
    """RowError naming the first text (or key) of ``item`` that holds a NUL character; none when
    the JSON only held a backslash followed by ``u0000``."""
    keys = ("gold", "suggestion", "metadata", "responses", "prompt")  # popped in the reverse order
    stack: list[tuple[str, Any]] = [(key, item[key]) for key in keys if key in item]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            raise RowError(path, "contains a NUL character (\\x00), which cannot be stored; remove it")
        if isinstance(value, dict):
            if any("\x00" in str(key) for key in value):
                raise RowError(path, "has a key with a NUL character (\\x00), which cannot be stored")
            stack.extend((f"{path}.{key}", child) for key, child in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", child) for i, child in reversed(list(enumerate(value))))


def _unstorable(item: dict[str, Any], exc: Exception) -> RowError:
    """The RowError for an item orjson cannot serialise (bytes or images from Parquet and
    datasets, integers past 64 bits from a JSON array), naming the first such field."""
    for key in ("prompt", "responses", "suggestion", "gold"):
        if not fits_json(item.get(key)):
            return RowError(key, f"cannot be stored as JSON ({exc})")
    bad = next((k for k, v in (item.get("metadata") or {}).items() if not fits_json(v)), None)
    return RowError(f"metadata.{bad}" if bad else "", f"cannot be stored as JSON ({exc})")


def detect(row: Any, source: str, location: str) -> Shape:
    """The shape of the first row, or ImportFailed saying which shapes there are."""
    if isinstance(row, RowError):
        raise ImportFailed(source, location, str(row))
    shape = detect_shape(row)
    if shape is None:
        keys = ", ".join(sorted(row)[:12])
        raise ImportFailed(source, location, f"unrecognised row shape (keys: {keys}); expected {describe_shapes()}")
    return shape


class Conversion:
    """Chunks of converted rows (iterate), and what was read so far: kept current during the
    iteration and after it stops, also when it stops with ImportFailed."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.read = 0  # rows read
        self.valid = 0  # rows converted (in the chunks so far)
        self.skipped = 0  # rows skipped as invalid (``skip_invalid``)
        self.problems: list[dict[str, str]] = []  # why each was skipped
        self.shape = "mapping" if spec.mapping else (spec.shape or "")
        self.fraction = 0.0  # share of the source read
        self.total_rows: int | None = None

    def __iter__(self) -> Iterator[Chunk]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop converting (a converter process is ended)."""

    def __enter__(self) -> Conversion:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class InProcess(Conversion):
    """Converts ``rows`` in this process, as they are read."""

    def __init__(self, spec: Spec, rows: Iterable[tuple[str, Any]], context: ReadContext):
        super().__init__(spec)
        self.rows = rows
        self.context = context

    def __iter__(self) -> Iterator[Chunk]:
        spec = self.spec
        shape: Shape | None = (
            mapped_shape(spec.mapping) if spec.mapping else (SHAPES[spec.shape] if spec.shape else None)
        )
        base = Path(spec.media_base) if spec.media_base else None
        store = Path(spec.media_store) if spec.media_store else None
        chunk: Chunk = []
        for location, row in self.rows:
            self.read += 1
            if shape is None and not isinstance(row, RowError):
                shape = detect(row, spec.source, location)
                self.shape = shape.name
            elif spec.mapping and self.read == 1 and isinstance(row, dict):
                check_columns(spec.mapping, row, spec.source, location)
            try:
                if isinstance(row, RowError):  # a row the reader could not make (e.g. a --join key without a match)
                    raise row
                assert shape is not None
                item = to_item(row, shape, spec.kind, blank_is_missing=spec.table, config=spec.config)
                # Every row, whatever its source: a media src is fetched by viewers' browsers.
                localise_media(item, base, store, spec.project_id)
                chunk.append(staged_row(item))
            except RowError as exc:
                if not spec.skip_invalid:
                    raise ImportFailed(spec.source, location, str(exc)) from None
                self.skipped += 1
                self.problems.append({"location": location, "error": str(exc)})
                continue
            self.valid += 1
            if len(chunk) >= CHUNK_SIZE:
                self._track()
                yield chunk
                chunk = []
        self._track()
        if self.read == 0:
            raise ImportFailed(spec.source, None, "the file has no rows")
        if self.valid == 0:
            raise ImportFailed(spec.source, None, f"every row was invalid ({self.skipped} skipped); nothing to import")
        yield chunk

    def _track(self) -> None:
        self.fraction, self.total_rows = self.context.fraction, self.context.total_rows


@dataclass
class Sources:
    """Which files to read and how (a converter process reads them itself)."""

    paths: list[str]
    format: str | None = None
    join: str | None = None
    split: str | None = None
    config: str | None = None


def read(sources: Sources, context: ReadContext) -> Iterator[tuple[str, Any]]:
    """``(location, row)`` of every row of the sources (several are joined on ``sources.join``)."""
    from annotate.ingest.join import joined_rows

    if sources.join:
        return joined_rows([Path(p) for p in sources.paths], sources.join, sources.format, context)
    if len(sources.paths) != 1:
        raise ImportFailed(context.source, None, "several sources need --join KEY to say how their rows match")
    return read_rows(sources.paths[0], sources.format, context)


def cores() -> int:
    """The CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):  # Linux
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def in_child_pays(paths: list[str], minimum: int) -> bool:
    """Whether to convert ``paths`` in a process of their own: files (not folders or Hub names)
    of at least ``minimum`` bytes of content together (0: never), on a machine with a core to spare."""
    if minimum <= 0 or cores() < 2:
        return False
    files = [Path(p) for p in paths]
    if not all(f.is_file() for f in files):
        return False
    return sum(content_bytes(f) for f in files) >= minimum


def content_bytes(path: Path) -> int:
    """The size of ``path``'s content: for a gzip file, what its trailer says it expands to
    (modulo 4 GiB, as gzip records it; never less than the file), else the file's size."""
    size = path.stat().st_size
    with path.open("rb") as f:
        if size < 18 or f.read(2) != GZIP_MAGIC:  # 18: the smallest gzip file
            return size
        f.seek(-4, os.SEEK_END)
        return max(size, int.from_bytes(f.read(4), "little"))


class InChild(Conversion):
    """Reads and converts the sources in a process of its own (see the module docstring)."""

    def __init__(self, spec: Spec, sources: Sources, limits: ReadLimits):
        super().__init__(spec)
        # The child's stderr, for the message of a crash; closed by close().
        self._errors: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._child = subprocess.Popen(
            [sys.executable, "-m", "annotate.ingest.convert"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
        )
        assert self._child.stdin is not None
        assert self._child.stdout is not None
        self._out = self._child.stdout
        try:
            marshal.dump((asdict(spec), asdict(sources), asdict(limits)), self._child.stdin)
            self._child.stdin.close()
        except BrokenPipeError:
            pass  # it died at once: reading says so

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            record = _receive(self._out)
            if record is None:
                raise ImportFailed(self.spec.source, None, self._died())
            tag, counts, body = record
            self.read, self.valid, self.skipped, self.shape, self.fraction, self.total_rows, problems = counts
            self.problems.extend(problems)
            if tag == "chunk":
                yield body
            elif tag == "done":
                return
            elif tag == "failed":
                limit, location, detail = body
                raise (LimitExceeded if limit else ImportFailed)(self.spec.source, location, detail)
            else:  # "crashed": a bug, with the child's traceback
                log.error("the converter process of %s failed:\n%s", self.spec.source, body)
                raise RuntimeError(f"the converter process failed: {body.strip().splitlines()[-1]}")

    def _died(self) -> str:
        code = self._child.wait()
        self._errors.seek(0)
        last = self._errors.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
        if code < 0:  # a signal: SIGKILL is also what the kernel sends when memory runs out
            how = f"it was stopped by {signal.Signals(-code).name}"
        else:
            how = f"exit status {code}" + (f": {last[-1]}" if last else "")
        return f"the process converting the rows stopped unexpectedly ({how}); nothing was kept"

    def close(self) -> None:
        if self._child.poll() is None:
            self._child.kill()
        self._child.wait()
        self._out.close()
        self._errors.close()


def _send(stream: IO[bytes], record: tuple[Any, ...]) -> None:
    data = marshal.dumps(record)
    stream.write(len(data).to_bytes(8, "little"))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next record, or None at the end of the stream (read whole: one ``loads`` in C)."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    if len(data) < size:
        return None
    try:
        return marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None


def _serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """The converter process: read the request, send chunks, then done or failed."""
    spec_values, source_values, limit_values = marshal.load(stdin)
    spec, sources = Spec(**spec_values), Sources(**source_values)
    context = ReadContext(spec.source, sources.split, sources.config, limits=ReadLimits(**limit_values))
    conversion = InProcess(spec, (), context)
    sent = 0

    def send(tag: str, body: Any) -> None:
        nonlocal sent
        c = conversion
        counts = (c.read, c.valid, c.skipped, c.shape, c.fraction, c.total_rows, c.problems[sent:])
        sent = len(c.problems)
        _send(stdout, (tag, counts, body))

    try:
        conversion.rows = read(sources, context)
        for chunk in conversion:
            send("chunk", chunk)
    except ImportFailed as exc:
        send("failed", (isinstance(exc, LimitExceeded), exc.location, exc.detail))
    except Exception:  # a bug: the parent fails the import with this text
        send("crashed", traceback.format_exc())
    else:
        send("done", None)


def main() -> None:
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # a library's print must not corrupt the records
    try:
        _serve(sys.stdin.buffer, out)
    except BrokenPipeError:  # the importing process is gone: nothing to do
        os._exit(1)


if __name__ == "__main__":
    main()
