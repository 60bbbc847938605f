"""The experts' work: assignments (leases), judgments with their history, reviews and adjudications."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
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


class AssignmentPurpose(enum.Enum):
    """Why an assignment exists: one of the item's ``overlap`` judgments, or a tie-breaker."""

    JUDGE = "judge"
    # An adjudication lease: it does not use one of the item's overlap slots
    # (``Item.assigned_count``); the item's ``Adjudication`` row is its slot.
    ADJUDICATE = "adjudicate"


class ReviewState(enum.Enum):
    """Where a judgment stands in review. Mirrors the latest ``Review`` (see ``Review``)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


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
    purpose: Mapped[AssignmentPurpose] = mapped_column(
        str_enum(AssignmentPurpose, "assignment_purpose"), default=AssignmentPurpose.JUDGE, server_default="judge"
    )

    item: Mapped[Item] = relationship()
    expert: Mapped[User] = relationship()
    judgment: Mapped[Judgment | None] = relationship(back_populates="assignment")


class Judgment(Base):
    """An expert's answers for one assignment, valid against the template's answer schema.

    ``answers`` are the current answers; every earlier version is a ``JudgmentRevision``.
    ``adjudication`` marks a tie-breaker judgment (its assignment's purpose is ADJUDICATE).
    """

    __tablename__ = "judgments"
    __table_args__ = (
        Index("ix_judgments_project_item", "project_id", "item_id"),
        # The review queue: pending judgments of a project, oldest change first.
        Index("ix_judgments_review_queue", "project_id", "review_state", "updated_at"),
        # An expert's judgments in a project by time: the task page's "done" and "today" are
        # counts over it (no table row read), and their history page is read from it in order.
        Index("ix_judgments_expert_created", "project_id", "expert_id", "created_at", "id"),
        # The data browser's judgment list, newest first, one page at a time (annotate/browse/).
        Index("ix_judgments_project_id", "project_id", "id"),
        # ... and filtered by review state: a rare state (accepted, rejected) is a seek, not a walk.
        Index("ix_judgments_project_review_id", "project_id", "review_state", "id"),
    )

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
    # Server-measured time (annotate/timekeeping/): how many separate stretches made up
    # ``active_seconds``; what the task page recorded of how its text was entered (typed,
    # pasted, dropped, per field); the authenticity flags raised, each with the value that
    # raised it, and the same flags as bits (annotate.timekeeping.flags.FLAGS) to filter by.
    interval_count: Mapped[int] = mapped_column(default=0, server_default="0")
    signals: Mapped[dict[str, Any] | None] = mapped_column(Json)
    flags: Mapped[dict[str, Any] | None] = mapped_column(Json)
    flag_bits: Mapped[int] = mapped_column(default=0, server_default="0")
    # Per-turn judgments (annotate.turns): a rating or a flag with reasons on assistant turns
    # of the prompt, ``[{"turn": <index in the prompt>, "rating": 4}, …]``, when the template asks.
    turns: Mapped[list[dict[str, Any]] | None] = mapped_column(Json)
    # The item's machine suggestion as this expert met it (annotate.suggestions): the policy,
    # whether and when it was seen, whether the answer was revised after it.
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    adjudication: Mapped[bool] = mapped_column(default=False, server_default=false())
    review_state: Mapped[ReviewState] = mapped_column(
        str_enum(ReviewState, "review_state"), default=ReviewState.PENDING, server_default="pending"
    )
    # A reviewer working on this judgment holds it until then, so two reviewers never
    # review the same judgment at once; an expired hold is free for anyone.
    review_claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    review_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignment: Mapped[Assignment] = relationship(back_populates="judgment")
    item: Mapped[Item] = relationship()
    expert: Mapped[User] = relationship(foreign_keys=[expert_id])
    revisions: Mapped[list[JudgmentRevision]] = relationship(
        back_populates="judgment", cascade="all, delete-orphan", order_by="JudgmentRevision.id"
    )


class JudgmentRevision(Base):
    """A judgment's answers as they were before a change: nothing is overwritten without a trace.

    Who changed them (``edited_by_id``), when (``created_at``) and why (``reason``):
    ``edit`` (the expert changed an unreviewed judgment), ``revision`` (the expert
    revised a judgment a reviewer rejected), ``review-fix`` (a reviewer corrected it;
    the ``Review`` with verdict FIX points here). The answers after the change are the
    next revision's, or the judgment's current ones.
    """

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
    """A reviewer's verdict on a judgment.

    The current verdict is the judgment's latest review (highest ``created_at``,
    then ``id``); earlier reviews stay as history. ACCEPT and FIX accept the
    judgment (FIX after replacing its answers with the reviewer's; the original
    answers are the ``JudgmentRevision`` named by ``revision_id``). REJECT sends it
    back to its expert with ``comment``; once they revise it, it is pending review
    again (``Judgment.review_state``), though the REJECT stays its latest review
    until the next one. An accepted judgment can no longer be edited by its expert.
    """

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    judgment_id: Mapped[int] = mapped_column(ForeignKey("judgments.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verdict: Mapped[ReviewVerdict] = mapped_column(str_enum(ReviewVerdict, "review_verdict"))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("judgment_revisions.id", ondelete="SET NULL"))

    reviewer: Mapped[User | None] = relationship()


class AdjudicationStatus(enum.Enum):
    OPEN = "open"
    DONE = "done"


class Adjudication(Base):
    """An item whose judgments disagree beyond the project's threshold, waiting for (or
    given) one tie-breaking judgment by an adjudicator. The raw judgments are untouched.

    ``assignment_id`` is the adjudication lease currently (or last) handed out; the item
    is free for another adjudicator once ``lease_expires_at`` has passed.
    """

    __tablename__ = "adjudications"
    __table_args__ = (
        UniqueConstraint("item_id"),
        CheckConstraint("agreement_pct >= 0 AND agreement_pct <= 100", name="agreement_pct_range"),
        Index("ix_adjudications_queue", "project_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    status: Mapped[AdjudicationStatus] = mapped_column(
        str_enum(AdjudicationStatus, "adjudication_status"), default=AdjudicationStatus.OPEN
    )
    # Share of the judgments that gave the most common answer, when the item was flagged.
    agreement_pct: Mapped[int]
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    judgment_id: Mapped[int | None] = mapped_column(ForeignKey("judgments.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship()
