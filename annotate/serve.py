"""Run gunicorn in-process with the app factory (``annotate serve``)."""

from __future__ import annotations

import gc

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return worker_app()


def worker_app():
    """The app as a gunicorn worker serves it (``annotate serve`` and ``wsgi.py``).

    What start-up made lives as long as the worker: it is kept out of the garbage
    collector's full collections, which otherwise walk all of it in the middle of a
    request now and then (the longest claims and submits in bench/bench_assign.py:
    80-100 ms, 35-60 ms frozen)."""
    from annotate import create_app

    app = create_app()
    gc.freeze()
    return app


def _child_exit(_server, worker) -> None:
    # Metrics in multiprocess mode (PROMETHEUS_MULTIPROC_DIR): a dead worker's live values go.
    from annotate.ops.metrics import mark_worker_dead

    mark_worker_dead(worker.pid)


def serve(host: str, port: int, workers: int, *, with_worker: bool = False) -> None:
    """Serve until interrupted. Each worker builds its own app (no shared state but the database).
    ``with_worker``: a task-queue worker runs beside gunicorn, started and stopped with it."""
    from annotate.jobs import worker

    job_worker = worker.spawn() if with_worker else None
    try:
        _serve(host, port, workers)
    finally:
        if job_worker is not None:
            worker.stop(job_worker)


def _serve(host: str, port: int, workers: int) -> None:
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 60,
            # No gunicorn access log: the app logs every request as JSON (annotate.ops), with the
            # route instead of the URL, whose path can hold a set-password link's token.
            "accesslog": None,
            "forwarded_allow_ips": "127.0.0.1",
            "child_exit": _child_exit,
        }
    ).run()
