"""Media parts that reference files next to the source: copied into the instance's media
store, in the project's own folder, under their content hash, and rewritten to
``/media/<project id>/<sha256>.<ext>``. The media route serves a file only to members
of that project (and admins), so a name seen once does not open another project's files.

A reference must stay inside the source's folder: no absolute paths, no ``..``, and
the path is resolved (symlinks followed) and refused unless it is still inside the
folder, so a dataset cannot make the server read /etc/passwd, not even through
``x.png -> /etc/passwd``.

Every ``src`` of every import is checked (``localise_media``), because a viewer's
browser fetches it with their cookies: a source like ``/media/../p/<slug>/export?…``
would make every expert who opens the task send a same-origin GET. So a ``src`` is
one of: a path relative to the source (copied in, as above), this project's own
stored media name (``/media/<project id>/<sha256>.<ext>``, as a re-import of an
export carries), or an ``https://`` URL of another host with no credentials in it.
Anything else is refused, naming the row and field.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import wave
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from annotate.ingest.errors import RowError
from annotate.ingest.shapes.common import MEDIA_TYPES

NAME = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{2,5}$")
STORED = re.compile(r"^/media/([0-9]{1,18})/([0-9a-f]{64}\.[a-z0-9]{2,5})$")
# Characters no media reference needs, that browsers or servers may read specially.
UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def url_problem(src: str) -> str | None:
    """Why ``src`` is no acceptable ``https://`` media URL, or None."""
    if UNSAFE.search(src):
        return f"a media URL may hold no spaces, control characters or backslashes, got {src[:80]!r}"
    try:
        parts = urlsplit(src)
        parts.port  # noqa: B018 - raises for a malformed port
    except ValueError:
        return f"not a valid URL: {src[:80]!r}"
    if parts.scheme != "https":
        return f"media URLs must use https, got {src[:80]!r}"
    if not parts.hostname or "@" in parts.netloc:
        return f"a media URL needs a host and no user name or password, got {src[:80]!r}"
    return None


def stored_name(src: str, project_id: int) -> str | None:
    """The stored file name if ``src`` is exactly one of this project's ``/media/`` names, else None."""
    match = STORED.match(src)
    if match is None or int(match.group(1)) != project_id:
        return None
    return match.group(2)


def src_problem(src: str, project_id: int) -> str | None:
    """Why ``src`` may not be kept as given (a URL or a stored name), or None. Relative paths
    are not judged here: ``_store`` copies them in or refuses them."""
    if src.startswith(("https://", "http://")):
        return url_problem(src)
    if src.startswith("/"):
        if stored_name(src, project_id) is not None:
            return None
        if src.startswith("/media/") and STORED.match(src):
            return f"{src[:80]!r} is another project's media file; import the file itself"
        return (
            "media must be a file next to the source, an https:// URL or this project's own "
            f"/media/<project>/<sha256>.<ext> name, got {src[:80]!r}"
        )
    return None


def _relative_problem(src: str) -> str | None:
    relative = Path(src)
    if (
        relative.is_absolute()
        or ".." in relative.parts
        or ":" in src.split("/")[0]
        or UNSAFE.search(src)
        or "?" in src
        or "#" in src
    ):
        return f"media paths must be relative to the source and stay inside its folder, got {src[:80]!r}"
    return None


def _store(src: str, base: Path, store: Path, project_id: int, field: str) -> str:
    problem = _relative_problem(src)
    if problem:
        raise RowError(field, problem)
    folder = base.resolve()
    path = base / src
    try:
        resolved = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        resolved = None
    if resolved is not None and not resolved.is_relative_to(folder):
        raise RowError(
            field, f"media file {src[:80]!r} leads outside the source's folder (a symbolic link?); it was not read"
        )
    path = resolved or path
    if not path.is_file():
        raise RowError(field, f"media file {src[:80]!r} not found next to the source")
    suffix = Path(src).suffix.lower()  # the name in the row, not a link target's
    if suffix not in MEDIA_TYPES:
        raise RowError(field, f"unsupported media file type {suffix!r}")
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    name = f"{digest.hexdigest()}{suffix}"
    store = store / str(project_id)
    target = store / name
    if not target.exists():
        store.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        shutil.copyfile(path, partial)
        partial.replace(target)
    return f"/media/{project_id}/{name}"


def localise_media(item: dict[str, Any], base: Path | None, store: Path | None, project_id: int) -> None:
    """Check every media ``src`` of ``item`` and rewrite the relative ones in place (see module
    docstring); raise RowError naming the field for one that is refused."""
    for group in ("prompt", "responses"):
        for i, part in enumerate(item.get(group) or ()):
            media = part.get("media") if isinstance(part, dict) else None
            if not isinstance(media, dict) or not isinstance(media.get("src"), str):
                continue
            src = media["src"]
            field = f"{group}[{i}].media.src"
            if src.startswith(("https://", "http://", "/")):
                problem = src_problem(src, project_id)
                if problem:
                    raise RowError(field, problem)
                continue
            if base is None or store is None:
                raise RowError(field, "relative media paths need a source folder; use a URL here")
            stored = _store(src, base, store, project_id, field)
            part["media"] = {**media, "src": stored}
            if "duration" not in media:
                seconds = media_seconds(store / stored.removeprefix("/media/"))
                if seconds is not None:
                    part["media"]["duration"] = seconds


