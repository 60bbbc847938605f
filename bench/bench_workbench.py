"""Task page benchmark: ``expert_progress`` (the figures on every task page) and GET of the
task page, full page and htmx fragment, for one expert of a project with 1M items.

The project is bench_progress.py's (1M items, 500k assignments by 50 experts over 14 days,
2% of them skips), seeded by its ``seed``. The expert measured has 10,000 judgments in it
and holds one lease (claimed through ``claim_next`` before the clock starts). Measured at
overlap 1 (the expert's judged items are full) and overlap 3 (every item is open, and so
are all the items the expert has had).

Prints the median and minimum of several runs per figure (bench_progress's ``timed``).

Usage: .venv/bin/python bench/bench_workbench.py [--items 1000000] [--judgments 500000]
       [--sqlite FILE] [--pg] [--explain]
--sqlite keeps the seeded file and reuses it on the next run. --pg also measures PostgreSQL
(ANNOTATE_BENCH_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test;
a scratch schema is created and dropped).
"""

from __future__ import annotations

import argparse
import os
import secrets
import time
from functools import partial
from pathlib import Path

from bench_progress import PG_DEFAULT, seed, seeded_sqlite, timed

EXPERT = 2  # seed(): expert 1 only skips; expert 2 has judged every 50th item from the second on


def explain(session, project, expert) -> None:
    """Print the plan of each statement ``expert_progress`` sends (timed, on PostgreSQL)."""
    from sqlalchemy import event

    from annotate.workbench.queries import expert_progress

    engine, sent = session.get_bind(), []
    capture = lambda _conn, _cursor, statement, parameters, _context, _many: sent.append((statement, parameters))  # noqa: E731
    event.listen(engine, "before_cursor_execute", capture)
    expert_progress(session, project, expert)
    event.remove(engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    for statement, parameters in sent:
        print("    " + " ".join(statement.split()))
        for row in session.connection().exec_driver_sql(prefix + statement, parameters):
            print(f"      {row[-1]}")


def measure(url: str, label: str, runs: int, plans: bool = False) -> None:
    from annotate import create_app, db
    from annotate.assign.services import claim_next
    from annotate.models import Project, User
    from annotate.workbench.queries import expert_progress

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "ENV": "testing", "TESTING": True})
    client = app.test_client()
    with client.session_transaction() as sess:
        # A signed-in cookie as annotate.auth.sessions.start_session writes it (seeded users: epoch 0).
        now = int(time.time())
        sess.update(user_id=EXPERT, epoch=0, signed_in=now, seen=now)
    print(f"\n{label}")
    for overlap in (1, 3):
        with app.app_context():
            s = db.session()
            project, expert = s.get(Project, 1), s.get(User, EXPERT)
            project.overlap = overlap
            s.commit()
            lease = claim_next(s, project, expert)  # the same lease again on later runs, until it expires
            s.commit()
            lease_id = lease.id
            progress = expert_progress(s, project, expert)
            figures = {"expert_progress": timed(partial(expert_progress, s, project, expert), runs)}
            if plans:
                explain(s, project, expert)
            s.rollback()
        for name, headers in [
            ("GET /tasks/<id> (full page)", {}),
            ("GET /tasks/<id> (htmx fragment)", {"HX-Request": "true"}),
        ]:

            def get(headers=headers, lease_id=lease_id):
                response = client.get(f"/tasks/{lease_id}", headers=headers)
                assert response.status_code == 200, response.status_code

            figures[name] = timed(get, runs)
        print(f"  overlap {overlap}: {progress}")
        for name, (median, low) in figures.items():
            print(f"    {name:<34} median {median:8.1f} ms   min {low:8.1f} ms")
    with app.app_context():
        s = db.session()
        s.get(Project, 1).overlap = 1  # as seeded, for a reused file
        s.commit()
        db.engine().dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--judgments", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sqlite", type=Path, help="Keep the seeded SQLite file here and reuse it on the next run.")
    parser.add_argument("--pg", action="store_true", help="Also measure PostgreSQL.")
    parser.add_argument("--explain", action="store_true", help="Print the plans of expert_progress's statements.")
    args = parser.parse_args()
    print(
        f"workbench benchmark: {args.items:,} items, {args.judgments:,} assignments, expert {EXPERT}, {args.runs} runs"
    )
    with seeded_sqlite(args.sqlite, args.items, args.judgments) as url:
        measure(url, f"SQLite ({args.runs} runs)", args.runs, args.explain)
    if not args.pg:
        return
    from helpers import scratch_database
    from sqlalchemy import text

    from annotate.db import make_engine

    with scratch_database("bench_workbench", os.environ.get("ANNOTATE_BENCH_DATABASE_URL", PG_DEFAULT)) as url:
        t = time.perf_counter()
        seed(url, args.items, args.judgments)
        engine = make_engine(url)
        with engine.begin() as conn:  # seed() chose the ids: move the sequences past them, for the claim
            for table in ("users", "projects", "batches", "items", "assignments", "judgments"):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
        engine.dispose()
        print(f"  seeded PostgreSQL in {time.perf_counter() - t:.0f} s")
        measure(url, f"PostgreSQL ({args.runs} runs)", args.runs, args.explain)


if __name__ == "__main__":
    main()
