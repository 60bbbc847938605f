"""Assignment benchmark: claim + submit throughput and latency under 50 concurrent experts,
through gunicorn (4 worker processes, gthread, as `annotate serve` runs it), on SQLite and PostgreSQL.

Each expert is a client thread with its own API token that loops POST claim -> POST submit
until the project has nothing left (204). Three runs per database: *solo* (one expert alone,
no concurrency: the service time of a request), *saturated* (no think time:
far harsher than 50 people reading and judging; it measures the ceiling, and latency there is
mostly queueing for the 2 cores) and *paced* (each expert pauses a random 0-2x ``--think``
seconds before each request; still ~50x a real team's rate, whose judgments take minutes).
Printed per database: requests,
errors, claims/s and submits/s, and p50 / p90 / p99 / max latency of claims and of submits.
Before the clock starts each expert claims and submits once (``--no-warmup`` times that too: a
fresh worker's first requests take 100-600 ms). Afterwards the database is checked: no item
beyond its overlap, no duplicate (item, expert).

Usage: .venv/bin/python bench/bench_assign.py [--experts 50] [--items 1000] [--overlap 1] [--think 1.0]
         [--threads 4] [--solo-items 150] [--skip-pg] [--skip-sqlite] [--skip-solo] [--skip-paced] [--skip-saturated]
         [--no-warmup]
PostgreSQL: ANNOTATE_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test;
a scratch schema is created and dropped).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def seed(url: str, experts: int, items: int, overlap: int, password: str | None = None) -> list[str]:
    """Migrate, then create one pairwise project ``bench`` with ``items`` items and ``experts`` experts
    (``expert<i>@bench.example``, signing in with ``password`` if given); return their API tokens."""
    from helpers import pair_rows

    from annotate import create_app, db
    from annotate.auth.services import add_user, create_token
    from annotate.db import make_engine
    from annotate.ingest import import_file
    from annotate.models import ProjectRole, Role
    from annotate.projects.services import add_member, create_project
    from annotate.schema import upgrade

    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "ENV": "testing", "TESTING": True})
    tokens = []
    with app.app_context():
        session = db.session()
        project = create_project(
            session, "bench", template_name="pairwise", templates_dir=Path(app.config["TEMPLATES_DIR"]), overlap=overlap
        )
        for i in range(experts):
            user = add_user(session, f"expert{i}@bench.example", role=Role.EXPERT, password=password)
            add_member(session, project, user, ProjectRole.EXPERT)
            tokens.append(create_token(session, user)[1])
        session.commit()
        with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as f:
            f.write(b"".join(json.dumps(r).encode() + b"\n" for r in pair_rows(items, prefix="b")))
        import_file(session, project, Path(f.name))
        session.commit()
        os.unlink(f.name)
        db.engine().dispose()
    return tokens


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds these processes have used (/proc/<pid>/stat fields 14 and 15): what a
    request costs the server whatever else the machine runs (wall-clock figures wait for a core)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def start_gunicorn(url: str, workers: int, threads: int, log: Path, env: dict | None = None):
    """gunicorn as ``annotate serve`` runs it (tests/helpers.Gunicorn); its output goes to ``log``.
    Returns the server (``.stop()``, ``.kill()``, ``.worker_pids()``) and its base URL."""
    from helpers import Gunicorn

    server = Gunicorn(url, log, workers=workers, threads=threads, env=env)
    try:
        return server, server.start()
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None


def run(base: str, tokens: list[str], think: float = 0.0, warmup: bool = True) -> dict:
    """Every expert claims and submits until 204, pausing 0-2x ``think`` s before each request;
    returns latencies (s) and errors. With ``warmup``, each expert first claims and submits one
    item untimed: a gunicorn worker's first requests pay for connections, mapper set-up and SQL
    compilation (100-600 ms), which would otherwise be most of the p99 of a short run."""
    host = urlsplit(base)
    claims: list[float] = []
    submits: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens) + 1)

    def expert(token: str) -> None:
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)  # keep-alive, like a browser
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        pause = random.Random(token)

        def post(path: str, body: bytes) -> tuple[int, bytes, float]:
            if think:
                time.sleep(pause.uniform(0, 2 * think))
            t0 = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, data, time.perf_counter() - t0

        mine_c, mine_s, mine_e = [], [], []
        try:
            if warmup:
                status, data, _took = post("/api/v1/projects/bench/assignments", b"")
                if status not in (201, 204):
                    mine_e.append(f"warm-up claim {status} {data[:200]!r}")
                if status == 201:
                    body = json.loads(data)
                    answer = json.dumps({"answers": {"preferred": body["item"]["responses"][0]["id"]}}).encode()
                    post(f"/api/v1/assignments/{body['assignment']['id']}/judgment", answer)
        except OSError as exc:
            mine_e.append(repr(exc))
        barrier.wait()
        try:
            while True:
                status, data, took = post("/api/v1/projects/bench/assignments", b"")
                mine_c.append(took)
                if status == 204:
                    break
                if status != 201:
                    mine_e.append(f"claim {status} {data[:200]!r}")
                    break
                body = json.loads(data)
                answer = json.dumps({"answers": {"preferred": body["item"]["responses"][0]["id"]}}).encode()
                status, data, took = post(f"/api/v1/assignments/{body['assignment']['id']}/judgment", answer)
                mine_s.append(took)
                if status != 201:
                    mine_e.append(f"submit {status} {data[:200]!r}")
                    break
        except OSError as exc:
            mine_e.append(repr(exc))
        finally:
            conn.close()
        with lock:
            claims.extend(mine_c)
            submits.extend(mine_s)
            errors.extend(mine_e)

    threads = [threading.Thread(target=expert, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return {"claims": claims, "submits": submits, "errors": errors, "seconds": time.perf_counter() - t0}


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def verify(url: str, overlap: int) -> str:
    """Judgments, items over their overlap, experts twice on an item (warm-up included)."""
    from sqlalchemy import func, select

    from annotate.db import make_engine
    from annotate.models import Assignment, Judgment

    engine = make_engine(url)
    with engine.connect() as conn:
        per_item = Counter(conn.execute(select(Judgment.item_id)).scalars())
        pairs = conn.execute(select(Assignment.item_id, Assignment.expert_id)).all()
        over = sum(1 for n in per_item.values() if n > overlap)
        dupes = len(pairs) - len(set(pairs))
        total = conn.execute(select(func.count()).select_from(Judgment)).scalar()
    engine.dispose()
    return f"judgments {total}, items over overlap {over}, duplicate (item, expert) {dupes}"


def report(name: str, result: dict, check: str) -> None:
    c, s = result["claims"], result["submits"]
    secs = result["seconds"]
    print(
        f"{name}: {len(c) + len(s)} requests in {secs:.1f} s, errors {len(result['errors'])}; "
        f"{len(s) / secs:.0f} claim+submit pairs/s"
    )
    print(
        f"  claim  p50 {pct(c, 0.5):6.1f} ms  p90 {pct(c, 0.9):6.1f} ms"
        f"  p99 {pct(c, 0.99):6.1f} ms  max {max(c) * 1000:6.1f} ms"
    )
    print(
        f"  submit p50 {pct(s, 0.5):6.1f} ms  p90 {pct(s, 0.9):6.1f} ms"
        f"  p99 {pct(s, 0.99):6.1f} ms  max {max(s) * 1000:6.1f} ms"
    )
    print(f"  server CPU {result['cpu_per_pair'] * 1000:.2f} ms per claim+submit pair")
    print(f"  check: {check}")
    for error in result["errors"][:5]:
        print(f"  error: {error}")


def bench(name: str, url: str, args, mode: str) -> None:
    """One run: ``solo`` (one expert, no concurrency: the service time), ``saturated`` or ``paced``."""
    experts, items = (1, args.solo_items) if mode == "solo" else (args.experts, args.items)
    think = args.think if mode == "paced" else 0.0
    warmup = not args.no_warmup
    # The warm-up takes one item's slot per expert: the timed run still has ``items`` items.
    tokens = seed(url, experts, items + (experts if warmup else 0), args.overlap)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gunicorn.log"
        server, base = start_gunicorn(url, args.workers, args.threads, log)
        try:
            pids = [server.process.pid, *server.worker_pids()]
            before = cpu_seconds(pids)
            result = run(base, tokens, think, warmup)
            # Per claim+submit pair, the warm-up's included (one per expert, as timed as any other).
            pairs = len(result["submits"]) + (experts if warmup else 0)
            result["cpu_per_pair"] = (cpu_seconds(pids) - before) / max(1, pairs)
        finally:
            server.stop()
        label = (f"paced, think {think:g} s" if mode == "paced" else mode) + ("" if warmup else ", cold")
        report(
            f"{name}, {label} (gunicorn {args.workers} workers x {args.threads} threads,"
            f" {experts} experts, {items} items, overlap {args.overlap})",
            result,
            verify(url, args.overlap),
        )
        if result["errors"]:
            print("  gunicorn's log, last lines:\n" + log.read_text(errors="replace")[-3000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experts", type=int, default=50)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--overlap", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (annotate serve uses 4)")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause (s) before each request in the paced run")
    parser.add_argument("--solo-items", type=int, default=150, help="items in the one-expert run")
    parser.add_argument("--skip-solo", action="store_true")
    parser.add_argument("--no-warmup", action="store_true", help="time the workers' first requests too")
    parser.add_argument("--skip-paced", action="store_true")
    parser.add_argument("--skip-saturated", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    modes = [
        m
        for m, skip in (("solo", args.skip_solo), ("saturated", args.skip_saturated), ("paced", args.skip_paced))
        if not skip
    ]
    if not args.skip_sqlite:
        for mode in modes:
            with tempfile.TemporaryDirectory() as tmp:
                bench("SQLite", f"sqlite:///{tmp}/bench.db", args, mode)
    if not args.skip_pg:
        from helpers import scratch_database

        base = os.environ.get("ANNOTATE_BENCH_DATABASE_URL", PG_DEFAULT)
        for mode in modes:
            with scratch_database("bench_assign", base) as url:
                bench("PostgreSQL", url, args, mode)


if __name__ == "__main__":
    main()
