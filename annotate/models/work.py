"""The experts' work: assignments (leases), judgments with their history, and reviews."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.item import Item
from annotate.models.types import Json, str_enum
from annotate.models.user import User


class AssignmentStatus(enum.Enum):
    LEASED = "leased"
    SUBMITTED = "submitted"
    SKIPPED = "skipped"
    EXPIRED = "expired"


class Assignment(Base):
    """One expert's turn at one item: a lease until submitted, skipped or expired."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("item_id", "expert_id"),
        CheckConstraint("active_seconds >= 0", name="active_seconds_not_negative"),
        Index("ix_assignments_expert_status", "expert_id", "project_id", "status"),
        Index("ix_assignments_lease_expiry", "project_id", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[AssignmentStatus] = mapped_column(
        str_enum(AssignmentStatus, "assignment_status"), default=AssignmentStatus.LEASED
    )
    leased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Response ids in the order the expert saw them (left to right, top to bottom).
    display_order: Mapped[list[str]] = mapped_column(Json)
    active_seconds: Mapped[int] = mapped_column(default=0)
    skip_reason: Mapped[str | None] = mapped_column(Text)

    item: Mapped[Item] = relationship()
    expert: Mapped[User] = relationship()
    judgment: Mapped[Judgment | None] = relationship(back_populates="assignment")


class Judgment(Base):
    """An expert's answers for one assignment, valid against the template's answer schema."""

    __tablename__ = "judgments"
    __table_args__ = (Index("ix_judgments_project_item", "project_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # One judgment per assignment: a repeated submit finds this row instead of adding one.
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(Json)
    template_name: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int]
    instructions_version: Mapped[int]
    active_seconds: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="judgment")
    item: Mapped[Item] = relationship()
    expert: Mapped[User] = relationship()
    revisions: Mapped[list[JudgmentRevision]] = relationship(
        back_populates="judgment", cascade="all, delete-orphan", order_by="JudgmentRevision.id"
    )


class JudgmentRevision(Base):
    """A judgment's answers as they were before an edit: nothing is overwritten without a trace."""

    __tablename__ = "judgment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    judgment_id: Mapped[int] = mapped_column(ForeignKey("judgments.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(Json)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(32), default="edit")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    judgment: Mapped[Judgment] = relationship(back_populates="revisions")


class ReviewVerdict(enum.Enum):
    ACCEPT = "accept"
    REJECT = "reject"
    FIX = "fix"


class Review(Base):
    """A reviewer's verdict on a judgment."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    judgment_id: Mapped[int] = mapped_column(ForeignKey("judgments.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verdict: Mapped[ReviewVerdict] = mapped_column(str_enum(ReviewVerdict, "review_verdict"))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
