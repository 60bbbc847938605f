"""Heartbeat benchmark: what 50 experts' heartbeats cost the server, in CPU, on SQLite and PostgreSQL.

gunicorn as ``annotate serve`` runs it (2 worker processes x 4 threads here: the machine has 2
cores). 50 experts sign in through the pages, each claims a task, then each sends the task
page's heartbeat (``POST /heartbeats``, JSON, session cookie and CSRF header) once per
``--every`` seconds (15: ANNOTATE_HEARTBEAT_SECONDS' default), staggered, for ``--seconds``.
The CPU time of the server's processes (master and workers: utime + stime from /proc) over the
run, divided by the run's wall-clock time, is the share of one core the heartbeats cost.

Figures printed per database, each a ratio measured in the same run:

* *idle*: the same server, signed-in experts, no request, for as long (the floor: what a
  server costs doing nothing);
* *paced*: 50 experts' heartbeats at the real pace: the share of one core, minus idle, is the
  answer to "what do heartbeats cost" (target: under 5% of one core);
* *burst*: ``--burst`` heartbeats as fast as 8 clients send them, and as many ``GET /healthz``
  (the cheapest request the app answers: a plain floor), each as CPU milliseconds per request;
  the heartbeat's cost per request times 50/15 per second checks the paced figure.

Usage: .venv/bin/python bench/bench_heartbeats.py [--experts 50] [--every 15] [--seconds 60] [--burst 2000]
         [--skip-pg] [--skip-sqlite]
PostgreSQL: ANNOTATE_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test;
a scratch schema is created and dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-heartbeat-password-1"


class Expert:
    """One signed-in browser: its cookie, CSRF token and task."""

    def __init__(self, base: str, email: str):
        from helpers import WebSession

        self.web = WebSession(base)
        self.web.login(email, PASSWORD)
        self.assignment = self._claim()

    def _claim(self) -> int:
        """Start judging, as the project page's button does: the answer redirects to the task."""
        from urllib.parse import urlencode

        request = urllib.request.Request(
            self.web.base + "/p/bench/next", data=urlencode({"csrf_token": self.web.token}).encode()
        )
        try:
            self.web.opener.open(request, timeout=60)
        except self.web._errors.HTTPError as exc:  # redirects are not followed: the 303 is an "error"
            if exc.code == 303:
                return int(exc.headers["Location"].rsplit("/", 1)[1])
            raise
        raise RuntimeError("the claim did not redirect to a task")

    def beat(self) -> int:
        body = json.dumps({"activity": "task", "target": self.assignment}).encode()
        request = urllib.request.Request(
            self.web.base + "/heartbeats",
            data=body,
            headers={"Content-Type": "application/json", "X-CSRFToken": self.web.token or ""},
        )
        try:
            with self.web.opener.open(request, timeout=60) as response:
                response.read()
                return response.status
        except self.web._errors.HTTPError as exc:
            return exc.code


def healthz(base: str) -> int:
    with urllib.request.urlopen(base + "/healthz", timeout=60) as response:
        response.read()
        return response.status


def measure(pids: list[int], work) -> tuple[float, float, list[int]]:
    """(CPU seconds of ``pids``, wall seconds, statuses) while ``work()`` runs."""
    from bench_assign import cpu_seconds

    cpu0, t0 = cpu_seconds(pids), time.perf_counter()
    statuses = work()
    return cpu_seconds(pids) - cpu0, time.perf_counter() - t0, statuses


def paced(experts: list[Expert], every: float, seconds: float) -> list[int]:
    """Each expert beats once per ``every`` s, staggered across the period, until ``seconds`` pass."""
    statuses: list[int] = []
    lock = threading.Lock()
    start = time.monotonic()

    def run(i: int, expert: Expert) -> None:
        due = start + every * i / len(experts)
        mine = []
        while due < start + seconds:
            time.sleep(max(0.0, due - time.monotonic()))
            mine.append(expert.beat())
            due += every
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=run, args=(i, e)) for i, e in enumerate(experts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(max(0.0, start + seconds - time.monotonic()))
    return statuses


def burst(n: int, send, clients: int = 8) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()
    counter = iter(range(n))

    def run() -> None:
        mine = []
        for i in counter:
            mine.append(send(i))
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def bench(name: str, url: str, args) -> None:
    from bench_assign import seed, start_gunicorn

    seed(url, args.experts, args.experts * 2, 1, password=PASSWORD)
    with tempfile.TemporaryDirectory() as tmp:
        # Plain http on localhost: the session cookie must not be Secure-only (as bench_load runs it).
        env = {"ANNOTATE_SESSION_COOKIE_SECURE": "false"}
        server, base = start_gunicorn(url, args.workers, args.threads, Path(tmp) / "gunicorn.log", env=env)
        try:
            experts = [Expert(base, f"expert{i}@bench.example") for i in range(args.experts)]
            for expert in experts:  # warm every worker's connections and compiled statements
                expert.beat()
            pids = [server.process.pid, *server.worker_pids()]
            idle_cpu, idle_wall, _ = measure(pids, lambda: time.sleep(args.seconds) or [])
            beat_cpu, beat_wall, beat_statuses = measure(pids, lambda: paced(experts, args.every, args.seconds))
            hb_cpu, _w, hb_statuses = measure(
                pids, lambda: burst(args.burst, lambda i: experts[i % len(experts)].beat())
            )
            hz_cpu, _w, hz_statuses = measure(pids, lambda: burst(args.burst, lambda i: healthz(base)))
        finally:
            server.stop()
    idle_share = idle_cpu / idle_wall
    beat_share = beat_cpu / beat_wall
    per_beat = hb_cpu / len(hb_statuses) * 1000
    per_health = hz_cpu / len(hz_statuses) * 1000
    rate = args.experts / args.every
    bad = [s for s in beat_statuses + hb_statuses if s != 200] + [s for s in hz_statuses if s != 200]
    print(
        f"{name}: gunicorn {args.workers} workers x {args.threads} threads, {args.experts} experts, "
        f"a heartbeat each every {args.every:g} s ({rate:.2f}/s), {args.seconds:g} s per phase"
    )
    print(f"  idle    server CPU {idle_cpu:6.2f} s in {idle_wall:5.1f} s: {idle_share:6.2%} of one core (the floor)")
    print(
        f"  paced   server CPU {beat_cpu:6.2f} s in {beat_wall:5.1f} s: {beat_share:6.2%} of one core, "
        f"{beat_share - idle_share:6.2%} above idle, {len(beat_statuses)} heartbeats (target: under 5%)"
    )
    print(
        f"  burst   {per_beat:5.2f} ms CPU per heartbeat, {per_health:5.2f} ms per GET /healthz: "
        f"{per_beat / per_health:4.1f}x the plain floor; x {rate:.2f}/s = {per_beat * rate / 1000:6.2%} of one core"
    )
    print(f"  errors: {len(bad)} {sorted(set(bad))[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experts", type=int, default=50)
    parser.add_argument("--every", type=float, default=15.0, help="seconds between one expert's heartbeats")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the idle and paced phases")
    parser.add_argument("--burst", type=int, default=2000, help="requests in each burst")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            bench("SQLite", f"sqlite:///{tmp}/bench.db", args)
    if not args.skip_pg:
        from helpers import scratch_database

        with scratch_database("bench_heartbeats", os.environ.get("ANNOTATE_BENCH_DATABASE_URL", PG_DEFAULT)) as url:
            bench("PostgreSQL", url, args)


if __name__ == "__main__":
    main()
