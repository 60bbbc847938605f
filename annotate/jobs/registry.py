"""Job kinds by name: what runs a job of the kind, what undoes an interrupted attempt, and how
often and after how long it is tried again. A feature registers its kinds at import; the queue
imports them all (``load_kinds``) before registering its tasks."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from annotate.models import Job

# The modules that register job kinds.
KIND_MODULES = (
    "annotate.ingest.jobs",
    "annotate.export.jobs",
    "annotate.browse.index",
    "annotate.webhooks.jobs",
    "annotate.auth.mailjobs",
    "annotate.quality.jobs",
)


class JobFailed(Exception):
    """A job that cannot succeed by trying again (bad input, a gone upload): failed at once, with this reason."""


class Deferred(Exception):
    """The job cannot start yet (e.g. another import of the project runs): queued again, to run
    after ``delay``, without counting an attempt; the reason is shown meanwhile."""

    def __init__(self, reason: str, delay: timedelta):
        super().__init__(reason)
        self.delay = delay


@dataclass(frozen=True)
class JobKind:
    """``run(session, job)`` does the work and commits it; it must be idempotent (an attempt may
    have been interrupted anywhere). ``undo(session, job)`` removes what an interrupted or failed
    attempt left (commits itself). Attempts are spaced ``retry_delay`` seconds, times
    ``retry_backoff`` after each."""

    name: str
    run: Callable[[Session, Job], None]
    undo: Callable[[Session, Job], None] | None = None
    # Called once the job has failed for good (after undo), e.g. to mark its subject failed.
    failed: Callable[[Session, Job, str], None] | None = None
    max_attempts: int = 3
    retry_delay: int = 10
    retry_backoff: float = 2.0


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Add a job kind (once per name)."""
    KINDS[kind.name] = kind
    return kind


def load_kinds() -> None:
    """Import every module that registers job kinds."""
    for module in KIND_MODULES:
        importlib.import_module(module)
