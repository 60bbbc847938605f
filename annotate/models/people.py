"""People around a project: invitations, versioned terms and their acceptances.

Also declares the judgment indexes the progress page reads through (judgments
per day, per-expert throughput), so that those pages stay fast with 1M items.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.project import Project, ProjectRole
from annotate.models.types import str_enum
from annotate.models.user import User
from annotate.models.work import Judgment


class Invitation(Base):
    """A one-time link to set a password. Only the token's SHA-256 is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The project the invitation came from, if any (shown on the set-password page).
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    project_role: Mapped[ProjectRole | None] = mapped_column(str_enum(ProjectRole, "invitation_project_role"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    project: Mapped[Project | None] = relationship()


class MembershipInvitation(Base):
    """A project membership offered to an existing account, waiting for its owner to accept it.

    Someone who may not manage all of an account's projects cannot add it to theirs (nor send it a
    set-password link, which would hand the account over): they offer a membership instead."""

    __tablename__ = "membership_invitations"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[ProjectRole] = mapped_column(str_enum(ProjectRole, "membership_invitation_role"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class TermsVersion(Base):
    """One version of a project's terms; a change adds a version, and experts accept again."""

    __tablename__ = "terms_versions"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TermsAcceptance(Base):
    """A user's acceptance of one version of a project's terms, with the time."""

    __tablename__ = "terms_acceptances"
    __table_args__ = (UniqueConstraint("project_id", "user_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Progress-page reads (annotate/projects/queries.py): judgments per day by a range on
# created_at, per-expert throughput and median seconds: from indexes alone.
Index("ix_judgments_project_created", Judgment.project_id, Judgment.created_at)
Index("ix_judgments_project_expert_seconds", Judgment.project_id, Judgment.expert_id, Judgment.active_seconds)
