"""Ingest benchmark: rows/s end to end, the ratio to a bare parse + executemany (SQLite) and to
a bare parse + COPY (PostgreSQL), the search index written after the import, how long an
expert's claim waits while an import writes its chunks, a project that already has 500k
items, and peak RSS for 1M rows.

Usage: .venv/bin/python bench/bench_ingest.py [--rows 100000] [--skip-pg] [--skip-big]
PostgreSQL: ANNOTATE_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test;
a scratch schema is created and dropped).
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def write_rows(path: Path, n: int, size: int = 2000, prefix: str = "row") -> None:
    """``n`` canonical pairwise rows of about ``size`` bytes each."""
    filler = "lorem ipsum dolor sit amet " * (size // 27 // 3 + 1)
    part = filler[: max(size // 3 - 60, 10)]
    with path.open("wb") as f:
        for i in range(n):
            row = {
                "id": f"{prefix}-{i}",
                "prompt": [{"role": "user", "content": f"Question {i}: {part}"}],
                "responses": [
                    {"id": "r1", "content": f"A{i} {part}", "model": "m-a"},
                    {"id": "r2", "content": f"B{i} {part}", "model": "m-b"},
                ],
                "metadata": {"n": i},
            }
            f.write(orjson.dumps(row) + b"\n")


def bare(path: Path, db: Path) -> float:
    """Parse the file and executemany the same columns into a bare SQLite table."""
    started = time.perf_counter()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, external_id TEXT, prompt TEXT, responses TEXT, metadata TEXT)"
    )
    conn.execute("BEGIN")
    chunk = []
    with path.open("rb") as f:
        for line in f:
            row = orjson.loads(line)
            chunk.append(
                (row["id"], orjson.dumps(row["prompt"]), orjson.dumps(row["responses"]), orjson.dumps(row["metadata"]))
            )
            if len(chunk) >= 2000:
                conn.executemany(
                    "INSERT INTO items (external_id, prompt, responses, metadata) VALUES (?, ?, ?, ?)", chunk
                )
                chunk.clear()
    conn.executemany("INSERT INTO items (external_id, prompt, responses, metadata) VALUES (?, ?, ?, ?)", chunk)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started


class Target:
    """A migrated database with one pairwise project, in an app context."""

    def __init__(self, url: str):
        from annotate import create_app, db
        from annotate.db import make_engine
        from annotate.schema import upgrade

        self.url = url
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        self.app = create_app({"ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32)})
        self.ctx = self.app.app_context()
        self.ctx.push()
        from annotate.projects.services import create_project

        self.session = db.session()
        self.process_bytes = self.app.config["IMPORT_PROCESS_BYTES"]
        self.project = create_project(
            self.session, "bench", template_name="pairwise", templates_dir=Path(self.app.config["TEMPLATES_DIR"])
        )
        self.session.commit()

    def run(self, path: Path, index: bool = True, one_process: bool = False) -> tuple[float, object]:
        """Import ``path``; the seconds until its items are visible (``index=False``) or also
        searchable. ``one_process``: no converter process, whatever the file's size."""
        from annotate.ingest import import_file

        self.app.config["IMPORT_PROCESS_BYTES"] = 0 if one_process else self.process_bytes
        started = time.perf_counter()
        summary = import_file(self.session, self.project, path, index=index)
        return time.perf_counter() - started, summary

    def index(self, batch_id: int) -> float:
        """Seconds to write a completed batch's search text (SQLite's FTS5 index)."""
        from annotate.browse.index import index_batch

        started = time.perf_counter()
        index_batch(self.session, batch_id)
        return time.perf_counter() - started

    def close(self) -> None:
        from annotate import db

        db.engine().dispose()
        self.ctx.pop()


