"""Unsubmitted work: the expert's answer-in-progress for one assignment, saved as they type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.types import Json


class Draft(Base):
    """The task form as the expert left it, kind-agnostic: ``fields`` maps each form field name
    to its list of values (what the browser would submit). One per assignment; it outlives a
    refused submit (e.g. a lost lease) and is deleted once the judgment is recorded."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), unique=True)
    fields: Mapped[dict[str, Any]] = mapped_column(Json)
    # The browser's clock (ms since the epoch) when the expert made this edit: a copy kept
    # offline and resent later must not overwrite a newer draft saved from another tab.
    client_saved_at: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
