"""Media parts that reference files next to the source: copied into the instance's media
store, in the project's own folder, under their content hash, and rewritten to
``/media/<project id>/<sha256>.<ext>``. The media route serves a file only to members
of that project (and admins), so a name seen once does not open another project's files.

A reference must stay inside the source's folder (no absolute paths, no ``..``),
so a dataset cannot make the server read /etc/passwd. URLs are kept as given.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

from annotate.ingest.errors import RowError
from annotate.ingest.shapes.common import MEDIA_TYPES

NAME = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{2,5}$")


def _store(src: str, base: Path, store: Path, project_id: int, field: str) -> str:
    if src.startswith(("https://", "http://", "/media/")):
        return src
    relative = Path(src)
    if relative.is_absolute() or ".." in relative.parts or ":" in src.split("/")[0]:
        raise RowError(
            field, f"media paths must be relative to the source and stay inside its folder, got {src[:80]!r}"
        )
    path = base / relative
    if not path.is_file():
        raise RowError(field, f"media file {src[:80]!r} not found next to the source")
    suffix = path.suffix.lower()
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
    """Rewrite every relative media ``src`` of ``item`` in place (see module docstring)."""
    for group in ("prompt", "responses"):
        for i, part in enumerate(item.get(group) or ()):
            media = part.get("media") if isinstance(part, dict) else None
            if not isinstance(media, dict) or not isinstance(media.get("src"), str):
                continue
            src = media["src"]
            if src.startswith(("https://", "http://", "/media/")):
                continue
            field = f"{group}[{i}].media.src"
            if base is None or store is None:
                raise RowError(field, "relative media paths need a source folder; use a URL here")
            part["media"] = {**media, "src": _store(src, base, store, project_id, field)}


def media_file(store: Path, project_id: int, name: str) -> Path | None:
    """The stored file for a ``/media/<project id>/<name>`` URL, or None for a name we never issue."""
    if not NAME.match(name):
        return None
    path = store / str(project_id) / name
    return path if path.is_file() else None
