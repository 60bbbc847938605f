"""Researcher pages benchmark: the progress page, its htmx poll, the item and member lists,
with a project of 1M items and 500k judgments by 50 experts over 14 days.

Prints the median of several runs per query and per full HTTP request (Flask test client).

Usage: .venv/bin/python bench/bench_progress.py [--items 1000000] [--judgments 500000] [--skip-pg]
PostgreSQL: ANNOTATE_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test;
a scratch schema is created and dropped).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
EXPERTS = 50
REASONS = ["Outside my expertise", "The prompt is unclear or broken", "Needs a fact-check", "Harmful content", ""]


def seed(url: str, n_items: int, n_judgments: int) -> None:
    """Fill a migrated database with one project of ``n_items`` items and ``n_judgments`` judgments."""
    from sqlalchemy import insert

    from annotate.db import make_engine
    from annotate.models import Assignment, Batch, Item, Judgment, Project, ProjectMember, User
    from annotate.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {
                    "id": i,
                    "email": f"u{i}@example.org",
                    "name": f"Expert {i}",
                    "role": "expert",
                    "expertise": [],
                    "active": True,
                    "created_at": now,
                }
                for i in range(1, EXPERTS + 1)
            ],
        )
        conn.execute(
            insert(User),
            [
                {
                    "id": EXPERTS + 1,
                    "email": "boss@example.org",
                    "name": "Boss",
                    "role": "admin",
                    "expertise": [],
                    "active": True,
                    "created_at": now,
                    "password_hash": "x",
                }
            ],
        )
        conn.execute(
            insert(Project),
            [
                {
                    "id": 1,
                    "slug": "big",
                    "title": "Big",
                    "template": {"kind": "pairwise", "config": {}},
                    "template_name": "pairwise",
                    "template_version": 1,
                    "instructions_version": 1,
                    "overlap": 1,
                    "required_expertise": [],
                    "lease_seconds": 1800,
                    "max_active_leases": 1,
                    "randomize_order": True,
                    "archived": False,
                    "created_at": now,
                }
            ],
        )
        conn.execute(
            insert(ProjectMember),
            [
                {
                    "project_id": 1,
                    "user_id": i,
                    "role": "expert",
                    "pseudonym": f"expert-{i:04d}",
                    "active": True,
                    "created_at": now,
                }
                for i in range(1, EXPERTS + 1)
            ],
        )
        conn.execute(
            insert(Batch),
            [
                {
                    "id": 1,
                    "project_id": 1,
                    "source": "bench",
                    "format": "jsonl",
                    "shape": "",
                    "mapping": {},
                    "status": "complete",
                    "created_at": now,
                }
            ],
        )
    chunk = 50_000
    prompt = [{"role": "user", "content": "Which reply is better?"}]
    responses = [{"id": "r1", "content": "one"}, {"id": "r2", "content": "two"}]
    for start in range(0, n_items, chunk):
        rows = []
        for i in range(start, min(start + chunk, n_items)):
            done = i < n_judgments
            judged = 1 if done and i % 50 else 0  # every 50th assignment is a skip
            rows.append(
                {
                    "id": i + 1,
                    "project_id": 1,
                    "batch_id": 1,
                    "external_id": f"it-{i}",
                    "content_hash": hashlib.sha256(str(i).encode()).hexdigest(),
                    "prompt": prompt,
                    "responses": responses,
                    "metadata": {},
                    "priority": 0,
                    "assigned_count": judged,
                    "judged_count": judged,
                    "created_at": now,
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(Item), rows)
    for start in range(0, n_judgments, chunk):
        assignments, judgments = [], []
        for i in range(start, min(start + chunk, n_judgments)):
            expert = i % EXPERTS + 1
            when = now - timedelta(days=(i * 14) // n_judgments, seconds=i % 3600)
            skipped = i % 50 == 0
            assignments.append(
                {
                    "id": i + 1,
                    "project_id": 1,
                    "item_id": i + 1,
                    "expert_id": expert,
                    "status": "skipped" if skipped else "submitted",
                    "leased_at": when,
                    "expires_at": when + timedelta(minutes=30),
                    "finished_at": when,
                    "display_order": ["r1", "r2"],
                    "active_seconds": 20 + i % 97,
                    "skip_reason": REASONS[i % 5] if skipped else None,
                }
            )
            if not skipped:
                judgments.append(
                    {
                        "assignment_id": i + 1,
                        "project_id": 1,
                        "item_id": i + 1,
                        "expert_id": expert,
                        "answers": {"preferred": "r1"},
                        "template_name": "pairwise",
                        "template_version": 1,
                        "instructions_version": 1,
                        "active_seconds": 20 + i % 97,
                        "created_at": when,
                        "updated_at": when,
                    }
                )
        with engine.begin() as conn:
            conn.execute(insert(Assignment), assignments)
            conn.execute(insert(Judgment), judgments)
    # Rows written straight into the tables: count them into the project's progress counters.
    from sqlalchemy.orm import Session

    from annotate.projects import counters

    with Session(engine) as session:
        counters.rebuild(session, 1)
        session.commit()
    # What autovacuum would have done by the time anybody looks: statistics, and on
    # PostgreSQL the visibility map that lets index-only scans skip the heap.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    engine.dispose()


def timed(fn, runs: int = 5) -> tuple[float, float]:
    """Median and minimum milliseconds of ``runs`` calls (after one warm-up). The minimum is the
    figure to trust on a shared, busy machine; the median shows the noise."""
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), min(samples)


def measure(url: str, label: str) -> None:
    from annotate import create_app, db
    from annotate.models import Project, ProjectMember
    from annotate.projects import queries

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "ENV": "testing",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        s = db.session()
        project = s.get(Project, 1)
        ids = list(range(1, 26))
        figures = {
            "progress_counts": timed(lambda: queries.progress_counts(s, project)),
            "judgments_per_day (14 days)": timed(lambda: queries.judgments_per_day(s, project)),
            "members page (25)": timed(
                lambda: queries.keyset(s, queries.members(project), ProjectMember.id, None, limit=25)
            ),
            "throughput + median (25 experts)": timed(lambda: queries.throughput(s, project, ids)),
            "skip_reasons": timed(lambda: s.execute(queries.skip_reasons(project)).all()),
            "items page 1": timed(lambda: queries.keyset(s, queries.items(project), queries.Item.external_id, None)),
            "items page after it-900000": timed(
                lambda: queries.keyset(s, queries.items(project), queries.Item.external_id, "it-900000")
            ),
        }
    client = app.test_client()
    with client.session_transaction() as sess:
        # A signed-in cookie as annotate.auth.sessions.start_session writes it (seeded users: epoch 0).
        sess.update(user_id=EXPERTS + 1, epoch=0, signed_in=int(time.time()), seen=int(time.time()))
    for name, path, headers in [
        ("GET /p/big/progress (full page)", "/p/big/progress", {}),
        ("GET /p/big/progress (htmx poll, 5 s)", "/p/big/progress", {"HX-Request": "true"}),
        ("GET ...?part=people (htmx poll, 60 s)", "/p/big/progress?part=people", {"HX-Request": "true"}),
        ("GET /p/big/items?after=it-900000", "/p/big/items?after=it-900000", {}),
        ("GET /p/big/members", "/p/big/members", {}),
    ]:

        def get(path=path, headers=headers):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)

        figures[name] = timed(get)
    print(f"\n{label}")
    for name, (median, low) in figures.items():
        print(f"  {name:<40} median {median:8.1f} ms   min {low:8.1f} ms")
    with app.app_context():
        db.engine().dispose()


@contextmanager
def seeded_sqlite(keep: Path | None, items: int, judgments: int) -> Iterator[str]:
    """The URL of a SQLite file seeded by ``seed``: ``keep`` (seeded only when it does not exist yet, so
    that later runs reuse it), else a temporary file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = keep or Path(tmp) / "bench.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            t = time.perf_counter()
            seed(url, items, judgments)
            print(f"  seeded SQLite in {time.perf_counter() - t:.0f} s")
        yield url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--judgments", type=int, default=500_000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--sqlite", type=Path, help="Keep the seeded SQLite file here and reuse it on the next run.")
    args = parser.parse_args()
    print(f"progress benchmark: {args.items:,} items, {args.judgments:,} assignments (2% skipped) by {EXPERTS} experts")
    with seeded_sqlite(args.sqlite, args.items, args.judgments) as url:
        measure(url, "SQLite (5 runs)")
    if args.skip_pg:
        return
    from helpers import scratch_database, unreachable

    base = os.environ.get("ANNOTATE_BENCH_DATABASE_URL", PG_DEFAULT)
    problem = unreachable(base)
    if problem:  # no server: say so, keep the SQLite figures
        print(f"PostgreSQL skipped: {problem}")
        return
    with scratch_database("bench_progress", base) as url:
        t = time.perf_counter()
        seed(url, args.items, args.judgments)
        print(f"  seeded PostgreSQL in {time.perf_counter() - t:.0f} s")
        measure(url, "PostgreSQL (5 runs)")


if __name__ == "__main__":
    main()
