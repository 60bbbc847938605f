"""Quality: qualification attempts (gold items an expert must pass before real tasks) and the
quality report kept per project until its judgments or reviews change (annotate/quality/)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.types import Json, str_enum


class QualificationStatus(enum.Enum):
    PENDING = "pending"  # started: gold items still to answer
    PASSED = "passed"
    FAILED = "failed"


class Qualification(Base):
    """One attempt of one expert at a project's qualification test.

    ``tag``: the project's ``qualification_tag`` when the attempt began; a passed attempt with a
    tag qualifies the expert in every project whose test names the same tag. ``item_ids``: the
    gold items leased to the expert in this attempt, in order; ``results``: for each one
    answered, ``{"item_id", "correct"}``."""

    __tablename__ = "qualifications"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "attempt"),
        CheckConstraint("size >= 1", name="size_positive"),
        CheckConstraint("correct >= 0 AND correct <= answered", name="correct_within_answered"),
        Index("ix_qualifications_user_tag", "user_id", "tag", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tag: Mapped[str | None] = mapped_column(String(100))
    attempt: Mapped[int] = mapped_column(default=1)
    status: Mapped[QualificationStatus] = mapped_column(
        str_enum(QualificationStatus, "qualification_status"), default=QualificationStatus.PENDING
    )
    size: Mapped[int]
    threshold: Mapped[float]
    answered: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)
    item_ids: Mapped[list[int]] = mapped_column(Json, default=list)
    results: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QualitySnapshot(Base):
    """The quality report of a project as last computed, with the fingerprint of the judgments
    and reviews it was computed from: the page shows it while the fingerprint still matches
    (so it is exact), and computes it again when anything changed."""

    __tablename__ = "quality_snapshots"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(200))
    report: Mapped[dict[str, Any]] = mapped_column(Json)
    seconds: Mapped[float] = mapped_column(default=0.0)  # how long the computation took
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PositionCheck(Base):
    """One of an expert's judged items shown to them again with the responses' order swapped
    (a researcher asks for a sample from the Quality page): whether their choice flips with
    the order measures how far position, not content, decided it. ``display_order`` is the
    swapped order shown; ``answers`` their answer this time (None: not answered yet)."""

    __tablename__ = "position_checks"
    __table_args__ = (
        UniqueConstraint("judgment_id"),
        Index("ix_position_checks_expert", "project_id", "expert_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    judgment_id: Mapped[int] = mapped_column(ForeignKey("judgments.id", ondelete="CASCADE"))
    display_order: Mapped[list[str]] = mapped_column(Json)
    answers: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
