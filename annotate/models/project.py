"""Projects, their members and their versioned instructions."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.types import Json, str_enum
from annotate.models.user import User


class ProjectRole(enum.Enum):
    """What a member does in one project."""

    RESEARCHER = "researcher"
    EXPERT = "expert"
    REVIEWER = "reviewer"


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("overlap >= 1", name="overlap_positive"),
        CheckConstraint("lease_seconds >= 30", name="lease_at_least_30s"),
        CheckConstraint("max_active_leases >= 1", name="max_active_leases_positive"),
        CheckConstraint(
            "adjudication_threshold IS NULL OR (adjudication_threshold >= 1 AND adjudication_threshold <= 100)",
            name="adjudication_threshold_range",
        ),
        CheckConstraint("gold_rate IS NULL OR (gold_rate >= 0 AND gold_rate <= 1)", name="gold_rate_range"),
        CheckConstraint("qualification_size IS NULL OR qualification_size >= 1", name="qualification_size_positive"),
        CheckConstraint(
            "qualification_threshold >= 0 AND qualification_threshold <= 1", name="qualification_threshold_range"
        ),
        CheckConstraint(
            "suggestions IS NULL OR suggestions IN ('hidden', 'after_answer', 'shown')",
            name="suggestions_policy",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    # A snapshot of the task template: templates change, a project keeps the one it was made with.
    template: Mapped[dict[str, Any]] = mapped_column(Json)
    template_name: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(default=1)
    instructions_version: Mapped[int] = mapped_column(default=1)
    overlap: Mapped[int] = mapped_column(default=1)
    required_expertise: Mapped[list[str]] = mapped_column(Json, default=list)
    lease_seconds: Mapped[int] = mapped_column(default=1800)
    max_active_leases: Mapped[int] = mapped_column(default=1)
    quota_per_expert: Mapped[int | None] = mapped_column()
    randomize_order: Mapped[bool] = mapped_column(default=True)
    # Adjudication (annotate/assign/adjudication.py): once an item has all its judgments, if
    # fewer than this percentage of them give the most common answer, one adjudicator adds
    # a tie-breaking judgment. None: never. 100: any disagreement (e.g. a split pairwise vote).
    adjudication_threshold: Mapped[int | None] = mapped_column()
    # Quality (annotate/quality/): the share of an expert's claims that are gold items, mixed in
    # silently (None: gold items are ordinary items of the queue); a qualification test of
    # ``qualification_size`` gold items to pass with ``qualification_threshold`` before real
    # tasks (None: no test), retaken after ``qualification_retake_hours`` (None: never), shared
    # by every project whose test names the same ``qualification_tag``.
    gold_rate: Mapped[float | None] = mapped_column()
    qualification_size: Mapped[int | None] = mapped_column()
    qualification_threshold: Mapped[float] = mapped_column(default=0.8, server_default="0.8")
    qualification_retake_hours: Mapped[int | None] = mapped_column()
    qualification_tag: Mapped[str | None] = mapped_column(String(100))
    # What experts see of an item's machine suggestion (annotate.suggestions): hidden,
    # after_answer or shown. None: the template's ``suggestions``, else hidden.
    suggestions: Mapped[str | None] = mapped_column(String(16))
    archived: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[ProjectMember]] = relationship(back_populates="project", cascade="all, delete-orphan")
    instructions_history: Mapped[list[InstructionsVersion]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="InstructionsVersion.version"
    )

    @property
    def kind(self) -> str:
        return self.template["kind"]

    @property
    def instructions(self) -> str:
        """The current instructions (Markdown)."""
        for version in reversed(self.instructions_history):
            if version.version == self.instructions_version:
                return version.body
        return ""

    def __repr__(self) -> str:
        return f"<Project {self.slug}>"


class InstructionsVersion(Base):
    """One version of a project's instructions; an edit adds a version, never overwrites."""

    __tablename__ = "instructions_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="instructions_history")


class ProjectMember(Base):
    """A user's membership of a project, with a project role and a stable pseudonym for exports."""

    __tablename__ = "project_members"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id"),
        UniqueConstraint("project_id", "pseudonym"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[ProjectRole] = mapped_column(str_enum(ProjectRole, "project_role"))
    # Exports name experts by this, never by email.
    pseudonym: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    # May break ties on items whose judgments disagree (reviewers may too).
    adjudicator: Mapped[bool] = mapped_column(default=False, server_default=false())
    # This project's rate for the member where it differs from the user's own (None: the user's).
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    @property
    def rate(self) -> Decimal | None:
        """The hourly rate that applies in this project: the membership's, else the user's."""
        return self.hourly_rate if self.hourly_rate is not None else self.user.hourly_rate
