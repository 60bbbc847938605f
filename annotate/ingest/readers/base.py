"""What the readers share: opening a file that may be gzip-compressed, tracking how far
into it we are, and turning low-level read errors into ImportFailed."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from annotate.ingest.errors import ImportFailed, LimitExceeded
from annotate.limits import ReadLimits, read_limits, too_large

Row = dict[str, Any]
GZIP_MAGIC = b"\x1f\x8b"
BUFFER = 1 << 16
# A plain file is read a mebibyte at a time: one system call per ~500 rows of 2 KB, not per 4.
FILE_BUFFER = 1 << 20


class Overflow(Exception):
    """Raised inside a read when a limit is passed; ``read_errors`` names the file and location."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class _Bounded(io.RawIOBase):
    """A decompressing stream that refuses to produce more than ``limit`` bytes (a gzip bomb)."""

    def __init__(self, inner: gzip.GzipFile, fileobj: IO[bytes], limit: int):
        self._inner = inner
        self.fileobj = fileobj  # the compressed file, for Position
        self._limit = limit
        self._total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._inner.readinto(buffer)
        self._total += count
        if self._total > self._limit:
            raise Overflow(too_large("the decompressed file", self._limit, "IMPORT_MAX_DECOMPRESSED_BYTES"))
        return count

    def close(self) -> None:
        try:
            self._inner.close()
            self.fileobj.close()
        finally:
            super().close()


def open_maybe_gzip(path: Path, limits: ReadLimits | None = None) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing when it starts with the gzip magic.

    Decompressed data is capped at ``limits.decompressed_bytes``; a read past it raises
    Overflow (turned into LimitExceeded by ``read_errors``).
    """
    raw = path.open("rb", buffering=FILE_BUFFER)
    if raw.read(2) == GZIP_MAGIC:
        raw.seek(0)
        limit = (limits or read_limits()).decompressed_bytes
        return io.BufferedReader(_Bounded(gzip.GzipFile(fileobj=raw), raw, limit), BUFFER)
    raw.seek(0)
    return raw


class Position:
    """How far into the (compressed) file we are, from the position of the raw file."""

    def __init__(self, stream: IO[bytes], size: int):
        raw = getattr(getattr(stream, "raw", None), "fileobj", None) or stream
        self._raw = raw
        self._size = max(size, 1)

    def fraction(self) -> float:
        try:
            return min(self._raw.tell() / self._size, 1.0)
        except (OSError, ValueError):
            return 0.0


@contextmanager
def read_errors(source: str, where: Any) -> Iterator[None]:
    """Name a truncated or corrupt file the way a person would understand it.

    ``where`` is a callable returning the last location read, so the message says
    how far the file could be read (``after line 120``).
    """
    try:
        yield
    except Overflow as exc:
        raise LimitExceeded(source, where(), exc.message) from None
    except EOFError:
        raise ImportFailed(source, where(), "the file ends too early: the gzip stream is truncated") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise ImportFailed(source, where(), f"the gzip data is corrupt ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ImportFailed(source, where(), f"the text is not UTF-8 ({exc.reason} at byte {exc.start})") from None


@dataclass
class ReadContext:
    """What a reader needs besides the path, and where it reports progress."""

    source: str
    split: str | None = None
    config: str | None = None
    # Updated by the reader as it goes: share of the source read so far.
    fraction: float = 0.0
    total_rows: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # The app's limits when the context is made (defaults outside an app).
    limits: ReadLimits = field(default_factory=read_limits)


@dataclass(frozen=True)
class Reader:
    """A source format: its name, the file suffixes it claims, and its row generator."""

    name: str
    title: str
    suffixes: tuple[str, ...]
    read: Callable[[Path | str, ReadContext], Iterator[tuple[str, Row]]]
