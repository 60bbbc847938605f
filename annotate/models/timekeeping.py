"""Time and pay: active intervals measured from heartbeats, hourly-rate history, locked
timesheet periods with their approved lines, and adjustments (annotate/timekeeping/)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from annotate.db import Base, UTCDateTime, utcnow
from annotate.models.project import Project
from annotate.models.types import Json, str_enum
from annotate.models.user import User
from annotate.models.work import Judgment


class Activity(enum.Enum):
    """What a stretch of active time was spent on; each is counted (and paid) on its own line."""

    TASK = "task"  # the task page of an assignment
    INSTRUCTIONS = "instructions"  # the project's page with its instructions
    REVIEW = "review"  # a reviewer's page of one judgment
    ADJUDICATION = "adjudication"  # an adjudicator's page of one tie-breaking assignment


class ActivityInterval(Base):
    """One stretch of active time of one person, on one thing, measured by the server.

    Opened by a heartbeat, extended by each later heartbeat on the same thing that comes
    within the idle gap, closed by silence. A person's intervals never overlap (see
    ``ActivityClock``), so no second is counted twice, whatever the number of tabs.
    ``ms`` is ``ended_at - started_at`` in milliseconds, kept so sums need no date arithmetic.
    Time stays on the timesheet when the work it was spent on is deleted (the links go NULL).
    """

    __tablename__ = "activity_intervals"
    __table_args__ = (
        CheckConstraint("ms >= 0", name="ms_not_negative"),
        CheckConstraint("ended_at >= started_at", name="ends_after_start"),
        # Timesheets read the intervals that end after the period starts, per project or per person.
        Index("ix_activity_intervals_project_ended", "project_id", "ended_at"),
        Index("ix_activity_intervals_user_ended", "user_id", "ended_at"),
        # A judgment's active time is the sum over its assignment's intervals.
        Index("ix_activity_intervals_assignment", "assignment_id"),
        Index("ix_activity_intervals_judgment", "judgment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    activity: Mapped[Activity] = mapped_column(str_enum(Activity, "activity"))
    # The task or adjudication lease (task, adjudication) or the reviewed judgment (review).
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    judgment_id: Mapped[int | None] = mapped_column(ForeignKey("judgments.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ms: Mapped[int] = mapped_column(BigInteger, default=0)


class ActivityClock(Base):
    """Each person's latest interval: the head of their timeline.

    A heartbeat locks this row (and nothing else: not the user row a claim locks), so two
    tabs' heartbeats of one person take turns, and each starts where the last one ended.
    """

    __tablename__ = "activity_clocks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    interval_id: Mapped[int | None] = mapped_column(ForeignKey("activity_intervals.id", ondelete="SET NULL"))


class RateChange(Base):
    """An hourly rate as set at a moment: a person's own (``project_id`` NULL) or one project's
    rate for them (NULL ``hourly_rate`` there: their own rate applies again). Pay for a moment
    uses the rates in force at that moment, so a change mid-period splits the period."""

    __tablename__ = "rate_changes"
    __table_args__ = (Index("ix_rate_changes_user_project_effective", "user_id", "project_id", "effective_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    hourly_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # For a change recorded with a user or project not flushed yet (annotate.timekeeping.rates).
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    project: Mapped[Project | None] = relationship()


class TimesheetLock(Base):
    """An approved period of a project's timesheet (whole UTC days, both inclusive). Its
    lines are a copy of the hours and pay as approved: nothing later changes them."""

    __tablename__ = "timesheet_locks"
    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="period_not_empty"),
        Index("ix_timesheet_locks_project_days", "project_id", "first_day", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class TimesheetLine(Base):
    """One person's approved day in a locked period: seconds per activity, the rate(s) and the amount."""

    __tablename__ = "timesheet_lines"
    __table_args__ = (
        UniqueConstraint("lock_id", "user_id", "day"),
        CheckConstraint("seconds >= 0", name="seconds_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lock_id: Mapped[int] = mapped_column(ForeignKey("timesheet_locks.id", ondelete="CASCADE"))
    # NULL once the account is deleted; the name and email as they were stay with the line.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    day: Mapped[date] = mapped_column(Date)
    seconds: Mapped[int]
    activities: Mapped[dict[str, Any]] = mapped_column(Json)  # activity -> seconds
    rates: Mapped[list[str]] = mapped_column(Json)  # the rates in force that day, as decimal strings
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))


class TimesheetAdjustment(Base):
    """A correction booked on an open day: hours and an amount (either may be negative), the
    day it corrects, and why. Approved lines are never edited; they are adjusted, visibly."""

    __tablename__ = "timesheet_adjustments"
    __table_args__ = (Index("ix_timesheet_adjustments_project_day", "project_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)  # booked on (UTC), never in a locked period
    corrects_day: Mapped[date | None] = mapped_column(Date)
    seconds: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Flagged judgments by project (the data browser's flag filter, the progress page's flagged share per
# expert): a range on flag_bits > 0 reads only the flagged ones, whatever the project's size.
Index("ix_judgments_project_flags", Judgment.project_id, Judgment.flag_bits, Judgment.expert_id)
