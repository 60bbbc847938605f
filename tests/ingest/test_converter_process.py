"""A large file is read and converted in a process of its own (``annotate.ingest.convert``)
while the import writes: the same items, counts and errors as in one process, and a
converter that dies fails the import and keeps nothing."""

from __future__ import annotations

import gzip
import os
import signal
from pathlib import Path

import orjson
import pytest
from helpers import converter_processes, pair_rows
from sqlalchemy import func, select

from annotate.ingest import ImportFailed, ImportOptions, import_file
from annotate.ingest.convert import cores
from annotate.ingest.errors import LimitExceeded
from annotate.ingest.pipeline import visible_count
from annotate.models import Batch, BatchStatus, Item

pytestmark = pytest.mark.skipif(
    cores() < 2 or not Path("/proc").is_dir(),
    reason="a converter process is only used with two cores or more (and these tests find it in /proc)",
)
COLUMNS = (Item.external_id, Item.content_hash, Item.prompt, Item.responses, Item.meta, Item.suggestion, Item.gold)


def _rows(n: int) -> list[dict]:
    """Canonical rows with the cases a conversion handles: a repeat, an invalid row, a
    suggestion, a gold answer, extra columns, a non-ASCII text."""
    rows = pair_rows(n, prefix="conv")
    rows[3]["suggestion"] = {"preferred": "r2", "source": "judge"}
    rows[4]["gold"] = {"preferred": "r1"}
    rows[5]["topic"] = "cooking"
    rows[6]["prompt"][0]["content"] = "Qu'est-ce que c'est ? — 日本語 ✓"
    rows[1500]["responses"][0].pop("content")  # invalid: skipped, or the import fails here
    rows.append(dict(rows[10]))  # a repeat of an earlier row: a duplicate
    return rows


def _write(tmp_path, name: str, rows: list[dict]):
    path = tmp_path / name
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def _stored(session, project) -> list[tuple]:
    session.rollback()
    query = select(*COLUMNS).where(Item.project_id == project.id).order_by(Item.id)
    return [tuple(row) for row in session.execute(query)]


def test_a_file_converted_in_its_own_process_gives_the_same_items_counts_and_problems(
    session, make_project, process_bytes, tmp_path
):
    path = _write(tmp_path, "rows.jsonl", _rows(2500))
    seen: list[list[int]] = []
    results = {}
    for threshold in (0, 1):  # 0: in this process; 1: every file in a converter process
        project = make_project(f"conv-{threshold}")
        with process_bytes(threshold):
            summary = import_file(
                session,
                project,
                path,
                options=ImportOptions(skip_invalid=True),
                progress=lambda rows, fraction: seen.append(converter_processes()),
            )
        results[threshold] = (summary, _stored(session, project))
    (alone, alone_items), (child, child_items) = results[0], results[1]
    assert not any(seen[: len(seen) // 2]), "the in-process import started a converter"
    assert any(seen[len(seen) // 2 :]), "no converter process was running during the import"
    assert converter_processes() == [], "the converter process outlived its import"

    assert child_items == alone_items
    assert len(child_items) == 2499
    assert (child.rows, child.new, child.duplicate, child.skipped) == (2501, 2499, 1, 1)
    assert (child.rows, child.new, child.duplicate, child.skipped, child.shape, child.format) == (
        alone.rows,
        alone.new,
        alone.duplicate,
        alone.skipped,
        alone.shape,
        alone.format,
    )
    assert (
        child.problems == alone.problems == [{"location": "line 1501", "error": "responses[0]: 'content' is required"}]
    )
    batch = session.get_one(Batch, child.batch_id)
    assert (batch.status, batch.rows_read, batch.rows_skipped, batch.progress) == (BatchStatus.COMPLETE, 2501, 1, 1.0)
    assert batch.skipped == alone.problems


def test_a_bad_row_in_the_converter_process_fails_the_import_naming_line_and_field(
    session, make_project, process_bytes, tmp_path
):
    project = make_project("conv-bad")
    path = _write(tmp_path, "rows.jsonl", _rows(2500))
    with process_bytes(1), pytest.raises(ImportFailed) as failed:
        import_file(session, project, path)
    assert str(failed.value) == "rows.jsonl: line 1501: responses[0]: 'content' is required"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 0, "rows of the failed import were kept"
    batch = session.scalar(select(Batch).where(Batch.project_id == project.id))
    assert batch.status is BatchStatus.FAILED
    assert batch.error == str(failed.value)
    assert batch.rows_read >= 1000, "the chunks before the bad row were read (and then removed)"


def test_a_limit_broken_in_the_converter_process_is_refused_as_a_limit(session, make_project, process_bytes, tmp_path):
    project = make_project("conv-deep")
    rows = pair_rows(1200, prefix="deep")
    deep: dict = {}
    for _ in range(40):
        deep = {"x": deep}
    rows[1100]["metadata"] = deep
    with process_bytes(1), pytest.raises(LimitExceeded) as refused:
        import_file(session, project, _write(tmp_path, "deep.jsonl", rows))
    assert "line 1101" in str(refused.value)
    assert "ANNOTATE_IMPORT_MAX_DEPTH" in str(refused.value)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_a_converter_process_that_dies_fails_the_import_and_keeps_nothing(
    session, make_project, process_bytes, tmp_path
):
    project = make_project("conv-killed")
    path = _write(tmp_path, "rows.jsonl", pair_rows(30_000, prefix="k"))
    killed: list[int] = []

    def kill_the_converter(rows: int, fraction: float) -> None:
        if not killed:
            for pid in converter_processes():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    with process_bytes(1), pytest.raises(ImportFailed) as failed:
        import_file(session, project, path, progress=kill_the_converter)
    assert killed, "no converter process to kill"
    assert str(failed.value) == (
        "rows.jsonl: the process converting the rows stopped unexpectedly (it was stopped by SIGKILL); nothing was kept"
    )
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 0
    batch = session.scalar(select(Batch).where(Batch.project_id == project.id))
    assert batch.status is BatchStatus.FAILED
    assert "stopped unexpectedly" in batch.error
    assert visible_count(session, project.id) == 0
    assert converter_processes() == []


def test_a_gzip_file_is_weighed_by_what_it_expands_to(session, make_project, process_bytes, tmp_path):
    """A compressed file a tenth of the threshold that expands past it is converted in a process
    of its own (gzip's trailer says how large it expands); one that stays under it is not."""
    body = b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(20_000, prefix="gz"))
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(gzip.compress(body))
    assert path.stat().st_size * 5 < len(body)
    for threshold, expected in ((len(body) - 1, True), (len(body) + 1, False)):
        project = make_project(f"gz-{str(expected).lower()}")
        seen: list[list[int]] = []
        with process_bytes(threshold):
            summary = import_file(
                session, project, path, progress=lambda rows, fraction, seen=seen: seen.append(converter_processes())
            )
        assert summary.new == 20_000
        assert any(seen) is expected, f"threshold {threshold}: converter seen {any(seen)}"
