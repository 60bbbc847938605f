"""People: users and their API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.types import Json, str_enum


class Role(enum.Enum):
    """A user's global role."""

    ADMIN = "admin"
    RESEARCHER = "researcher"
    EXPERT = "expert"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # None until the user sets a password (invitation pending).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.EXPERT)
    expertise: Mapped[list[str]] = mapped_column(Json, default=list)
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Every session cookie carries the epoch it was issued under; sign-out, a password change,
    # deactivation and "sign out everywhere" increment it, which ends all of the user's sessions.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @staticmethod
    def by_email(email: str):
        """Select the user with this email (case-insensitive)."""
        return select(User).where(func.lower(User.email) == email.strip().lower())

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class ApiToken(Base):
    """A bearer token for API v1. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, to tell tokens apart in listings without revealing them.
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None: never expires.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")
