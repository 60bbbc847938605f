"""Prometheus metrics (the standard ``prometheus_client``), exposed at ``/metrics``.

The counters are incremented where the services finish their work (a new lease, a new
judgment, a skip, an import's new rows, an export's rows, a failed background job): one
in-memory add, cheap enough for the latency-tuned claim and submit path. They count work
the service completed; a transaction rolled back after that still counts (rare: the views
commit right after).

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty, writable folder
before the server starts (``annotate serve`` then marks dead workers' files, and a scrape
of any worker reports the sum over all of them); prometheus_client's multiprocess mode
keeps each process's values in that folder. Without it each process counts for itself.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE  # noqa: F401  (re-exported for the view)
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

REQUEST_SECONDS = Histogram(
    "annotate_http_request_duration_seconds",
    "Time from the first to the last request hook (a streamed body's transfer not included), "
    "by Flask endpoint, method and status.",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
CLAIMS = Counter("annotate_claims_total", "Tasks newly leased to experts.")
SUBMITS = Counter("annotate_submits_total", "Judgments newly submitted (an identical re-submission does not count).")
SKIPS = Counter("annotate_skips_total", "Tasks given back with a reason.")
IMPORT_ROWS = Counter("annotate_import_rows_total", "Rows imported as new items.")
EXPORT_ROWS = Counter("annotate_export_rows_total", "Records written by completed exports.")
JOB_FAILURES = Counter(
    "annotate_job_failures_total", "Attempts of background jobs that failed with an internal error, by kind.", ["job"]
)

# Only methods a route can have become a label value: a client cannot grow the label set.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    """Record one request's latency."""
    REQUEST_SECONDS.labels(endpoint or "none", method if method in METHODS else "other", str(status)).observe(seconds)


def exposition(app: Any = None) -> bytes:
    """The text format for a scrape: this process's metrics, or every worker's in multiprocess mode;
    with ``app``, also the task queue's and the jobs' (read from the queue's store and the database,
    so any host reports the same)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(DEFAULT_REGISTRY)
    if app is None:
        return text
    queue = CollectorRegistry(auto_describe=False)
    queue.register(_QueueCollector(app))
    return text + generate_latest(queue)


class _QueueCollector:
    """Queue depth (tasks waiting, tasks scheduled for later) and jobs by kind and state, per scrape."""

    def __init__(self, app: Any):
        self.app = app

    def collect(self):
        from annotate.jobs.queue import depth
        from annotate.jobs.records import job_counts

        waiting = GaugeMetricFamily(
            "annotate_queue_depth",
            "Tasks in the task queue's store: waiting to run, or scheduled for later.",
            labels=["state"],
        )
        if not self.app.config.get("QUEUE_IMMEDIATE"):
            try:
                now, later = depth(self.app)
            except Exception:  # the store is down: /readyz says so; the scrape still answers
                now, later = float("nan"), float("nan")
            waiting.add_metric(["waiting"], now)
            waiting.add_metric(["scheduled"], later)
        yield waiting
        jobs = GaugeMetricFamily(
            "annotate_jobs", "Background jobs by kind and state (jobs table).", labels=["kind", "status"]
        )
        failed = CounterMetricFamily(
            "annotate_jobs_failed", "Background jobs that failed for good, by kind (jobs table).", labels=["kind"]
        )
        with self.app.app_context():
            from annotate import db

            counts = job_counts(db.session())
        for (kind, status), n in sorted(counts.items()):
            jobs.add_metric([kind, status], n)
            if status == "failed":
                failed.add_metric([kind], n)
        yield jobs
        yield failed


def mark_worker_dead(pid: int) -> None:
    """Gunicorn's ``child_exit`` hook in multiprocess mode: drop the dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
