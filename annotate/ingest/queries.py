"""Reads for the import pages, as ``select()`` statements (STYLE.md 5)."""

from __future__ import annotations

from sqlalchemy import Select, select

from annotate.models import Batch, Project


def recent_batches(project: Project, limit: int = 20) -> Select:
    """The project's latest imports, newest first."""
    return select(Batch).where(Batch.project_id == project.id).order_by(Batch.id.desc()).limit(limit)


def project_batch(project: Project, batch_id: int) -> Select:
    """One import of the project (none for another project's batch id)."""
    return select(Batch).where(Batch.id == batch_id, Batch.project_id == project.id)
