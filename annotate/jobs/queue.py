"""The task queue: Huey, with its store chosen by ``ANNOTATE_QUEUE_URL``.

Why Huey (README, "Running in production"): one small, well-kept library that has both
ends annotate needs. Its embedded stores need no server (``SqliteHuey``: a file in the
instance folder, for ``make run``; ``PostgresHuey``: tables in the app's own PostgreSQL
database, with LISTEN/NOTIFY), and ``RedisHuey`` serves workers on many hosts. It has
retries with a delay and backoff, periodic tasks run by the worker itself (no second
scheduler process), thread workers, and an immediate mode for tests. RQ and Dramatiq need
Redis (or RabbitMQ) even on one machine; procrastinate needs PostgreSQL; Celery needs a
broker and a separate beat process, and its SQL transport is experimental.

Huey takes a task off the queue before it runs it (no acknowledgement): a worker killed
mid-task loses the task. annotate closes that gap with its own ``jobs`` rows
(``annotate.jobs.runner``: claimed, heart-beaten, finished) and a periodic sweep
(``annotate.jobs.sweep``) that runs interrupted work again or fails it with the reason.

One Huey per app (tests make many apps in one process), built on first use: creating the
app does no I/O. Each job kind is registered as a Huey task named ``annotate.<kind>``
whose only argument is the job's id; the worker runs it inside an app context.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

EXTENSION = "annotate.queue"
# Huey's tables in a PostgreSQL store (annotate.schema leaves them out of autogenerate).
PG_TABLE_PREFIX = "annotate_queue"


class QueueConfigError(ValueError):
    """ANNOTATE_QUEUE_URL names no store annotate knows."""


def describe(app: Flask) -> str:
    """Where the queue lives, for the worker's first log line (never a password)."""
    kind, where = _store(app)
    if kind == "redis":
        parts = urlsplit(where)
        return f"redis {parts.hostname}:{parts.port or 6379}{parts.path}"
    if kind == "postgresql":
        return f"postgresql {make_url(where).set(password=None).render_as_string(hide_password=True)}"
    return f"{kind} {where}"


def _store(app: Flask) -> tuple[str, str]:
    """(kind, location) of the queue's store: redis, postgresql, sqlite or memory."""
    url = app.config.get("QUEUE_URL")
    if not url:
        database = str(app.config["DATABASE_URL"])
        if database.startswith("postgresql"):
            return "postgresql", database
        # Beside the app's SQLite database, in the instance folder: zero set-up for `make run`.
        return "sqlite", str(Path(app.instance_path) / "queue.db")
    url = str(url)
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss", "unix"):
        return "redis", url
    if scheme.startswith("postgresql"):
        return "postgresql", url
    if scheme == "sqlite":
        return "sqlite", url.split(":///", 1)[1] if ":///" in url else str(Path(app.instance_path) / "queue.db")
    if scheme == "memory":
        return "memory", "in this process"
    raise QueueConfigError(
        f"ANNOTATE_QUEUE_URL: {scheme or url!r} is not a queue store annotate knows; "
        "use redis://host:6379/0, postgresql://…, sqlite:///path/queue.db, or leave it unset"
    )


def _libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq takes it (no ``+psycopg``; a schema in ``options`` kept)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _build(app: Flask) -> Huey:
    name = str(app.config.get("QUEUE_NAME") or "annotate")
    kind, where = _store(app)
    options: dict[str, Any] = {"results": False, "utc": True}
    if app.config.get("QUEUE_IMMEDIATE"):
        # Tests that are not about the queue: a job runs in the request that enqueues it.
        return MemoryHuey(name, immediate=True, **options)
    if kind == "redis":
        return RedisHuey(name, url=where, **options)
    if kind == "postgresql":
        return PostgresHuey(name, dsn=_libpq_url(where), table_prefix=PG_TABLE_PREFIX, connect_timeout=5, **options)
    if kind == "memory":
        return MemoryHuey(name, **options)
    Path(where).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=where, **options)


def huey(app: Flask | None = None) -> Huey:
    """The app's Huey, with every job kind and periodic task registered (built on first use)."""
    return _queue(app)[0]


def _queue(app: Flask | None) -> tuple[Huey, dict[str, Any]]:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    built = app.extensions.get(EXTENSION)
    if built is None:
        queue = _build(app)
        built = app.extensions[EXTENSION] = (queue, _register(app, queue))
    return built


def _register(app: Flask, queue: Huey) -> dict[str, Any]:
    """Register a Huey task per job kind (``annotate.<kind>``) and the periodic sweep; return the tasks by kind."""
    from annotate.jobs import registry, runner, sweep

    registry.load_kinds()
    tasks = {}
    for kind in registry.KINDS.values():

        def run(job_id: int, task: Any = None, _kind: str = kind.name) -> None:
            runner.run(app, _kind, job_id, task)

        tasks[kind.name] = queue.task(
            name=f"annotate.{kind.name}",
            retries=kind.max_attempts - 1,
            retry_delay=kind.retry_delay,
            retry_backoff=kind.retry_backoff,
            context=True,
        )(run)

    def periodic_sweep() -> None:
        sweep.run_periodic(app)

    # Every minute: interrupted jobs, lost enqueues, expired leases, rows of failed imports.
    queue.periodic_task(crontab(minute="*"), name="annotate.sweep")(periodic_sweep)
    return tasks


def enqueue(job_id: int, kind: str, delay: timedelta | None = None, app: Flask | None = None) -> None:
    """Hand job ``job_id`` (already committed) to the queue, to run now or after ``delay``.
    Durable once this returns: the store (SQLite file, PostgreSQL table, Redis) keeps it if
    this process dies."""
    queue, tasks = _queue(app)
    if delay and not queue.immediate:
        tasks[kind].schedule(args=(job_id,), delay=delay.total_seconds())
    else:
        tasks[kind](job_id)


def depth(app: Flask | None = None) -> tuple[int, int]:
    """(tasks waiting, tasks scheduled for later) in the queue's store."""
    queue = huey(app)
    return queue.pending_count(), queue.scheduled_count()
