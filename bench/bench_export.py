"""Export benchmark: ``trl`` rows/s for 100,000 judgments against a baseline that selects the
same rows and writes them with orjson in the same run, the raw format, and peak RSS of a
1M-judgment export in a fresh process.

Usage: .venv/bin/python bench/bench_export.py [--judgments 100000] [--big 1000000] [--skip-big]
SQLite in a temporary folder; the data is inserted with Core executemany (not timed).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EXPERTS = 10
CHUNK = 5000


@dataclass(frozen=True)
class Judged:
    """What a benchmark project's items and judgments look like: a template, its instructions,
    and per item number ``i`` the responses, the order they were shown in and the answers."""

    template_name: str = "pairwise"
    instructions: str = "Pick the better reply."
    responses: Callable[[int, str], list[dict]] = lambda i, filler: [
        {"id": "r1", "content": f"A{i} {filler}", "model": "m-a"},
        {"id": "r2", "content": f"B{i} {filler}", "model": "m-b"},
    ]
    display_order: Callable[[int], list[str]] = lambda i: ["r2", "r1"] if i % 2 else ["r1", "r2"]
    answers: Callable[[int], dict] = lambda i: {"preferred": "r1" if i % 3 else "r2", "rationale": "because"}


def populate(url: str, n: int, judged: Judged = Judged()) -> None:
    """A project (pairwise unless ``judged`` says otherwise) with ``n`` items, each judged once
    (overlap 1) by one of 10 experts."""
    from sqlalchemy import insert

    from annotate.db import make_engine
    from annotate.models import (
        Assignment,
        Batch,
        InstructionsVersion,
        Item,
        Judgment,
        Project,
        ProjectMember,
        User,
    )
    from annotate.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    template = orjson.loads((REPO / "task_templates" / f"{judged.template_name}.json").read_bytes())
    filler = "lorem ipsum dolor sit amet " * 6
    with engine.begin() as conn:
        conn.execute(
            insert(Project),
            [
                {
                    "id": 1,
                    "slug": "bench",
                    "title": "bench",
                    "template": template,
                    "template_name": judged.template_name,
                    "template_version": 1,
                    "instructions_version": 1,
                    "overlap": 1,
                    "created_at": now,
                }
            ],
        )
        conn.execute(
            insert(InstructionsVersion),
            [{"project_id": 1, "version": 1, "body": judged.instructions, "created_at": now}],
        )
        conn.execute(
            insert(User), [{"id": u, "email": f"e{u}@example.org", "created_at": now} for u in range(1, EXPERTS + 1)]
        )
        conn.execute(
            insert(ProjectMember),
            [
                {"project_id": 1, "user_id": u, "role": "expert", "pseudonym": f"expert-{u:08x}", "created_at": now}
                for u in range(1, EXPERTS + 1)
            ],
        )
        conn.execute(
            insert(Batch), [{"id": 1, "project_id": 1, "source": "bench.jsonl", "format": "jsonl", "created_at": now}]
        )
    for start in range(0, n, CHUNK):
        ids = range(start + 1, min(n, start + CHUNK) + 1)
        with engine.begin() as conn:
            conn.execute(
                insert(Item),
                [
                    {
                        "id": i,
                        "project_id": 1,
                        "batch_id": 1,
                        "external_id": f"item-{i}",
                        "content_hash": hashlib.sha256(str(i).encode()).hexdigest(),
                        "prompt": [{"role": "user", "content": f"Question {i}: {filler}"}],
                        "responses": judged.responses(i, filler),
                        "meta": {"n": i},
                        "assigned_count": 1,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(Assignment),
                [
                    {
                        "id": i,
                        "project_id": 1,
                        "item_id": i,
                        "expert_id": 1 + i % EXPERTS,
                        "status": "submitted",
                        "leased_at": now,
                        "expires_at": now + timedelta(hours=1),
                        "finished_at": now,
                        "display_order": judged.display_order(i),
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(Judgment),
                [
                    {
                        "id": i,
                        "assignment_id": i,
                        "project_id": 1,
                        "item_id": i,
                        "expert_id": 1 + i % EXPERTS,
                        "answers": judged.answers(i),
                        "template_name": judged.template_name,
                        "template_version": 1,
                        "instructions_version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
    engine.dispose()


def app_for(url: str):
    from annotate import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})


def run_export(url: str, fmt_name: str, out) -> tuple[float, int]:
    from annotate import db
    from annotate.export.services import export_to, get_format
    from annotate.models import Project

    app = app_for(url)
    with app.app_context():
        session = db.session()
        db.begin_write(session)
        project = session.get(Project, 1)
        started, cpu = time.perf_counter(), time.process_time()
        _record, summary = export_to(session, project, get_format(fmt_name), out, user=None, channel="cli")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        session.rollback()  # a benchmark leaves no record behind
        db.engine().dispose()
    return elapsed, cpu, summary.rows


def baseline_rows(project_id: int):
    """The rows the ``trl`` export reads (item, judgment, the expert's pseudonym; same filter
    and order), as queries.judgment_rows selected them when this benchmark was written, every
    JSON column decoded as the models type it. Kept here so that the floor measures the same
    work whatever the export's own query becomes (it now reads the item JSON as text and the
    pseudonyms once per export)."""
    from sqlalchemy import and_, select

    from annotate.models import Item, Judgment, ProjectMember

    return (
        select(
            Item.id.label("item_pk"),
            Item.external_id,
            Item.prompt,
            Item.responses,
            Judgment.id.label("judgment_id"),
            Judgment.expert_id,
            Judgment.answers,
            Judgment.adjudication,
            Judgment.review_state,
            ProjectMember.pseudonym,
        )
        .join(Item, Item.id == Judgment.item_id)
        .outerjoin(
            ProjectMember,
            and_(ProjectMember.project_id == Judgment.project_id, ProjectMember.user_id == Judgment.expert_id),
        )
        .where(Judgment.project_id == project_id)
        .order_by(Judgment.item_id, Judgment.id)
    )


def run_baseline(url: str, out) -> tuple[float, int]:
    """Select the same rows and write each as an orjson array, in chunks of about 64 KB as
    the export writes: the floor for any format."""
    from annotate import db

    app = app_for(url)
    with app.app_context():
        session = db.session()
        started, cpu = time.perf_counter(), time.process_time()
        rows = 0
        dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        pending, size = [], 0
        for row in session.connection().execute(baseline_rows(1).execution_options(yield_per=2000)):
            line = dumps(tuple(row), option=newline)
            pending.append(line)
            size += len(line)
            rows += 1
            if size >= 65536:
                out.write(b"".join(pending))
                pending.clear()
                size = 0
        out.write(b"".join(pending))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        session.rollback()
        db.engine().dispose()
    return elapsed, cpu, rows


class Sink(io.RawIOBase):
    """Counts bytes like a file would receive them, keeps none."""

    def __init__(self):
        self.bytes = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.bytes += len(data)
        return len(data)


def rss_child(url: str, out: str) -> None:
    """Run in a subprocess: export ``trl`` to a file, print peak RSS in MB and the rows."""
    with open(out, "wb") as f:
        elapsed, _cpu, rows = run_export(url, "trl", f)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(orjson.dumps({"peak_mb": round(peak, 1), "rows": rows, "seconds": round(elapsed, 2)}).decode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--judgments", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(*args.rss_child)
        return

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        populate(url, args.judgments)
        print(f"populated {args.judgments:,} judgments in {time.perf_counter() - started:.1f} s (not timed below)")
        results = {}
        for name, runner in (
            ("baseline", lambda s: run_baseline(url, s)),
            ("trl", lambda s: run_export(url, "trl", s)),
            ("baseline", lambda s: run_baseline(url, s)),
            ("trl", lambda s: run_export(url, "trl", s)),
            ("raw", lambda s: run_export(url, "raw", s)),
        ):
            sink = Sink()
            elapsed, cpu, rows = runner(sink)
            best = results.get(name)
            if best is None or elapsed < best[0]:
                results[name] = (elapsed, cpu, rows, sink.bytes)
        # Best of two runs each, interleaved; CPU seconds are less sensitive to a busy machine.
        load = os.getloadavg()[0]
        print(f"load average {load:.1f} on {os.cpu_count()} CPUs (best of 2 runs, interleaved)")
        print(f"{'':10} {'rows':>9} {'wall s':>7} {'rows/s':>9} {'cpu s':>7} {'rows/cpu-s':>11} {'MB':>7}")
        for name, (elapsed, cpu, rows, size) in results.items():
            print(
                f"{name:10} {rows:>9,} {elapsed:>7.2f} {rows / elapsed:>9,.0f}"
                f" {cpu:>7.2f} {rows / cpu:>11,.0f} {size / 1e6:>7.1f}"
            )
        print(
            f"trl / baseline: wall {results['trl'][0] / results['baseline'][0]:.2f}x, "
            f"cpu {results['trl'][1] / results['baseline'][1]:.2f}x (goal <= 2x); trl rows/s goal >= 100,000"
        )

    if args.skip_big:
        return
    with tempfile.TemporaryDirectory(prefix="bench-export-big-") as tmp:
        url = f"sqlite:///{tmp}/big.db"
        started = time.perf_counter()
        populate(url, args.big)
        print(f"populated {args.big:,} judgments in {time.perf_counter() - started:.1f} s")
        out = subprocess.run(
            [sys.executable, __file__, "--rss-child", url, f"{tmp}/big-trl.jsonl"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        figures = orjson.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"1M export to trl in a fresh process: {figures['rows']:,} rows in {figures['seconds']} s, "
            f"peak RSS {figures['peak_mb']} MB (goal < 150 MB)"
        )


if __name__ == "__main__":
    main()
