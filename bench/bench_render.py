"""Benchmark: server-side render of a task page with two 4 KB Markdown responses.

Goal (issue 4): median under 5 ms in-process. Prints three figures:

* ``request``: a full GET /tasks/<id> through the Flask test client (routing,
  session cookie, database reads, template, fragment decision), Markdown cached;
* ``fragment``: the same as an htmx request (what "next task" costs);
* ``cold markdown``: rendering the two responses with an empty Markdown cache
  (the first expert to open an item pays this once per process).

Run: ``.venv/bin/python bench/bench_render.py [--runs N]``. Uses a throw-away SQLite file.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from annotate import create_app, db  # noqa: E402
from annotate.auth.services import add_user  # noqa: E402
from annotate.db import make_engine  # noqa: E402
from annotate.ingest import import_file  # noqa: E402
from annotate.models import ProjectRole, Role  # noqa: E402
from annotate.projects.services import add_member, create_project  # noqa: E402
from annotate.rendering import markdown  # noqa: E402
from annotate.schema import upgrade  # noqa: E402

PASSWORD = "correct horse battery staple"


def response_markdown(seed: int, size: int = 4096) -> str:
    """About ``size`` characters of realistic model output: headings, lists, code, a table, math."""
    block = (
        f"## Part {seed}\n\nHere is a **careful** answer with `inline code`, a [link](https://example.org/{seed}) "
        "and some math $e^{i\\pi} + 1 = 0$.\n\n"
        "1. First, consider the edge cases.\n2. Then write the function:\n\n"
        "```python\ndef mean(xs: list[float]) -> float:\n    return sum(xs) / len(xs) if xs else 0.0\n```\n\n"
        "| input | output |\n|---|---|\n| [1, 2] | 1.5 |\n| [] | 0.0 |\n\n"
        "> A quoted caveat about numerical stability.\n\n"
    )
    text = ""
    i = 0
    while len(text) < size:
        text += block.replace("Part", f"Part {seed}.{i}")
        i += 1
    return text[:size]


def median_ms(fn, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of ``fn``. CPU time is reported too because
    the machine is shared: under load the wall clock also counts time spent waiting for a core."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "WTF_CSRF_ENABLED": False})
        rows = [
            {
                "id": "bench-1",
                "prompt": [{"role": "user", "content": "Explain how to compute a mean safely in Python."}],
                "responses": [
                    {"id": "r1", "content": response_markdown(1), "model": "a"},
                    {"id": "r2", "content": response_markdown(2), "model": "b"},
                ],
            }
        ]
        source = Path(tmp) / "items.jsonl"
        source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
        with app.app_context():
            session = db.session()
            expert = add_user(session, "bench@example.org", role=Role.EXPERT, password=PASSWORD)
            project = create_project(
                session, "bench", template_name="pairwise", templates_dir=Path(app.config["TEMPLATES_DIR"])
            )
            add_member(session, project, expert, ProjectRole.EXPERT)
            session.commit()
            import_file(session, project, source)
            session.commit()
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
        claimed = client.post("/p/bench/next")
        task_url = claimed.headers["Location"]
        first = client.get(task_url)
        assert first.status_code == 200, first.status_code
        assert "Part 1.0" in first.text

        def full() -> None:
            assert client.get(task_url).status_code == 200

        def fragment() -> None:
            assert client.get(task_url, headers={"HX-Request": "true"}).status_code == 200

        def cold() -> None:
            markdown.cache_clear()
            markdown(rows[0]["responses"][0]["content"])
            markdown(rows[0]["responses"][1]["content"])

        for fn in (full, fragment):
            fn()  # warm up
        results = {
            "request (full page)": median_ms(full, args.runs),
            "request (htmx fragment)": median_ms(fragment, args.runs),
            "cold markdown, 2 x 4 KB": median_ms(cold, max(20, args.runs // 10)),
        }
        size = len(first.data)
    print(f"task page with two 4 KB Markdown responses ({size} bytes of HTML), median of {args.runs} runs:")
    print(f"  {'':<26} {'wall':>9} {'cpu':>9}")
    for name, (wall, cpu) in results.items():
        print(f"  {name:<26} {wall:6.2f} ms {cpu:6.2f} ms")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("goal: < 5 ms (request, Markdown cached per content)")


if __name__ == "__main__":
    main()
