"""`annotate import` through the CLI runner: options, the skipped-rows report, and a
SIGKILL in the middle of an import (a real subprocess): nothing is kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import orjson
from helpers import REPO, pair_rows
from sqlalchemy import func, select

from annotate.models import Batch, Item


def test_cli_map_skip_invalid_and_report(runner, make_project, tmp_path, count_items):
    project = make_project("cli-in")
    rows = [{"q": f"Q{i}", "a": f"A{i}", "b": f"B{i}"} for i in range(4)]
    rows[2]["b"] = None
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    report = tmp_path / "skipped.jsonl"
    out = runner.invoke(
        args=[
            "import",
            "cli-in",
            str(path),
            "--map",
            "prompt=q",
            "--map",
            "responses=a,b",
            "--skip-invalid",
            "--report",
            str(report),
        ]
    )
    assert out.exit_code == 0, out.output
    assert "imported 3 new items" in out.output
    assert "1 skipped" in out.output
    assert [orjson.loads(line) for line in report.read_bytes().splitlines()] == [
        {"location": "line 3", "error": "b: expected a string, got null"}
    ]
    assert count_items(project) == 3
    bad = runner.invoke(args=["import", "cli-in", str(path), "--map", "prompt=q", "--map", "responses=a,b"])
    assert bad.exit_code == 1
    assert "odd.jsonl: line 3: b: expected a string, got null" in bad.output
    assert "nothing was imported" in bad.output
    assert runner.invoke(args=["import", "cli-in", str(path), "--map", "nonsense"]).exit_code == 1


def test_sigkill_in_the_middle_keeps_nothing_and_the_batch_shows_interrupted(
    app, database_url, make_project, session, tmp_path
):
    from annotate.ingest.pipeline import purge_abandoned, reap_interrupted, visible_count

    project = make_project("kill")
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(300_000)))
    env = {
        **os.environ,
        "ANNOTATE_DATABASE_URL": database_url,
        "ANNOTATE_ENV": "testing",
        "ANNOTATE_SECRET_KEY": "x" * 40,
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from annotate.cli import main; main()", "import", "kill", str(path)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        read = 0
        while time.monotonic() < deadline and read < 10_000:
            session.rollback()
            read = session.scalar(
                select(func.coalesce(func.max(Batch.rows_read), 0)).where(Batch.project_id == project.id)
            )
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        assert read >= 10_000, "the import never reported progress"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    session.rollback()
    # Rows went into items in committed chunks, but none of them is visible.
    assert visible_count(session, project.id) == 0
    assert reap_interrupted(session, project.id) == 1
    batch = session.scalar(select(Batch).where(Batch.project_id == project.id))
    assert batch.status.value == "interrupted"
    assert "nothing from it was kept" in batch.error
    assert 10_000 <= batch.rows_read < 300_000
    # The sweep (or the project's next import) deletes what the killed import wrote.
    assert purge_abandoned(session, project.id) > 0
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_progress_bar_draws_on_a_tty_and_stays_quiet_otherwise():
    import io

    from annotate.ingest.cli import ProgressBar

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = ProgressBar(stream)
        bar(5000, 0.5)
        bar(10000, 1.0)
        bar.close()
    assert pipe.getvalue() == ""
    text = tty.getvalue()
    assert "50%" in text
    assert "100%" in text
    assert "rows/s" in text
    assert "ETA" in text
    assert text.endswith("\n")


def test_a_blank_csv_cell_in_a_required_field_is_an_error(runner, make_project, tmp_path, count_items):
    project = make_project("blank-cli")
    path = tmp_path / "pairs.csv"
    path.write_text("question,a,b\nq0,x0,y0\nq1,,y1\n")
    out = runner.invoke(args=["import", "blank-cli", str(path), "--map", "prompt=question", "--map", "responses=a,b"])
    assert out.exit_code != 0
    assert "pairs.csv: line 3: responses[0].content: is blank: every response needs text (or media)" in out.output
    assert count_items(project) == 0
    # The same value in JSON is kept as given: an empty reply can be the data.
    rows = tmp_path / "pairs.jsonl"
    rows.write_bytes(orjson.dumps({"prompt": "q", "responses": ["x", ""]}) + b"\n")
    assert runner.invoke(args=["import", "blank-cli", str(rows)]).exit_code == 0
