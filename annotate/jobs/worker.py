"""``annotate worker``: run the task queue's worker (Huey's consumer) in this process, and the
worker ``annotate serve`` starts beside gunicorn (and stops with it)."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

log = logging.getLogger(__name__)

# The poll interval's ceiling for stores that are polled (SQLite): a queued job starts within it.
MAX_POLL_SECONDS = 1.0
# How long a stopping worker may take to finish the jobs it runs before it is interrupted.
STOP_GRACE_SECONDS = 30


@click.command("worker")
@with_appcontext
@click.option("--threads", type=int, default=None, help="Jobs run at once (default: ANNOTATE_QUEUE_THREADS, 2).")
def worker_cmd(threads: int | None) -> None:
    """Run background jobs (imports, exports, mail, webhooks, sweeps) until interrupted.

    Ctrl+C (SIGINT) lets running jobs finish; SIGTERM interrupts them (they are run again
    by the next sweep). Start as many workers, on as many hosts, as you like: they share
    the queue named by ANNOTATE_QUEUE_URL."""
    from annotate.jobs import sweep
    from annotate.jobs.queue import describe, huey

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    queue = huey(app)
    if queue.immediate:
        raise click.ClickException("ANNOTATE_QUEUE_IMMEDIATE is on: jobs run where they are enqueued; no worker needed")
    threads = threads or int(app.config["QUEUE_THREADS"])
    click.echo(f"annotate worker: {threads} threads on the queue {describe(app)} (Ctrl+C to stop)", err=True)
    log.info("worker started", extra={"queue": describe(app), "threads": threads})
    # What a worker that died left behind is recovered now, not a minute from now.
    sweep.run_periodic(app)
    consumer = queue.create_consumer(
        workers=threads, worker_type="thread", periodic=True, max_delay=MAX_POLL_SECONDS, check_worker_health=True
    )
    consumer.run()


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM if the parent dies (Linux), so a killed
    ``annotate serve`` leaves no orphan worker."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn() -> subprocess.Popen:
    """Start ``annotate worker`` as a child process (``annotate serve`` does, beside gunicorn)."""
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    return subprocess.Popen([sys.executable, "-m", "annotate", "worker"], preexec_fn=preexec)


def stop(process: subprocess.Popen) -> None:
    """Stop a worker started by ``spawn``: running jobs may finish, then it is interrupted."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
