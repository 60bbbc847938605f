"""Per-project progress counters: what the progress page would otherwise count over a million rows."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from annotate.db import Base


class ProjectCounter(Base):
    """One slice of one per-project counter; the counter is the sum of its slices.

    ``name`` is ``items`` (imported), ``judgments`` (every judgment, tie-breakers
    included), ``skips``, or ``judged_<k>``: items with exactly k judgments (tie-breakers
    excluded), so that "complete" (k >= overlap) stays exact when the overlap changes.
    Writers add to the slice ``shard`` of their own (the acting user's id modulo
    ``annotate.projects.counters.SHARDS``), so concurrent submits on PostgreSQL do not
    queue on one row; a slice may go negative, the sum never does. Maintained by
    ``annotate.projects.counters`` in the same transaction as the change it counts.
    """

    __tablename__ = "project_counters"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
