"""Uploaded files waiting for their import: stored under the instance folder by a random
token, never under the name the browser sent (file names are never used as paths)."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

UPLOAD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".parquet")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
TOKEN_BYTES = 16


def human_size(size: float) -> str:
    """``536870912`` -> ``512 MB`` (binary units, as file managers show them)."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    return f"{size:,.1f} GB"


def upload_suffix(filename: str) -> str | None:
    """The whitelisted suffix of an uploaded file name (``.jsonl.gz`` kept whole), or None."""
    name = filename.lower()
    gz = name.endswith(".gz")
    base = name.removesuffix(".gz")
    suffix = next((s for s in UPLOAD_SUFFIXES if base.endswith(s)), None)
    if suffix is None or (gz and suffix == ".parquet"):
        return None
    return suffix + (".gz" if gz else "")


def display_name(filename: str) -> str:
    """A file name fit to show and store (never used as a path)."""
    return SAFE_NAME.sub("_", Path(filename or "upload").name)[:200] or "upload"


KEEP_SECONDS = 24 * 3600


class UploadError(ValueError):
    """An upload we refuse: the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Upload:
    """One upload: the token in its URL, the stored files and the names to show."""

    token: str
    folder: Path
    project_id: int
    user_id: int
    names: list[str]
    files: list[Path]


def _root(instance: Path) -> Path:
    return instance / "uploads"


def save_upload(
    instance: Path, project_id: int, user_id: int, files: list[tuple[str, IO[bytes]]], max_bytes: int
) -> Upload:
    """Store ``(filename, stream)`` pairs; refuse unknown types and files past ``max_bytes``."""
    if not files:
        raise UploadError("choose a file to import")
    sweep(instance)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    folder = _root(instance) / token
    folder.mkdir(parents=True)
    names, stored = [], []
    try:
        for index, (filename, stream) in enumerate(files):
            suffix = upload_suffix(filename)
            if suffix is None:
                raise UploadError(
                    f"{display_name(filename)}: unsupported file type; "
                    "upload .jsonl, .json, .csv, .tsv (optionally .gz) or .parquet"
                )
            path = folder / f"source-{index}{suffix}"
            store_stream(stream, path, max_bytes, filename)
            names.append(display_name(filename))
            stored.append(path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    (folder / "upload.json").write_bytes(
        orjson.dumps({"project_id": project_id, "user_id": user_id, "names": names, "files": [p.name for p in stored]})
    )
    return Upload(token, folder, project_id, user_id, names, stored)


def store_stream(stream: IO[bytes], path: Path, max_bytes: int, filename: str) -> int:
    """Copy ``stream`` to ``path`` in blocks, refusing (UploadError) past ``max_bytes`` or an empty file."""
    written = 0
    with path.open("wb") as out:
        for block in iter(lambda: stream.read(1 << 20), b""):
            written += len(block)
            if written > max_bytes:
                raise UploadError(
                    f"{display_name(filename)} is larger than the upload limit of {human_size(max_bytes)} "
                    "(ANNOTATE_IMPORT_MAX_BYTES); import it with `annotate import` on the server instead"
                )
            out.write(block)
    if written == 0:
        raise UploadError(f"{display_name(filename)} is empty")
    return written


def load_upload(instance: Path, token: str, project_id: int, user_id: int) -> Upload | None:
    """The upload ``token`` made by this user for this project, or None."""
    if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
        return None
    folder = _root(instance) / token
    try:
        meta = orjson.loads((folder / "upload.json").read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    if meta["project_id"] != project_id or meta["user_id"] != user_id:
        return None
    return Upload(token, folder, project_id, user_id, meta["names"], [folder / name for name in meta["files"]])


def discard(upload: Upload) -> None:
    """Delete an upload's files (after its import, or when abandoned)."""
    shutil.rmtree(upload.folder, ignore_errors=True)


def sweep(instance: Path) -> None:
    """Delete uploads nobody imported within a day."""
    root = _root(instance)
    if not root.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            continue
