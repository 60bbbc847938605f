"""Soak: SQLite, gunicorn with 4 workers, 50 simulated experts (bench_load's claim → task page →
submit loop, think 1 s) for ``--minutes`` (10 by default). Passes when there was no 5xx, no
error and no "database is locked", and when the WAL file and the workers' memory stay bounded
(the last third of the run grows by no more than ``--growth`` over the middle third).

Every ``--every`` seconds it samples the WAL's size, each worker's resident memory (VmRSS from
/proc), the load average, and the driver's running totals (requests, failures, 5xx, p95 of the
last 10 s). It writes bench/out/soak.svg (a hand-drawn plot, no plotting library) and
bench/out/soak.json, and prints a markdown table of one row a minute for bench/RESULTS.md.

Usage: .venv/bin/python bench/soak.py [--minutes 10] [--experts 50] [--workers 4] [--threads 4] [--every 10]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from bench_load import point  # noqa: E402  (after the path set-up)

OUT = REPO / "bench" / "out"


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def sampler(database: Path, every: float, into: list[dict]):
    """A ``watch`` for bench_load.point: appends a sample every ``every`` seconds until told to stop."""

    def watch(server, stop) -> None:
        wal = Path(f"{database}-wal")
        while not stop.wait(every):
            workers = server.worker_pids()
            into.append(
                {
                    "wall": time.time(),
                    "wal_mb": (wal.stat().st_size if wal.exists() else 0) / 2**20,
                    "db_mb": (database.stat().st_size if database.exists() else 0) / 2**20,
                    "rss_mb": {str(pid): round(rss_mb(pid), 1) for pid in workers},
                    "load": os.getloadavg()[0],
                }
            )

    return watch


def merge(machine: list[dict], driver: list[dict]) -> list[dict]:
    """Join each driver sample with the machine sample nearest in time; t in minutes from the clock's start."""
    rows = []
    for d in driver:
        m = min(machine, key=lambda m: abs(m["wall"] - d["wall"])) if machine else {}
        rss = list(m.get("rss_mb", {}).values()) or [0.0]
        rows.append(
            {
                "minute": d["t"] / 60,
                "requests": d["requests"],
                "failures": d["failures"],
                "5xx": d["5xx"],
                "p95_ms": d["p95_recent_ms"],
                "wal_mb": round(m.get("wal_mb", 0.0), 2),
                "rss_max_mb": max(rss),
                "rss_sum_mb": round(sum(rss), 1),
                "load": round(d["load"], 2),
            }
        )
    return rows


def svg(rows: list[dict], title: str) -> str:
    """Four small line charts (WAL MB, largest worker's RSS MB, p95 ms, 5xx so far) over minutes, as SVG."""
    series = [
        ("WAL size (MB)", "wal_mb", "#1f77b4"),
        ("largest worker RSS (MB)", "rss_max_mb", "#d62728"),
        ("p95 of the last 10 s (ms)", "p95_ms", "#2ca02c"),
        ("5xx so far", "5xx", "#9467bd"),
    ]
    width, height, pad, gap = 720, 150, 48, 30
    total = len(series) * (height + gap) + 50
    end = max((r["minute"] for r in rows), default=1) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" font-family="sans-serif">',
        f'<text x="{pad}" y="20" font-size="14">{title}</text>',
    ]
    for i, (label, key, colour) in enumerate(series):
        top = 50 + i * (height + gap)
        values = [float(r[key]) for r in rows]
        high = max([*values, 1.0]) * 1.1
        parts.append(f'<text x="{pad}" y="{top - 6}">{label}: max {max([*values, 0]):.1f}</text>')
        parts.append(
            f'<rect x="{pad}" y="{top}" width="{width - 2 * pad}" height="{height}" fill="none" stroke="#ccc"/>'
        )
        parts.append(f'<text x="4" y="{top + 10}">{high:.0f}</text><text x="4" y="{top + height}">0</text>')
        points = " ".join(
            f"{pad + (r['minute'] / end) * (width - 2 * pad):.1f},{top + height - (v / high) * height:.1f}"
            for r, v in zip(rows, values, strict=True)
        )
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>')
    parts.append(f'<text x="{pad}" y="{total - 6}">minutes: 0 to {end:.1f} (one point every sample)</text></svg>')
    return "\n".join(parts)


def bounded(rows: list[dict], key: str, growth: float) -> tuple[bool, str]:
    """The mean of the last third is at most (1 + growth) x the mean of the middle third."""
    third = max(len(rows) // 3, 1)
    middle = [r[key] for r in rows[third : 2 * third]] or [0]
    last = [r[key] for r in rows[2 * third :]] or [0]
    a, b = sum(middle) / len(middle), sum(last) / len(last)
    return b <= a * (1 + growth) + 1.0, f"{key}: middle third {a:.1f}, last third {b:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--experts", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--every", type=float, default=10, help="seconds between samples")
    parser.add_argument("--growth", type=float, default=0.25, help="allowed growth, last third over middle third")
    parser.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    args.seconds, args.warmup, args.sample_every = args.minutes * 60, 5, args.every
    OUT.mkdir(parents=True, exist_ok=True)
    machine: list[dict] = []
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "soak.db"
        samples = Path(tmp) / "driver.jsonl"
        result = point(
            "SQLite",
            f"sqlite:///{database}",
            args.experts,
            args,
            Path(tmp) / "gunicorn.log",
            samples=samples,
            watch=sampler(database, args.every, machine),
        )
        driver = [json.loads(line) for line in samples.read_text().splitlines()] if samples.exists() else []
    rows = merge(machine, driver)
    title = (
        f"soak: SQLite, gunicorn {args.workers}x{args.threads}, {args.experts} experts, {args.minutes:g} min "
        f"(load average {result['load_before'][0]:.1f} to {result['load_after'][0]:.1f} on {os.cpu_count()} CPUs)"
    )
    (OUT / "soak.svg").write_text(svg(rows, title))
    (OUT / "soak.json").write_text(json.dumps({"result": result, "samples": rows, "machine": machine}, indent=1))

    total = result["total"]
    five = result["statuses"].get("5xx", 0)
    checks = [
        (five == 0, f"5xx: {five}"),
        (total["failures"] == 0, f"errors: {total['failures']} {result['errors'][:3]}"),
        (result["database_is_locked"] == 0, f"'database is locked' in the log: {result['database_is_locked']}"),
        (result["signed_in"] == args.experts, f"signed in: {result['signed_in']} of {args.experts}"),
        bounded(rows, "wal_mb", args.growth),
        bounded(rows, "rss_max_mb", args.growth),
    ]
    print(title)
    print(
        f"{total['requests']} requests in {result['seconds']:.0f} s ({total['rps']:.1f}/s); "
        f"p50 {total['p50']:.0f} ms, p95 {total['p95']:.0f} ms, p99 {total['p99']:.0f} ms, max {total['max']:.0f} ms"
    )
    for ok, text in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    print("\n| minute | requests | 5xx | errors | p95 (ms, last 10 s) | WAL (MB) | largest worker (MB) | load |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    last_minute = -1
    for r in rows:
        if int(r["minute"]) != last_minute or r is rows[-1]:
            last_minute = int(r["minute"])
            print(
                f"| {r['minute']:.1f} | {r['requests']} | {r['5xx']} | {r['failures']} | {r['p95_ms']:.0f} "
                f"| {r['wal_mb']:.1f} | {r['rss_max_mb']:.0f} | {r['load']:.1f} |"
            )
    print(f"\nplot: {OUT / 'soak.svg'}")
    sys.exit(0 if all(ok for ok, _ in checks) else 1)


if __name__ == "__main__":
    main()
