"""Background work on the task queue: imports, folder exports, mail, webhook deliveries,
and the periodic sweeps (interrupted jobs, expired leases, rows of failed imports).

- ``queue``: the Huey instance of an app (its store from ``ANNOTATE_QUEUE_URL``), enqueueing.
- ``registry``: the job kinds (each feature registers its own, as kinds and formats do).
- ``records``: the ``jobs`` rows: create, claim, finish, fail, and the pages' reads.
- ``runner``: how a worker runs one job (claim, heartbeat, outcome, retry or failure).
- ``sweep``: what the worker does every minute and when it starts.
- ``worker``: ``annotate worker``.
"""