def media_seconds(path: Path) -> float | None:
    """A stored file's length in seconds when its header says it cheaply (WAV, MP4 / MOV / M4A /
    M4V), else None: a row gives ``duration`` for other formats."""
    if path.suffix == ".wav":
        return wav_seconds(path)
    if path.suffix in (".mp4", ".m4v", ".m4a", ".mov"):
        return mp4_seconds(path)
    if path.suffix == ".webm":
        return webm_seconds(path)
    return None


def _vint(f, keep_marker: bool) -> int | None:
    """An EBML variable-length integer (an element id keeps its length marker; a size does not);
    None at the end of the file or for an invalid first byte. All ones (unknown size) is -1."""
    first = f.read(1)
    if not first or first[0] == 0:
        return None
    length = 8 - first[0].bit_length() + 1
    rest = f.read(length - 1)
    if len(rest) != length - 1:
        return None
    value = int.from_bytes(first + rest, "big")
    if keep_marker:
        return value
    value &= (1 << (7 * length)) - 1
    return -1 if value == (1 << (7 * length)) - 1 else value


EBML_SEGMENT, EBML_INFO, EBML_SCALE, EBML_DURATION, EBML_CLUSTER = 0x18538067, 0x1549A966, 0x2AD7B1, 0x4489, 0x1F43B675


def webm_seconds(path: Path) -> float | None:
    """The Segment Info's Duration (in TimecodeScale nanoseconds, 1 ms by default) of a WebM /
    Matroska file, read element header by element header; None when absent (MediaRecorder
    writes none) or malformed."""
    import struct

    try:
        with path.open("rb") as f:
            end = path.stat().st_size
            scale, duration, seen = 1_000_000, None, 0
            while f.tell() < end and seen < MP4_MAX_BOXES:
                seen += 1
                element = _vint(f, keep_marker=True)
                size = _vint(f, keep_marker=False)
                if element is None or size is None:
                    return None
                if element in (EBML_SEGMENT, EBML_INFO):
                    continue  # look inside
                if element == EBML_CLUSTER or size < 0:
                    break  # the media data: Info comes before it
                if element == EBML_SCALE and 0 < size <= 8:
                    scale = int.from_bytes(f.read(size), "big") or scale
                elif element == EBML_DURATION and size in (4, 8):
                    duration = struct.unpack(">f" if size == 4 else ">d", f.read(size))[0]
                else:
                    f.seek(size, 1)
            if duration is None or not duration > 0:
                return None
            seconds = round(duration * scale / 1e9, 3)
            return seconds if 0 < seconds <= 86_400 else None
    except (OSError, struct.error):
        return None


MP4_CONTAINERS = {b"moov"}
MP4_MAX_BOXES = 1000  # boxes looked at before giving up (a hostile file cannot make us loop)


def mp4_seconds(path: Path) -> float | None:
    """The movie header's duration (``moov/mvhd``: duration / timescale) of an ISO base media
    file, read box by box with seeks (never the whole file), or None."""
    try:
        with path.open("rb") as f:
            end = path.stat().st_size
            position, seen = 0, 0
            while position + 8 <= end and seen < MP4_MAX_BOXES:
                seen += 1
                f.seek(position)
                header = f.read(8)
                size, kind = int.from_bytes(header[:4], "big"), header[4:8]
                body = position + 8
                if size == 1:
                    size = int.from_bytes(f.read(8), "big")
                    body += 8
                elif size == 0:
                    size = end - position
                if size < body - position:
                    return None
                if kind in MP4_CONTAINERS:
                    position = body  # look inside
                    continue
                if kind == b"mvhd":
                    f.seek(body)
                    version = f.read(4)[0]
                    if version == 1:
                        f.seek(16, 1)
                        timescale = int.from_bytes(f.read(4), "big")
                        duration = int.from_bytes(f.read(8), "big")
                    else:
                        f.seek(8, 1)
                        timescale = int.from_bytes(f.read(4), "big")
                        duration = int.from_bytes(f.read(4), "big")
                    if not timescale or duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
                        return None
                    seconds = round(duration / timescale, 3)
                    return seconds if 0 < seconds <= 86_400 else None
                position += size
    except (OSError, IndexError):
        return None
    return None


def wav_seconds(path: Path) -> float | None:
    """A PCM WAV file's length in seconds (the standard library reads its header), else None:
    other formats need the row to give ``duration``."""
    if path.suffix != ".wav":
        return None
    try:
        with wave.open(str(path), "rb") as f:
            rate = f.getframerate()
            return round(f.getnframes() / rate, 3) if rate else None
    except (wave.Error, EOFError, OSError):
        return None


def media_file(store: Path, project_id: int, name: str) -> Path | None:
    """The stored file for a ``/media/<project id>/<name>`` URL, or None for a name we never issue."""
    if not NAME.match(name):
        return None
    path = store / str(project_id) / name
    return path if path.is_file() else None