def bare_copy(path: Path, url: str, like_items: bool = False, into: tuple[int, int] | None = None) -> float:
    """PostgreSQL: parse the file and COPY the same columns into a bare table (a primary key only),
    or (``like_items``) into a table made ``LIKE items INCLUDING ALL`` (its indexes, no foreign keys),
    or (``into``: a project and batch id) into ``items`` itself, in one transaction (its rows are
    deleted after)."""
    import psycopg

    from annotate.jobs.queue import _libpq_url

    started = time.perf_counter()
    table = "items" if into else "bare_items"
    with psycopg.connect(_libpq_url(url)) as conn:
        conn.execute("DROP TABLE IF EXISTS bare_items")
        if into:
            columns = "project_id, batch_id, external_id, content_hash, prompt, responses, metadata, priority,"
            columns += " assigned_count, judged_count, created_at"
        elif like_items:
            conn.execute("CREATE TABLE bare_items (LIKE items INCLUDING ALL)")
            columns = "project_id, batch_id, external_id, content_hash, prompt, responses, metadata, priority,"
            columns += " assigned_count, judged_count, created_at"
        else:
            conn.execute(
                "CREATE TABLE bare_items (id bigserial PRIMARY KEY, external_id text, prompt json, responses json,"
                " metadata json)"
            )
            columns = "external_id, prompt, responses, metadata"
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            path.open("rb") as f,
        ):
            for line in f:
                row = orjson.loads(line)
                values: tuple = (
                    row["id"],
                    orjson.dumps(row["prompt"]).decode(),
                    orjson.dumps(row["responses"]).decode(),
                    orjson.dumps(row["metadata"]).decode(),
                )
                if like_items or into:
                    project_id, batch_id = into or (1, 1)
                    values = (project_id, batch_id, values[0], "0" * 64, *values[1:], 0, 0, 0, "2026-01-01T00:00Z")
                copy.write_row(values)
        conn.commit()
        seconds = time.perf_counter() - started
        if into:
            conn.execute("DELETE FROM items WHERE batch_id = %s", (into[1],))
        conn.execute("DROP TABLE IF EXISTS bare_items")
        conn.commit()
    return seconds


def claim_waits(target: Target, path: Path) -> tuple[float, float, float, int]:
    """Claims by an expert, back to back on a thread, while ``path`` is imported into the project:
    (longest claim, 99th percentile, longest chunk transaction of the import, claims), in seconds."""
    import threading

    from annotate import db
    from annotate.assign.services import claim_next
    from annotate.auth.services import add_user
    from annotate.ingest import pipeline
    from annotate.models import Assignment, ProjectRole, Role
    from annotate.projects.services import add_member

    session = target.session
    expert = add_user(session, f"bench-{secrets.token_hex(3)}@example.org", role=Role.EXPERT, password="x" * 12)
    add_member(session, target.project, expert, ProjectRole.EXPERT)
    session.commit()
    chunks: list[float] = []
    add = pipeline.ChunkWriter.add

    def timed_add(self, rows, values):
        started = time.perf_counter()
        add(self, rows, values)
        chunks.append(time.perf_counter() - started)

    pipeline.ChunkWriter.add = timed_add  # type: ignore[method-assign]
    waits: list[float] = []
    done = threading.Event()

    def claims() -> None:
        factory = target.app.extensions["annotate.db"][1]
        with target.app.app_context(), factory() as s:
            project, who = s.merge(target.project), s.merge(expert)
            s.commit()  # each claim then starts its own transaction, a writer's from its first statement
            while not done.is_set():
                started = time.perf_counter()
                lease = claim_next(s, project, who, fresh=True)
                if lease is not None:
                    s.delete(s.get(Assignment, lease.id))  # give it back: the next claim takes a slot again
                    s.flush()
                s.commit()
                waits.append(time.perf_counter() - started)
                time.sleep(0.002)

    thread = threading.Thread(target=claims)
    try:
        thread.start()
        target.run(path, index=False)
    finally:
        done.set()
        thread.join()
        pipeline.ChunkWriter.add = add  # type: ignore[method-assign]
        db.session().rollback()
    waits.sort()
    return waits[-1], waits[int(len(waits) * 0.99)], max(chunks), len(waits)


