"""The folder form of an export: ``data/`` + dataset card + manifest, loadable with
``datasets.load_dataset(DIR)`` offline.

Forms: ``jsonl`` (``data/train.jsonl``), ``parquet`` (``data/train.parquet``) and
``hf`` (``data/`` is a ``DatasetDict.save_to_disk`` folder: ``data/train/*.arrow``,
which ``load_dataset(DIR)`` also reads through the card's ``configs``, and
``datasets.load_from_disk(DIR / "data")`` reads as is).

Nothing half-written is left behind: the data is written under a hidden
temporary folder inside DIR and moved into place at the end.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.export.agreement import krippendorff_alpha
from annotate.export.base import (
    SIDECAR_FOLDERS,
    ExportContext,
    ExportError,
    ExportFormat,
    ExportOptions,
    ExportSummary,
    Record,
)
from annotate.export.card import dataset_card, manifest
from annotate.export.services import jsonl_chunks
from annotate.models import Project


@dataclass(frozen=True)
class FolderResult:
    summary: ExportSummary
    sha256: str  # of the JSONL data stream
    files: dict[str, Any]


FORMS = ("jsonl", "parquet", "hf")
DATA_PATHS = {"jsonl": "data/train.jsonl", "parquet": "data/train.parquet", "hf": "data/train/*.arrow"}
OURS = ("data", *SIDECAR_FOLDERS, "README.md", "manifest.json")


def check_folder(out: Path) -> None:
    """The folder must exist and hold no earlier export (nothing is overwritten)."""
    if not out.is_dir():
        raise ExportError(f"out: {out} is not an existing folder")
    present = [name for name in OURS if (out / name).exists()]
    if present:
        raise ExportError(f"out: {out} already holds {', '.join(present)}; choose an empty folder")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_table(out: Path) -> dict[str, Any]:
    """{relative path: {sha256, bytes}} of what an export wrote (data/ and README.md), not of
    unrelated files that were already in ``out``."""
    paths = [p for p in sorted((out / "data").rglob("*")) if p.is_file()]
    for folder in SIDECAR_FOLDERS:
        if (out / folder).is_dir():
            paths += [p for p in sorted((out / folder).rglob("*")) if p.is_file()]
    paths.append(out / "README.md")
    return {p.relative_to(out).as_posix(): {"sha256": sha256_file(p), "bytes": p.stat().st_size} for p in paths}


def _convert(jsonl: Path, target: Path, form: str, scratch: Path) -> None:
    """Turn the JSONL into Parquet or a save_to_disk folder, through datasets (memory-mapped)."""
    from datasets import Dataset, DatasetDict

    dataset = Dataset.from_json(str(jsonl), cache_dir=str(scratch / "cache"))
    if form == "parquet":
        dataset.to_parquet(str(target / "train.parquet"))
    else:
        DatasetDict({"train": dataset}).save_to_disk(str(target))


def _sidecar_writer(fmt: ExportFormat, scratch: Path):
    """A function writing one record's sidecar files under ``scratch`` (moved into place at the
    end with the data). A path outside SIDECAR_FOLDERS, or one already written, is a bug."""
    assert fmt.sidecars is not None
    sidecars = fmt.sidecars

    def write(record: Record) -> None:
        for relative, body in sidecars(record):
            path = scratch / relative
            if relative.split("/", 1)[0] not in SIDECAR_FOLDERS or ".." in relative.split("/") or path.exists():
                raise ExportError(f"{fmt.name}: cannot write the file {relative!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)

    return write


def write_folder(
    session: Session,
    project: Project,
    fmt: ExportFormat,
    options: ExportOptions,
    out: Path,
    *,
    export_id: int,
    form: str = "jsonl",
    license: str = "other",
    summary: ExportSummary | None = None,
) -> FolderResult:
    """Write the export's folder form into ``out``. Options must be resolved; nothing is written
    to the database (the caller completes the export record, in its own write transaction)."""
    if form not in FORMS:
        raise ExportError(f"form: {form!r} is not one of {', '.join(FORMS)}")
    check_folder(out)
    summary = summary or ExportSummary()
    scratch = Path(tempfile.mkdtemp(prefix=".annotate-export-", dir=out))
    try:
        data = scratch / "data"
        data.mkdir()
        jsonl = data / "train.jsonl" if form == "jsonl" else scratch / "train.jsonl"
        digest = hashlib.sha256()
        each = _sidecar_writer(fmt, scratch) if fmt.sidecars is not None else None
        with jsonl.open("wb") as f:
            for chunk in jsonl_chunks(session, project, fmt, options, summary, digest, each):
                f.write(chunk)
        if form != "jsonl":
            if summary.rows == 0:
                raise ExportError(f"form: nothing to write as {form}: the export has no rows")
            _convert(jsonl, data, form, scratch)
        created_at = utcnow()
        agreement = krippendorff_alpha(ExportContext(session, project, options, ExportSummary()))
        data.rename(out / "data")
        for folder in SIDECAR_FOLDERS:
            if (scratch / folder).is_dir():
                (scratch / folder).rename(out / folder)
        card = dataset_card(
            project,
            fmt,
            options,
            summary,
            agreement,
            data_path=DATA_PATHS[form],
            license=license,
            created_at=created_at,
        )
        (out / "README.md").write_text(card, encoding="utf-8")
        files = file_table(out)
        document = manifest(
            project,
            fmt,
            options,
            summary,
            agreement,
            files,
            export_id=export_id,
            created_at=created_at,
            schema=fmt.schema_name(options),
        )
        (out / "manifest.json").write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    except BaseException:
        for name in OURS:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            elif target.exists():
                target.unlink()
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return FolderResult(summary, digest.hexdigest(), files)
