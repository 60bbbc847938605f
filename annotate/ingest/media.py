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
                seconds = wav_seconds(store / stored.removeprefix("/media/"))
                if seconds is not None:
                    part["media"]["duration"] = seconds


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
