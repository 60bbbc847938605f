"""Data-browser benchmark: item search and filters, judgment filters, over bench_progress's
seeded project (1M items, 500k assignments by 50 experts) plus a batch of 11,000 items with
rarer words, models, gold answers and disputes, on SQLite and PostgreSQL.

The seeded items all say "Which reply is better?" (a word in every item: the common case);
"melanoma" is in 1,000 items, "eczema" in 10,000. Prints the median and minimum of several
runs of each query (one page of 50) and of a few full HTTP requests (Flask test client).

Usage: .venv/bin/python bench/bench_browse.py [--items 1000000] [--judgments 500000] [--skip-pg] [--sqlite FILE]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from bench_progress import EXPERTS, PG_DEFAULT, seed, seeded_sqlite, timed  # noqa: E402

EXTRA = 11_000


def seed_extra(url: str, n_items: int) -> None:
    """A second batch: 1,000 items about melanoma, 10,000 about eczema, with models, some gold and disputes."""
    from sqlalchemy import func, insert, select

    from annotate.db import make_engine
    from annotate.models import Adjudication, Batch, Item

    engine = make_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(Batch).where(Batch.id == 2)):
            return  # a kept SQLite file: seeded already
        conn.execute(
            insert(Batch),
            [
                {
                    "id": 2,
                    "project_id": 1,
                    "source": "bench-extra",
                    "format": "jsonl",
                    "shape": "",
                    "mapping": {},
                    "status": "complete",
                    "created_at": now,
                }
            ],
        )
        rows = []
        for k in range(EXTRA):
            word = "melanoma" if k < 1000 else "eczema"
            i = n_items + k
            rows.append(
                {
                    "id": i + 1,
                    "project_id": 1,
                    "batch_id": 2,
                    "external_id": f"extra-{k}",
                    "content_hash": hashlib.sha256(f"x{k}".encode()).hexdigest(),
                    "prompt": [{"role": "user", "content": f"A question about {word} number {k}"}],
                    "responses": [
                        {"id": "r1", "content": "see a doctor", "model": "derm-llm" if k % 2 else "base-7b"},
                        {"id": "r2", "content": "wait and see", "model": "base-7b"},
                    ],
                    "metadata": {"topic": word},
                    "gold": {"preferred": "r1"} if k % 10 == 0 else None,
                    "priority": 0,
                    "assigned_count": 0,
                    "judged_count": 0,
                    "created_at": now,
                }
            )
        conn.execute(insert(Item), rows)
        conn.execute(
            insert(Adjudication),
            [
                {"project_id": 1, "item_id": n_items + k + 1, "status": "open", "agreement_pct": 50, "created_at": now}
                for k in range(0, EXTRA, 100)
            ],
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    engine.dispose()


def quick_timed(fn, runs: int = 5) -> tuple[float, float]:
    """``timed``, but a query slower than a second runs once: a figure, not a stall."""
    t = time.perf_counter()
    fn()
    first = (time.perf_counter() - t) * 1000
    if first > 1000:
        return first, first
    return timed(fn, runs)


def measure(url: str, label: str) -> None:
    from annotate import create_app, db
    from annotate.browse import queries
    from annotate.browse.filters import encode_cursor, parse
    from annotate.models import Project

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "ENV": "testing",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    item_cases = {
        "items page 1": {},
        "items after 900,000 (keyset)": {"cursor": encode_cursor(900_000)},
        "items newest first": {"sort": "newest"},
        "items by external id, deep": {"sort": "external_id", "cursor": encode_cursor("it-900000")},
        "search 'better' (every item)": {"q": "better"},
        "search 'eczema' (10,000)": {"q": "eczema"},
        "search 'melanoma' (1,000)": {"q": "melanoma"},
        "search 'melanoma number' (2 words)": {"q": "melanoma number"},
        "search 'zebra' (no match)": {"q": "zebra"},
        "search 'better', 2nd page": {"q": "better", "cursor": encode_cursor(50)},
        "state complete": {"state": "complete"},
        "state open": {"state": "open"},
        "state in_progress": {"state": "in_progress"},
        "state skipped": {"state": "skipped"},
        "state disputed": {"state": "disputed"},
        "batch 2": {"batch": "2"},
        "judged by expert-0007": {"expert": "expert-0007"},
        "gold": {"gold": "1"},
        "model derm-llm": {"model": "derm-llm"},
        "search 'eczema' + gold + model": {"q": "eczema", "gold": "1", "model": "derm-llm"},
    }
    judgment_cases = {
        "judgments page 1": {},
        "judgments by expert-0007": {"expert": "expert-0007"},
        "judgments pending review": {"review": "pending"},
        "judgments accepted (none)": {"review": "accepted"},
        "judgments verdict preferred": {"verdict": "preferred"},
        "judgments verdict tie (none)": {"verdict": "tie"},
        "judgments of one day": {
            "since": datetime.now(UTC).date().isoformat(),
            "until": datetime.now(UTC).date().isoformat(),
        },
        "judgments, items matching 'better'": {"q": "better"},
    }
    figures: dict[str, tuple[float, float]] = {}
    print(f"\n{label}", flush=True)

    def show(name: str) -> None:
        median, low = figures[name]
        flag = "" if low < 100 else "   <-- over 100 ms"
        print(f"  {name:<42} median {median:8.1f} ms   min {low:8.1f} ms{flag}", flush=True)

    with app.app_context():
        s = db.session()
        dialect = s.get_bind().dialect.name
        project = s.get(Project, 1)
        for name, args in item_cases.items():
            f = parse(args)
            expert = queries.expert_id(s, project, f.expert)
            figures[name] = quick_timed(
                lambda f=f, e=expert: queries.page(s, queries.items(project, f, dialect, e), f.cursor, 50)
            )
            show(name)
        for name, args in judgment_cases.items():
            f = parse(args)
            expert = queries.expert_id(s, project, f.expert)
            figures[name] = quick_timed(
                lambda f=f, e=expert: queries.page(s, queries.judgments(project, f, dialect, e), f.cursor, 50)
            )
            show(name)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["user_id"] = EXPERTS + 1
        sess["auth_stamp"] = "x"
    for name, path in [
        ("GET /p/big/items", "/p/big/items"),
        ("GET /p/big/items?q=melanoma", "/p/big/items?q=melanoma"),
        ("GET /p/big/items?q=better&state=complete", "/p/big/items?q=better&state=complete"),
        ("GET /p/big/judgments?expert=expert-0007", "/p/big/judgments?expert=expert-0007"),
    ]:

        def get(path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.text[:500])

        figures[name] = quick_timed(get)
        show(name)
    with app.app_context():
        db.engine().dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--judgments", type=int, default=500_000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--sqlite", type=Path, help="Keep the seeded SQLite file here and reuse it on the next run.")
    args = parser.parse_args()
    print(
        f"browse benchmark: {args.items:,} + {EXTRA:,} items, {args.judgments:,} assignments by {EXPERTS} experts;"
        f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if not args.skip_sqlite:
        with seeded_sqlite(args.sqlite, args.items, args.judgments) as url:
            seed_extra(url, args.items)
            measure(url, "SQLite (5 runs)")
    if args.skip_pg:
        return
    from helpers import scratch_database, unreachable

    base = os.environ.get("ANNOTATE_BENCH_DATABASE_URL", PG_DEFAULT)
    problem = unreachable(base)
    if problem:
        print(f"PostgreSQL skipped: {problem}")
        return
    with scratch_database("bench_browse", base) as url:
        t = time.perf_counter()
        seed(url, args.items, args.judgments)
        seed_extra(url, args.items)
        print(f"  seeded PostgreSQL in {time.perf_counter() - t:.0f} s")
        measure(url, "PostgreSQL (5 runs)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
