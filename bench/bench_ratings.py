"""Ratings export benchmark: ``trl-kto`` (unpaired rows labelled by a threshold) and ``reward``
(pointwise scores) from a ``rating`` project, rows/s against the export floor of
bench_export.py (the same judgment rows selected and written with orjson) in the same run.

Usage: .venv/bin/python bench/bench_ratings.py [--judgments 100000]
SQLite in a temporary folder; the data is inserted with Core executemany (not timed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_export import Judged, Sink, populate, run_baseline, run_export  # noqa: E402

# A rating project (likert-helpfulness): one response per item, each rated once.
RATINGS = Judged(
    template_name="likert-helpfulness",
    instructions="Rate.",
    responses=lambda i, filler: [{"id": "r1", "content": f"A{i} {filler}", "model": "m-a"}],
    display_order=lambda i: ["r1"],
    answers=lambda i: {"rating": 1 + i % 7, "criteria": {"accuracy": 1 + i % 5, "safety": 5}},
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--judgments", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ratings-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        populate(url, args.judgments, RATINGS)
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
