"""Readiness checks: can this process reach what it needs to serve requests?

Each check returns None when all is well, or a short reason for the ``/readyz`` body.
The reason names the failure's type and first line, never a URL (which may hold a password).
"""

from __future__ import annotations

import socket
import ssl
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import Engine, text

QUEUE_TIMEOUT_SECONDS = 2.0


def _reason(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"[:300]


def database_problem(engine: Engine) -> str | None:
    """Why a trivial query on the app's database fails, or None."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return _reason(exc)
    return None


def queue_problem(app: Flask) -> str | None:
    """Why the task queue's store cannot be reached, or None: a Redis must answer a PING (below);
    a SQLite or PostgreSQL store must answer how many tasks wait. None when jobs run where they
    are enqueued (``ANNOTATE_QUEUE_IMMEDIATE``)."""
    if app.config.get("QUEUE_IMMEDIATE"):
        return None
    url = app.config.get("QUEUE_URL")
    if url and urlsplit(str(url)).scheme in ("redis", "rediss"):
        return redis_problem(str(url))
    from annotate.jobs.queue import huey

    try:
        huey(app).pending_count()
    except Exception as exc:
        return _reason(exc)
    return None


def redis_problem(url: str | None) -> str | None:
    """Why the queue's Redis at ``url`` does not answer a PING, or None.

    Any Redis reply counts, an authentication error included: the server is up and reachable,
    which is what readiness asks; the worker reports wrong credentials itself."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout=QUEUE_TIMEOUT_SECONDS
        ) as raw:
            conn = (
                ssl.create_default_context().wrap_socket(raw, server_hostname=parts.hostname)
                if parts.scheme == "rediss"
                else raw
            )
            conn.sendall(b"PING\r\n")
            reply = conn.recv(64)
    except OSError as exc:
        return _reason(exc)
    if reply[:1] not in (b"+", b"-"):
        return f"unexpected reply from the queue server: {reply[:20]!r}"
    return None
