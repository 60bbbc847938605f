"""Symbolic links in a dataset folder (issue 12, hole 7): a media path is resolved and must
stay inside the source's folder, or the import fails naming the row and field."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from annotate.ingest import ImportOptions, import_file
from annotate.ingest.errors import ImportFailed
from annotate.ingest.shapes.mapping import parse_mapping
from annotate.models import Item

PNG = b"\x89PNG\r\n\x1a\n fake image"
MAPPING = parse_mapping(["prompt=question", "media=image", "responses=a,b"])


def _dataset(folder: Path, image: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "rows.jsonl"
    rows = [
        {"question": "fine", "image": "ok.png", "a": "x", "b": "y"},
        {"question": "which?", "image": image, "a": "x", "b": "y"},
    ]
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    (folder / "ok.png").write_bytes(PNG)
    return source


def _import(session, app, project, source):
    return import_file(
        session, project, source, options=ImportOptions(mapping=MAPPING), media_store=Path(app.instance_path) / "media"
    )


def _stored(app) -> list[Path]:
    root = Path(app.instance_path) / "media"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("target", ["/etc/passwd", "outside/secret.png"])
def test_a_symlink_out_of_the_folder_is_refused_naming_row_and_field(session, app, make_project, tmp_path, target):
    project = make_project()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"secret bytes")
    source = _dataset(tmp_path / "data", "x.png")
    os.symlink(target if target.startswith("/") else tmp_path / target, tmp_path / "data" / "x.png")
    with pytest.raises(ImportFailed) as caught:
        _import(session, app, project, source)
    assert caught.value.location == "line 2"
    assert caught.value.detail.startswith("prompt[0].media.src: ")
    assert "outside the source's folder" in caught.value.detail
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 0
    assert all(p.read_bytes() != b"secret bytes" for p in _stored(app))


def test_a_symlinked_folder_out_of_the_source_is_refused(session, app, make_project, tmp_path):
    project = make_project()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "scan.png").write_bytes(PNG)
    source = _dataset(tmp_path / "data", "img/scan.png")
    os.symlink(tmp_path / "elsewhere", tmp_path / "data" / "img")
    with pytest.raises(ImportFailed, match=r"line 2: prompt\[0\]\.media\.src: .*outside the source's folder"):
        _import(session, app, project, source)


def test_a_symlink_inside_the_folder_is_followed(session, app, make_project, tmp_path):
    project = make_project()
    source = _dataset(tmp_path / "data", "alias.png")
    os.symlink(tmp_path / "data" / "ok.png", tmp_path / "data" / "alias.png")
    summary = _import(session, app, project, source)
    assert summary.new == 2
    assert [p.read_bytes() for p in _stored(app)] == [PNG]
