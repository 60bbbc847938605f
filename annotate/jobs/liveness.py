"""Is the process that recorded itself on a row ("host:pid") still alive?"""

from __future__ import annotations

import os
import socket

HOST = socket.gethostname()


def worker_id() -> str:
    """This process, as recorded on the batches and jobs it runs."""
    return f"{HOST}:{os.getpid()}"


def worker_gone(worker: str | None) -> bool:
    """True when ``worker`` ran on this host and its process no longer exists (another host's
    processes cannot be seen from here: their heartbeats tell)."""
    host, _, pid = (worker or "").rpartition(":")
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
