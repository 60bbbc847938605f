"""What the readers share: opening a file that may be gzip-compressed, tracking how far
into it we are, and turning low-level read errors into ImportFailed."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from annotate.ingest.errors import ImportFailed

Row = dict[str, Any]
GZIP_MAGIC = b"\x1f\x8b"


def open_maybe_gzip(path: Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, decompressing when it starts with the gzip magic."""
    raw = path.open("rb")
    if raw.read(2) == GZIP_MAGIC:
        raw.seek(0)
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    raw.seek(0)
    return raw


class Position:
    """How far into the (compressed) file we are, from the position of the raw file."""

    def __init__(self, stream: IO[bytes], size: int):
        raw = getattr(stream, "fileobj", None) or stream
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


@dataclass(frozen=True)
class Reader:
    """A source format: its name, the file suffixes it claims, and its row generator."""

    name: str
    title: str
    suffixes: tuple[str, ...]
    read: Callable[[Path | str, ReadContext], Iterator[tuple[str, Row]]]
