"""The task queue for real: the app enqueues into a real store, and a real ``annotate worker``
process (or several, one after another) runs the jobs.

Stores: ``embedded`` (a SQLite file on SQLite, tables in the test schema on PostgreSQL),
and ``redis`` when ANNOTATE_TEST_REDIS_URL is set (each test gets a queue name of its
own, so parallel runs on one Redis never see each other's tasks).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("ANNOTATE_TEST_REDIS_URL")


@pytest.fixture(params=["embedded", "redis"])
def queue_store(request, app, tmp_path):
    """Configure ``app`` to enqueue into a real store; returns the settings a worker needs too."""
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("ANNOTATE_TEST_REDIS_URL is not set (.ci/run sets it)")
    settings = {
        "ANNOTATE_QUEUE_NAME": f"test-{os.getpid()}-{secrets.token_hex(4)}",
        "ANNOTATE_INSTANCE_PATH": app.instance_path,
    }
    if request.param == "redis":
        settings["ANNOTATE_QUEUE_URL"] = REDIS_URL
    elif not app.config["DATABASE_URL"].startswith("postgresql"):
        settings["ANNOTATE_QUEUE_URL"] = f"sqlite:///{tmp_path / 'queue.db'}"
    app.config["QUEUE_IMMEDIATE"] = False
    app.config["QUEUE_NAME"] = settings["ANNOTATE_QUEUE_NAME"]
    app.config["QUEUE_URL"] = settings.get("ANNOTATE_QUEUE_URL")
    yield settings
    from annotate.jobs.queue import huey

    queue = huey(app)
    queue.flush()  # the queue's tasks, schedule and keys of this test only (its own name)
    queue.storage.close() if hasattr(queue.storage, "close") else None


class Worker:
    """``annotate worker`` in a process of its own, its output in a log file."""

    def __init__(self, database_url: str, settings: dict, log: Path):
        self.log = log
        self.env = {
            **os.environ,
            "ANNOTATE_DATABASE_URL": database_url,
            "ANNOTATE_ENV": "testing",
            "ANNOTATE_SECRET_KEY": "x" * 40,
            **settings,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "annotate", "worker", "--threads", "2"],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no chance to finish or record anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def workers(database_url, queue_store, tmp_path):
    """Start workers with ``workers()``; every one is stopped at the end of the test."""
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(database_url, queue_store, tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(check, timeout: float = 60, every: float = 0.05, what: str = "the condition"):
    """Poll ``check()`` until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)
