"""Quality page benchmark: the report of a project with 1,000,000 judgments (overlap 3, three
models, gold on 5% of the items, an automatic judge's suggestion on every item), computed cold
from every judgment, kept, and then shown: the Quality page's work when the kept figures are
current (fingerprint query, the kept report, charts, the template).

Floors in the same run: reading the same rows with a plain SELECT (the cold computation's
floor) and the fingerprint query alone (the page's).

Usage: .venv/bin/python bench/bench_quality.py [--judgments 1000000] [--url postgresql+psycopg://…]
SQLite in a temporary folder by default; the data is inserted with Core executemany (not timed).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EXPERTS = 12
OVERLAP = 3
CHUNK = 6000
MODELS = ("model-a", "model-b", "model-c")


def populate(url: str, judgments: int) -> None:
    """A pairwise project whose items are each judged by three of twelve experts."""
    from sqlalchemy import insert

    from annotate.db import make_engine
    from annotate.models import Assignment, Batch, InstructionsVersion, Item, Judgment, Project, ProjectMember, User
    from annotate.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    template = orjson.loads((REPO / "task_templates" / "pairwise.json").read_bytes())
    rng = random.Random(5)
    with engine.begin() as conn:
        conn.execute(
            insert(Project),
            [
                {
                    "id": 1,
                    "slug": "bench",
                    "title": "bench",
                    "template": template,
                    "template_name": "pairwise",
                    "template_version": 1,
                    "instructions_version": 1,
                    "overlap": OVERLAP,
                    "created_at": now,
                }
            ],
        )
        conn.execute(insert(InstructionsVersion), [{"project_id": 1, "version": 1, "body": "Pick.", "created_at": now}])
        conn.execute(
            insert(User),
            [{"id": u, "email": f"e{u}@example.org", "created_at": now} for u in range(1, EXPERTS + 2)],
        )
        conn.execute(
            insert(ProjectMember),
            [
                {
                    "project_id": 1,
                    "user_id": u,
                    "role": "expert" if u <= EXPERTS else "researcher",
                    "pseudonym": f"expert-{u:08x}",
                    "created_at": now,
                }
                for u in range(1, EXPERTS + 2)
            ],
        )
        conn.execute(
            insert(Batch), [{"id": 1, "project_id": 1, "source": "bench.jsonl", "format": "jsonl", "created_at": now}]
        )
    items = judgments // OVERLAP
    jid = 0
    for start in range(0, items, CHUNK // OVERLAP):
        ids = range(start + 1, min(items, start + CHUNK // OVERLAP) + 1)
        item_rows, assignment_rows, judgment_rows = [], [], []
        for i in ids:
            a, b = rng.sample(MODELS, 2)
            truth = "r1" if MODELS.index(a) < MODELS.index(b) else "r2"
            item_rows.append(
                {
                    "id": i,
                    "project_id": 1,
                    "batch_id": 1,
                    "external_id": f"item-{i}",
                    "content_hash": hashlib.sha256(str(i).encode()).hexdigest(),
                    "prompt": [{"role": "user", "content": f"Question {i}?"}],
                    "responses": [
                        {"id": "r1", "content": f"A{i}", "model": a},
                        {"id": "r2", "content": f"B{i}", "model": b},
                    ],
                    "meta": {},
                    "gold": {"preferred": truth} if i % 20 == 0 else None,
                    "suggestion": {"model": "judge", "preferred": truth if rng.random() < 0.8 else "r1"},
                    "assigned_count": OVERLAP,
                    "judged_count": OVERLAP,
                    "created_at": now,
                }
            )
            for expert in rng.sample(range(1, EXPERTS + 1), OVERLAP):
                jid += 1
                order = ["r1", "r2"] if rng.random() < 0.5 else ["r2", "r1"]
                verdict = truth if rng.random() < 0.6 + expert / 40 else ("r1" if truth == "r2" else "r2")
                assignment_rows.append(
                    {
                        "id": jid,
                        "project_id": 1,
                        "item_id": i,
                        "expert_id": expert,
                        "status": "submitted",
                        "leased_at": now,
                        "expires_at": now + timedelta(hours=1),
                        "finished_at": now,
                        "display_order": order,
                        "active_seconds": 30 + jid % 90,
                    }
                )
                judgment_rows.append(
                    {
                        "id": jid,
                        "assignment_id": jid,
                        "project_id": 1,
                        "item_id": i,
                        "expert_id": expert,
                        "answers": {"preferred": verdict},
                        "template_name": "pairwise",
                        "template_version": 1,
                        "instructions_version": 1,
                        "active_seconds": 30 + jid % 90,
                        "flag_bits": 1 if jid % 50 == 0 else 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        with engine.begin() as conn:
            conn.execute(insert(Item), item_rows)
            conn.execute(insert(Assignment), assignment_rows)
            conn.execute(insert(Judgment), judgment_rows)
    engine.dispose()


def measure(url: str) -> None:
    from flask import g, render_template

    from annotate import create_app, db
    from annotate.models import Project, User
    from annotate.quality import scores
    from annotate.quality import settings as quality_settings
    from annotate.quality.charts import page_charts
    from annotate.quality.queries import fingerprint, judgment_rows
    from annotate.quality.report import compute
    from annotate.quality.services import project_report, shown_report

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        session = db.session()
        project = session.get(Project, 1)
        started = time.perf_counter()
        statement = judgment_rows(project).execution_options(yield_per=5000)
        rows = sum(1 for _ in session.connection().execute(statement))
        floor = time.perf_counter() - started
        started = time.perf_counter()
        report = compute(session, project)
        cold = time.perf_counter() - started
        print(f"rows read, the report's SELECT, nothing decoded (floor): {floor:7.2f} s for {rows:,} judgments")
        print(f"report computed from every judgment (cold):      {cold:7.2f} s  ({cold / floor:.1f}x the floor)")
        session.rollback()
        db.begin_write(session)
        started = time.perf_counter()
        project_report(session, project, store=True)
        session.commit()
        print(f"computed again and kept (annotate quality --keep): {time.perf_counter() - started:6.2f} s")
        researcher = session.get(User, EXPERTS + 1)
        timings, floors = [], []
        for _ in range(5):
            started = time.perf_counter()
            session.execute(fingerprint(project)).one()
            floors.append(time.perf_counter() - started)
            session.rollback()
            with app.test_request_context(f"/p/{project.slug}/quality"):
                g.user = researcher
                started = time.perf_counter()
                shown = shown_report(session, project)
                assert shown.exact, "the kept figures are current"
                assert shown.report is not None
                html = render_template(
                    "quality/page.html",
                    project=project,
                    report=shown.report,
                    shown=shown,
                    job=None,
                    charts=page_charts(shown.report),
                    labels=scores.LABELS,
                    standings=[],
                    problems={},
                    form=quality_settings.current(project),
                )
                timings.append(time.perf_counter() - started)
            session.rollback()
        best, floor_best = min(timings), min(floors)
        print(
            f"page with the kept figures (fingerprint, report, charts, template): best {best * 1000:7.1f} ms of 5,"
            f" worst {max(timings) * 1000:7.1f} ms; fingerprint query alone {floor_best * 1000:6.1f} ms"
            f" ({best / floor_best:.1f}x); {len(html):,} bytes of HTML"
        )
        print(
            f"figures: alpha {report['agreement'][0]['alpha']}, {len(report['experts'])} experts,"
            f" {len(report['leaderboard'])} models, position p = {report['position']['p_value']}"
        )
        db.engine().dispose()


def _tables_added_since(url: str) -> None:
    """A database filled by an earlier run of this benchmark may predate a table that revision
    0016 gained while it was being written (position_checks): add it, empty (benchmark only)."""
    from annotate.db import make_engine
    from annotate.models import PositionCheck

    engine = make_engine(url)
    PositionCheck.__table__.create(engine, checkfirst=True)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--judgments", type=int, default=1_000_000)
    parser.add_argument("--url", help="a database URL (default: SQLite in a temporary folder); it is filled")
    parser.add_argument("--db", help="a SQLite file to fill once and reuse (filled only when it does not exist)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{args.db or f'{tmp}/bench.db'}"
        started = time.perf_counter()
        if args.db and Path(args.db).exists():
            print(f"reusing {args.db}")
            _tables_added_since(url)
            measure(url)
            return
        populate(url, args.judgments)
        took = time.perf_counter() - started
        print(f"{url.split(':')[0]}: {args.judgments:,} judgments inserted in {took:.0f} s (not timed)")
        measure(url)


if __name__ == "__main__":
    main()
