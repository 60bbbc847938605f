"""Run every benchmark in this folder (bench_*.py), one after another; each prints its figures.

Usage: .venv/bin/python bench/run_all.py [name ...]   e.g. `render ingest`
Set ANNOTATE_BENCH_DATABASE_URL to a PostgreSQL URL for the benchmarks that also measure PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(s.stem == f"bench_{n}" or s.stem == n for n in names)]
    failed = 0
    for script in scripts:
        print(f"\n=== {script.name}", flush=True)
        failed += subprocess.call([sys.executable, str(script)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
