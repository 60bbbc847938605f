"""Ratings export benchmark: ``trl-kto`` (unpaired rows labelled by a threshold) and ``reward``
(pointwise scores) from a ``rating`` project, rows/s against the export floor of
bench_export.py (the same judgment rows selected and written with orjson) in the same run.

Usage: .venv/bin/python bench/bench_ratings.py [--judgments 100000]
SQLite in a temporary folder; the data is inserted with Core executemany (not timed).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_export import EXPERTS, Sink, run_baseline, run_export  # noqa: E402

CHUNK = 5000


def populate(url: str, n: int) -> None:
    """A rating project (likert-helpfulness) with ``n`` one-response items, each rated once."""
    from sqlalchemy import insert

    from annotate.db import make_engine
    from annotate.models import Assignment, Batch, InstructionsVersion, Item, Judgment, Project, ProjectMember, User
    from annotate.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    now = datetime(2026, 12, 5, tzinfo=UTC)
    template = orjson.loads((REPO / "task_templates" / "likert-helpfulness.json").read_bytes())
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
                    "template_name": "likert-helpfulness",
                    "template_version": 1,
                    "instructions_version": 1,
                    "overlap": 1,
                    "created_at": now,
                }
            ],
        )
        conn.execute(insert(InstructionsVersion), [{"project_id": 1, "version": 1, "body": "Rate.", "created_at": now}])
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
                        "responses": [{"id": "r1", "content": f"A{i} {filler}", "model": "m-a"}],
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
                        "display_order": ["r1"],
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
                        "answers": {"rating": 1 + i % 7, "criteria": {"accuracy": 1 + i % 5, "safety": 5}},
                        "template_name": "likert-helpfulness",
                        "template_version": 1,
                        "instructions_version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--judgments", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ratings-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        populate(url, args.judgments)
        print(f"populated {args.judgments:,} rating judgments in {time.perf_counter() - started:.1f} s (not timed)")
        results: dict[str, tuple[float, float, int, int]] = {}
        for name, runner in (
            ("baseline", lambda s: run_baseline(url, s)),
            ("trl-kto", lambda s: run_export(url, "trl-kto", s)),
            ("reward", lambda s: run_export(url, "reward", s)),
            ("baseline", lambda s: run_baseline(url, s)),
            ("trl-kto", lambda s: run_export(url, "trl-kto", s)),
            ("reward", lambda s: run_export(url, "reward", s)),
        ):
            sink = Sink()
            elapsed, cpu, rows = runner(sink)
            best = results.get(name)
            if best is None or elapsed < best[0]:
                results[name] = (elapsed, cpu, rows, sink.bytes)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (best of 2 runs, interleaved)")
        print(f"{'':10} {'rows':>9} {'wall s':>7} {'rows/s':>9} {'cpu s':>7} {'rows/cpu-s':>11} {'MB':>7}")
        for name, (elapsed, cpu, rows, size) in results.items():
            print(
                f"{name:10} {rows:>9,} {elapsed:>7.2f} {rows / elapsed:>9,.0f}"
                f" {cpu:>7.2f} {rows / cpu:>11,.0f} {size / 1e6:>7.1f}"
            )
        base = results["baseline"]
        for name in ("trl-kto", "reward"):
            print(f"{name} / baseline: wall {results[name][0] / base[0]:.2f}x, cpu {results[name][1] / base[1]:.2f}x")


if __name__ == "__main__":
    main()
