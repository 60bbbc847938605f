"""Background jobs as the app records them: the task queue carries a job's id, the row here
carries its state (queued, running, retrying, failed with the reason, done), so every host
shows the same state and a job whose worker died can be found and run again."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.types import Json, str_enum


class JobStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    # It failed, and runs again after a delay (the error says why it failed).
    RETRYING = "retrying"
    FAILED = "failed"
    DONE = "done"


# Still to run or running: the sweep looks only at these.
OPEN_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING)


class Job(Base):
    """One piece of background work (an import, a folder export, a mail, a webhook delivery)."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The job's kind, a name in annotate.jobs.registry (import, export, mail, webhook).
    kind: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # What the job works on, by kind: a batch, an export record, a webhook delivery.
    subject_id: Mapped[int | None] = mapped_column()
    # The job's own arguments (never a secret: the queue's store and this table may be read by operators).
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    status: Mapped[JobStatus] = mapped_column(str_enum(JobStatus, "job_status"), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    # Why the last attempt failed (retrying) or why the job gave up (failed).
    error: Mapped[str | None] = mapped_column(Text)
    # The process running it ("host:pid") and when it last said it was alive.
    worker: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it was (last) handed to the queue, and the earliest time it is due to run.
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The sweep's question ("open jobs"), and a page's ("the job of this batch/export").
Index("ix_jobs_status", Job.status)
Index("ix_jobs_kind_subject", Job.kind, Job.subject_id)
