"""A process SIGKILLed in the middle of an import or an export: nothing half-written is
visible (no items of the import, no data, card or manifest in the export folder), and
running the same command again succeeds. (tests/ingest/test_import_cli.py checks what the
killed import leaves; here the point is that the re-run then completes exactly once.)"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import orjson
from helpers import annotate_cli as cli
from helpers import finish, pair_rows
from sqlalchemy import func, select

from annotate.models import Batch, BatchStatus, ExportRecord, Item
from annotate.models.export import ExportStatus


def test_an_import_killed_midway_keeps_nothing_and_the_rerun_imports_every_row_once(
    app, database_url, make_project, session, tmp_path
):
    from annotate.ingest.pipeline import reap_interrupted, visible_count

    project = make_project("kill-import")
    n = 120_000
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(n)))
    proc = cli(database_url, "import", "kill-import", str(path))
    try:
        deadline = time.monotonic() + 120
        read = 0
        while read < 5_000:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the import never reported progress"
            session.rollback()
            read = session.scalar(
                select(func.coalesce(func.max(Batch.rows_read), 0)).where(Batch.project_id == project.id)
            )
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    session.rollback()
    assert visible_count(session, project.id) == 0, "half an import is visible"

    code, err = finish(cli(database_url, "import", "kill-import", str(path)))
    assert code == 0, err
    assert f"imported {n} new items" in err
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == n
    assert session.scalar(select(func.count(func.distinct(Item.external_id)))) == n
    reap_interrupted(session, project.id)
    session.commit()
    statuses = sorted(b.status.value for b in session.scalars(select(Batch).where(Batch.project_id == project.id)))
    assert statuses == sorted([BatchStatus.INTERRUPTED.value, BatchStatus.COMPLETE.value])


def test_a_folder_export_killed_midway_leaves_no_export_and_the_rerun_writes_one(
    app, database_url, judged, session, tmp_path
):
    judged(60, slug="kill-export")
    out = tmp_path / "out"
    out.mkdir()
    # --parquet: the JSONL is written, then converted through datasets, a window of a second or more.
    proc = cli(database_url, "export", "kill-export", "--format", "raw", "--out", str(out), "--parquet")
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(".annotate-export-*/train.jsonl")):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the export never started writing"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert visible == [], f"a killed export left {visible}"
    session.rollback()
    # The CLI records its export in the transaction that completes it: a killed one left no record.
    assert session.scalars(select(ExportRecord).where(ExportRecord.status == ExportStatus.COMPLETE)).all() == []

    code, err = finish(cli(database_url, "export", "kill-export", "--format", "raw", "--out", str(out)))
    assert code == 0, err
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    lines = (out / "data" / "train.jsonl").read_bytes().splitlines()
    assert len(lines) == 60
    assert sorted(manifest["files"]) == ["README.md", "data/train.jsonl"]
    session.rollback()
    done = session.scalars(select(ExportRecord).where(ExportRecord.status == ExportStatus.COMPLETE)).all()
    assert len(done) == 1
    assert done[0].row_count == 60


def test_an_export_killed_mid_stream_records_nothing_and_the_rerun_writes_the_file(
    app, database_url, judged, session, tmp_path
):
    n = 300  # about 200 KB of raw JSONL: more than a pipe holds
    judged(n, slug="kill-file")
    # Nobody reads the export's stdout past its first bytes: it blocks on the full pipe, mid-stream.
    proc = cli(database_url, "export", "kill-file", "--format", "raw")
    try:
        assert proc.stdout.read(1) == b"{"
        time.sleep(0.3)
        assert proc.poll() is None, "the export finished: make it bigger than the pipe"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ExportRecord)) == 0, "a killed export left a record"

    # The file form writes beside the target and renames it at the end.
    target = tmp_path / "raw.jsonl"
    code, err = finish(cli(database_url, "export", "kill-file", "--format", "raw", "--out", str(target)))
    assert code == 0, err
    assert len(target.read_bytes().splitlines()) == n
    assert not Path(str(target) + ".part").exists()
    session.rollback()
    record = session.scalar(select(ExportRecord))
    assert record.status is ExportStatus.COMPLETE
    assert record.row_count == n