def peak_rss_mb() -> float:
    """This process's peak resident set in MB: VmHWM, which starts afresh at exec (``ru_maxrss``
    keeps the high-water mark of the process that forked it: a bench that had grown to 300 MB
    reported 300 MB for a child that never used it)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_child(path: Path, db: Path) -> None:
    """Run in a subprocess: import ``path`` and print the peak RSS in MB of this process (after
    the import, and after its search index) and of its converter process."""
    target = Target(f"sqlite:///{db}")
    seconds, summary = target.run(path, index=False)
    imported = peak_rss_mb()
    seconds += target.index(summary.batch_id)
    result = {
        "seconds": seconds,
        "rows": summary.rows,
        "import_mb": imported,
        "peak_mb": peak_rss_mb(),
        "converter_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }
    print(orjson.dumps(result).decode())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of the bare floor and the import")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-big", action="store_true", help="skip the 500k-prefill and 1M-row RSS runs")
    parser.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(Path(args.rss_child[0]), Path(args.rss_child[1]))
        return
    n = args.rows
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = tmp_path / "rows.jsonl"
        write_rows(data, n)
        size = data.stat().st_size
        print(f"{n:,} pairwise rows, {size / n:,.0f} bytes each ({size / 1e6:,.0f} MB)")

        # Best of --repeat for each, the two alternating; every phase starts with the writes
        # of the one before flushed to disk (os.sync), so neither pays for the other's.
        bares, imports, alone = [], [], []
        for attempt in range(args.repeat):
            (tmp_path / "bare.db").unlink(missing_ok=True)
            os.sync()
            bares.append(bare(data, tmp_path / "bare.db"))
            for one_process, times in ((True, alone), (False, imports)):
                # A new database each time, as the bare floor gets.
                target = Target(f"sqlite:///{tmp_path / f'annotate-{attempt}-{one_process:d}.db'}")
                os.sync()
                seconds, summary = target.run(data, index=False, one_process=one_process)
                times.append(seconds)
                assert summary.new == n, summary
                if attempt < args.repeat - 1 or one_process:
                    target.close()
                    for leftover in tmp_path.glob(f"annotate-{attempt}-{one_process:d}.db*"):
                        leftover.unlink()
        # ``target`` is now the last import, in a converter process: the index, re-import and claims go on in it.
        bare_s, seconds = min(bares), min(imports)
        print(f"bare parse + executemany (SQLite): {bare_s:.2f} s, {n / bare_s:,.0f} rows/s (best of {args.repeat})")
        print(
            f"annotate import (SQLite):          {seconds:.2f} s, {n / seconds:,.0f} rows/s, {summary.new:,} new;"
            f" ratio to bare {seconds / bare_s:.2f}x (best of {args.repeat};"
            f" attempt by attempt {', '.join(f'{i / b:.2f}x' for i, b in zip(imports, bares, strict=True))})"
        )
        print(
            f"  the same in one process (ANNOTATE_IMPORT_PROCESS_BYTES=0): {min(alone):.2f} s;"
            f" ratio to bare {min(alone) / bare_s:.2f}x"
        )
        indexed = target.index(summary.batch_id)
        print(
            f"  + search index (FTS5) after it:   {indexed:.2f} s; import + index {seconds + indexed:.2f} s,"
            f" ratio to bare {(seconds + indexed) / bare_s:.2f}x"
        )
        seconds, summary = target.run(data)
        print(
            f"re-import, all duplicates (SQLite): {seconds:.2f} s, {n / seconds:,.0f} rows/s,"
            f" {summary.duplicate:,} duplicates"
        )

        if not args.skip_big:
            prefill = tmp_path / "prefill.jsonl"
            write_rows(prefill, 500_000, size=300, prefix="old")
            seconds, summary = target.run(prefill, index=False)
            print(f"prefill 500k small items (SQLite):  {seconds:.2f} s, {500_000 / seconds:,.0f} rows/s")
            prefill.unlink()
            fresh = tmp_path / "fresh.jsonl"
            write_rows(fresh, n, prefix="fresh")
            seconds, summary = target.run(fresh, index=False)
            print(
                f"import into a project of 600k items (SQLite): {seconds:.2f} s,"
                f" {n / seconds:,.0f} rows/s, {summary.new:,} new"
            )
            fresh.unlink()
        claims_data = tmp_path / "claims.jsonl"
        write_rows(claims_data, n, prefix="claims")
        longest, p99, chunk, count = claim_waits(target, claims_data)
        print(
            f"claims during an import (SQLite): {count:,} claims, longest {longest * 1000:.0f} ms,"
            f" p99 {p99 * 1000:.0f} ms; the import's longest chunk transaction {chunk * 1000:.0f} ms"
        )
        target.close()

        if not args.skip_pg:
            from helpers import scratch_database, unreachable

            base = os.environ.get("ANNOTATE_BENCH_DATABASE_URL", PG_DEFAULT)
            problem = unreachable(base)
            if problem:
                print(f"PostgreSQL unavailable ({problem}); skipped")
            else:
                with scratch_database("bench_ingest", base) as url:
                    copy_s = bare_copy(data, url)
                    print(f"bare parse + COPY (PostgreSQL):    {copy_s:.2f} s, {n / copy_s:,.0f} rows/s")
                    target = Target(url)
                    like_s = bare_copy(data, url, like_items=True)
                    print(
                        f"bare parse + COPY into a table LIKE items (its indexes): {like_s:.2f} s,"
                        f" {n / like_s:,.0f} rows/s"
                    )
                    from annotate.ingest.services import ImportOptions, start_batch

                    floor = start_batch(target.session, target.project, "floor", ImportOptions())
                    items_s = bare_copy(data, url, into=(target.project.id, floor.id))
                    target.session.delete(floor)
                    target.session.commit()
                    print(
                        f"bare parse + COPY into items itself (its indexes and foreign keys): {items_s:.2f} s,"
                        f" {n / items_s:,.0f} rows/s"
                    )
                    seconds, summary = target.run(data, index=False)
                    print(
                        f"annotate import (PostgreSQL):      {seconds:.2f} s, {n / seconds:,.0f} rows/s,"
                        f" {summary.new:,} new; ratio to bare COPY {seconds / copy_s:.2f}x,"
                        f" to COPY LIKE items {seconds / like_s:.2f}x, to COPY into items {seconds / items_s:.2f}x"
                    )
                    indexed = target.index(summary.batch_id)
                    print(f"  + search index (item_search) after it: {indexed:.2f} s")
                    claims_data = tmp_path / "claims.jsonl"
                    if claims_data.exists():
                        longest, p99, chunk, count = claim_waits(target, claims_data)
                        print(
                            f"claims during an import (PostgreSQL): {count:,} claims, longest {longest * 1000:.0f} ms,"
                            f" p99 {p99 * 1000:.0f} ms; the import's longest chunk transaction {chunk * 1000:.0f} ms"
                        )
                    target.close()

        if not args.skip_big:
            big = tmp_path / "big.jsonl"
            write_rows(big, 1_000_000, size=500, prefix="big")
            for database in tmp_path.glob("annotate-*.db*"):
                database.unlink()
            out = (
                subprocess.run(
                    [sys.executable, __file__, "--rss-child", str(big), str(tmp_path / "big.db")],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            result = orjson.loads(out)
            print(
                f"1,000,000 rows of ~500 bytes (SQLite): {result['seconds']:.1f} s, "
                f"{result['rows'] / result['seconds']:,.0f} rows/s, peak RSS {result['import_mb']:.0f} MB importing"
                f" (its converter process: {result['converter_mb']:.0f} MB), {result['peak_mb']:.0f} MB once"
                f" the search index is written"
            )


if __name__ == "__main__":
    main()
