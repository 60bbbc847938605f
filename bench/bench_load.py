"""Load benchmark: simulated experts drive gunicorn through the pages, on SQLite and PostgreSQL.

Each simulated expert (a locust user, run headless as a library) signs in once, then loops:
claim (``POST /p/bench/next``, answered 303 to the task) → read the task page (``GET
/tasks/<id>``) → submit the form (``POST /tasks/<id>/judgment``), pausing a random 0.5-1.5x
``--think`` seconds before each request. A real expert reads for minutes; a think time of
1 s is already far harsher. For 10, 50 and 200 experts (``--experts``) it prints requests/s
and p50 / p95 / p99 / max latency of each step and of all requests, the errors (any status
but the expected one, connection errors), the 5xx, and the machine's load average before and
after (the machine may be shared: the load says how much else was running).

The server is gunicorn as ``annotate serve`` runs it (``--workers`` processes x ``--threads``);
locust runs in a child process of its own (it patches the standard library with gevent), on
the same machine, so it takes CPU from the server: the figures are a floor. Requests go only
to 127.0.0.1, and every loop is bounded by ``--seconds`` (and the items seeded).

Usage: .venv/bin/python bench/bench_load.py [--experts 10,50,200] [--seconds 45] [--warmup 5] [--think 1.0]
         [--workers 4] [--threads 4] [--skip-sqlite] [--skip-pg] [--json bench/out/load.json]
PostgreSQL: ANNOTATE_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test;
a scratch schema is created and dropped). Extra settings for the server: --server-env NAME=VALUE
(e.g. to lift a per-address sign-in throttle, since every simulated expert signs in from 127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

PASSWORD = "bench password, long enough"
STEPS = ("claim", "task page", "submit")


# -- the driver: runs in a child process (locust patches the standard library) ----------------


def drive(config: dict) -> dict:
    """Run ``config["users"]`` simulated experts against ``config["base"]``; return the figures.

    Sign-ins are not timed: the clock starts once every expert has signed in and ``warmup``
    seconds have passed. With ``samples`` (a path), a line of running totals is appended every
    ``sample_every`` seconds (the soak plots them)."""
    import random
    import re
    from collections import Counter
    from urllib.parse import urlencode

    import gevent
    from locust import FastHttpUser, between, constant, events, task
    from locust.env import Environment

    csrf_re = re.compile(r'name="csrf_token" value="([^"]+)"')
    emails = iter(config["emails"])
    think = config["think"]
    signed_in, refused = [0], [0]
    statuses: Counter = Counter()
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def pause() -> None:
        if think:
            gevent.sleep(random.uniform(0.5 * think, 1.5 * think))

    class Expert(FastHttpUser):
        host = config["base"]
        wait_time = between(0.5 * think, 1.5 * think) if think else constant(0)
        network_timeout = 120.0
        connection_timeout = 30.0

        def on_start(self) -> None:
            self.email = next(emails)
            self.done = False
            page = self.client.get("/login", name="sign-in")
            token = csrf_re.search(page.text or "")
            body = urlencode({"email": self.email, "password": PASSWORD, "csrf_token": token[1] if token else ""})
            with self.client.post(
                "/login", data=body, headers=form, allow_redirects=False, name="sign-in", catch_response=True
            ) as response:
                if response.status_code != 303:
                    response.failure(f"sign-in {response.status_code}")
                    self.done = True
                    refused[0] += 1
                    return
            home = self.client.get("/", name="sign-in")
            self.csrf = csrf_re.search(home.text or "")[1]
            signed_in[0] += 1

        def post(self, path: str, fields: dict, name: str, expect: tuple[int, ...]):
            body = urlencode({**fields, "csrf_token": self.csrf})
            with self.client.post(
                path, data=body, headers=form, allow_redirects=False, name=name, catch_response=True
            ) as response:
                if response.status_code not in expect:
                    response.failure(f"{name} {response.status_code}: {(response.text or '')[:200]}")
                return response

        @task
        def judge(self) -> None:
            if self.done:
                gevent.sleep(1)
                return
            claimed = self.post("/p/bench/next", {}, "claim", (200, 303))
            if claimed.status_code != 303:  # 200: nothing left for this expert
                self.done = claimed.status_code == 200
                return
            task_path = claimed.headers["Location"]
            task_path = "/" + task_path.split("/", 3)[3] if task_path.startswith("http") else task_path
            pause()
            with self.client.get(task_path, name="task page", catch_response=True) as page:
                if page.status_code != 200 or 'name="preferred"' not in (page.text or ""):
                    page.failure(f"task page {page.status_code}")
                    return
            pause()
            self.post(f"{task_path}/judgment", {"preferred": "r1", "active_seconds": "3"}, "submit", (200, 303))

    @events.request.add_listener
    def _count(response=None, exception=None, **_kw) -> None:
        code = getattr(response, "status_code", 0) if exception is None else 0
        statuses[f"{code // 100}xx" if code else "connection error"] += 1

    env = Environment(user_classes=[Expert], events=events)
    runner = env.create_local_runner()
    users = config["users"]
    runner.start(users, spawn_rate=config.get("spawn_rate", 20))
    deadline = time.monotonic() + 300
    while signed_in[0] + refused[0] < users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    for error in env.stats.errors.values():
        print(f"before the clock started: {error.name}: {error.error} x{error.occurrences}", file=sys.stderr)
    gevent.sleep(config["warmup"])
    env.stats.reset_all()
    statuses.clear()
    load_before = os.getloadavg()
    started = time.monotonic()
    samples = config.get("samples")
    next_sample = started
    while (elapsed := time.monotonic() - started) < config["seconds"]:
        if samples and time.monotonic() >= next_sample:
            total = env.stats.total
            with open(samples, "a") as f:
                f.write(
                    json.dumps(
                        {
                            "t": round(elapsed, 1),
                            "wall": time.time(),
                            "requests": total.num_requests,
                            "failures": total.num_failures,
                            "5xx": statuses["5xx"],
                            "p95_recent_ms": total.get_current_response_time_percentile(0.95) or 0,
                            "load": os.getloadavg()[0],
                        }
                    )
                    + "\n"
                )
            next_sample += config.get("sample_every", 10)
        gevent.sleep(0.2)
    seconds = time.monotonic() - started
    load_after = os.getloadavg()
    runner.quit()

    def figures(entry) -> dict:
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.num_requests / seconds,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99),
            "max": entry.max_response_time,
        }

    steps = {}
    for name in STEPS:
        method = "GET" if name == "task page" else "POST"
        steps[name] = figures(env.stats.get(name, method))
    errors = [f"{e.name}: {e.error} x{e.occurrences}" for e in env.stats.errors.values()]
    return {
        "users": users,
        "signed_in": signed_in[0],
        "seconds": seconds,
        "steps": steps,
        "total": figures(env.stats.total),
        "statuses": dict(statuses),
        "errors": errors[:10],
        "load_before": load_before,
        "load_after": load_after,
    }


# -- the parent: seeds, serves, runs the driver, reports -------------------------------------


def run_driver(config: dict) -> dict:
    """Run ``drive(config)`` in a child process (so gevent's patching stays out of this one)."""
    out = subprocess.run(
        [sys.executable, __file__, "--drive"], input=json.dumps(config), capture_output=True, text=True, timeout=3600
    )
    if out.returncode != 0:
        raise SystemExit("the load driver failed:\n" + out.stderr[-4000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["driver_log"] = out.stderr[-3000:]
    return result


def items_needed(users: int, seconds: float, warmup: float, think: float) -> int:
    """Enough items that no expert runs out: one judgment per ~3 pauses, with a wide margin."""
    per_expert = (seconds + warmup + 30) / max(3 * 0.5 * think, 0.05)
    return math.ceil(users * per_expert * 1.2) + 100


def point(name: str, url: str, users: int, args, log: Path, samples: Path | None = None, watch=None) -> dict:
    """Seed a fresh database for ``users`` experts, start gunicorn on it, drive it, stop it.
    ``watch(server, stop)``, if given, runs in a thread while the experts work (the soak's sampler)."""
    import threading

    from bench_assign import seed, start_gunicorn

    seed(url, users, items_needed(users, args.seconds, args.warmup, args.think), 1, password=PASSWORD)
    # Production settings, but plain http on 127.0.0.1 (in production a TLS proxy is in front):
    # a Secure cookie would never be sent back.
    server_env = {"ANNOTATE_SESSION_COOKIE_SECURE": "false", **dict(item.split("=", 1) for item in args.server_env)}
    server, base = start_gunicorn(url, args.workers, args.threads, log, env=server_env)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(server, stop), daemon=True) if watch else None
    if watcher:
        watcher.start()
    try:
        result = run_driver(
            {
                "base": base,
                "users": users,
                "emails": [f"expert{i}@bench.example" for i in range(users)],
                "think": args.think,
                "seconds": args.seconds,
                "warmup": args.warmup,
                "samples": str(samples) if samples else None,
                "sample_every": getattr(args, "sample_every", 10),
            }
        )
        result["worker_pids"] = server.worker_pids()
    finally:
        stop.set()
        if watcher:
            watcher.join(timeout=60)
        server.stop()
    text = log.read_text(errors="replace")
    result["database_is_locked"] = text.count("database is locked")
    result["tracebacks"] = text.count("Traceback")
    result["database"] = name
    return result


def report(result: dict, args) -> None:
    total = result["total"]
    five = result["statuses"].get("5xx", 0)
    print(
        f"{result['database']}, {result['users']} experts (gunicorn {args.workers}x{args.threads},"
        f" think {args.think:g} s, {result['seconds']:.0f} s): {total['requests']} requests, {total['rps']:.1f}/s,"
        f" errors {total['failures']},"
        f" 5xx {five}, 'database is locked' {result['database_is_locked']}; load average"
        f" {result['load_before'][0]:.2f} -> {result['load_after'][0]:.2f}"
    )
    for name, f in [*result["steps"].items(), ("all", total)]:
        print(
            f"  {name:10} {f['requests']:6} req  p50 {f['p50']:5.0f} ms  p95 {f['p95']:5.0f} ms"
            f"  p99 {f['p99']:5.0f} ms  max {f['max']:6.0f} ms"
        )
    for error in result["errors"]:
        print(f"  error: {error}")
    if result["signed_in"] < result["users"]:
        print(f"  only {result['signed_in']} of {result['users']} experts signed in:\n{result['driver_log']}")


def main() -> None:
    if "--drive" in sys.argv:
        print(json.dumps(drive(json.loads(sys.stdin.read()))))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experts", default="10,50,200", help="comma-separated numbers of simulated experts")
    parser.add_argument("--seconds", type=float, default=45, help="timed seconds per point")
    parser.add_argument("--warmup", type=float, default=5, help="untimed seconds after every expert signed in")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause (s) before each request")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--json", type=Path, help="also write every point's figures here")
    args = parser.parse_args()
    counts = [int(n) for n in args.experts.split(",")]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_sqlite:
            for n in counts:
                url = f"sqlite:///{tmp}/load-{n}.db"
                results.append(point("SQLite", url, n, args, Path(tmp) / f"sqlite-{n}.log"))
                report(results[-1], args)
        if not args.skip_pg:
            from helpers import scratch_database, unreachable

            base = os.environ.get("ANNOTATE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
            why = unreachable(base)
            if why:
                print(f"PostgreSQL skipped: {why}")
            else:
                for n in counts:
                    with scratch_database("bench_load", base) as url:
                        results.append(point("PostgreSQL", url, n, args, Path(tmp) / f"pg-{n}.log"))
                    report(results[-1], args)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
