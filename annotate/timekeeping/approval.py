"""Approving a project's hours: lock a period (its lines are kept as approved, and no later
change reaches them), and book visible adjustments instead of editing approved time."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotate.models import Project, ProjectMember, TimesheetAdjustment, TimesheetLine, TimesheetLock, User
from annotate.timekeeping import queries
from annotate.timekeeping.periods import Period, day_start
from annotate.timekeeping.rates import RateBook
from annotate.timekeeping.settings import TimeSettings
from annotate.timekeeping.timesheets import cents, sheet

MAX_HOURS = Decimal(1000)
MAX_AMOUNT = Decimal("1000000")
MAX_REASON = 1000
HOURS = re.compile(r"^([+-]?)(\d{1,4})(?::([0-5]\d))?$|^([+-]?\d{0,4}(?:\.\d{1,4})?)$")


class ApprovalError(ValueError):
    """Refused; ``field`` names the form field the message belongs next to."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def lockable_from(now: datetime, settings: TimeSettings) -> date:
    """The last day that may be locked now: a day is over once its midnight (UTC) is an idle
    gap past, since until then a heartbeat could still extend an interval into it."""
    return (now - timedelta(seconds=settings.idle_gap)).date() - timedelta(days=1)


def lock_period(
    session: Session, project: Project, period: Period, by: User, now: datetime, settings: TimeSettings, note: str = ""
) -> TimesheetLock:
    """Approve ``period``'s hours in ``project``: its day lines are copied as they stand now."""
    last = lockable_from(now, settings)
    if period.last > last:
        raise ApprovalError(
            "to", f"{period.last.isoformat()} is not over yet (UTC): the latest day that can be locked is {last}"
        )
    overlapping = session.scalars(queries.locks_over(period, [project.id])).first()
    if overlapping is not None:
        raise ApprovalError(
            "from",
            f"{overlapping.first_day.isoformat()} to {overlapping.last_day.isoformat()} is already locked; "
            "lock the days around it separately",
        )
    note = note.strip()
    if len(note) > MAX_REASON:
        raise ApprovalError("note", f"at most {MAX_REASON} characters")
    current = sheet(session, period, project_id=project.id)
    lock = TimesheetLock(
        project_id=project.id,
        first_day=period.first,
        last_day=period.last,
        locked_by_id=by.id,
        locked_at=now,
        note=note,
    )
    session.add(lock)
    session.flush()
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({ln.user_id for ln in current.lines})))}
    for line in current.lines:
        user = users.get(line.user_id) if line.user_id is not None else None
        session.add(
            TimesheetLine(
                lock_id=lock.id,
                user_id=line.user_id,
                email=user.email if user else line.email,
                name=user.name if user else line.name,
                day=line.day,
                seconds=line.seconds,
                activities={activity: line.seconds_of(activity) for activity in line.ms},
                rates=[None if r is None else str(r) for r in line.rates],
                amount=line.amount,
                currency=settings.currency,
            )
        )
    session.flush()
    return lock


def parse_hours(raw: str) -> int:
    """Seconds from "1.5", "-0.25", "1:30" or "-0:45" (hours, signed); ApprovalError otherwise."""
    text = (raw or "").strip().replace(",", ".")
    match = HOURS.match(text) if text else None
    if match is None or text in ("+", "-", ".", ""):
        raise ApprovalError("hours", "hours like 1.5, -0.25 or 1:30 (a negative number takes time off)")
    if match.group(2) is not None:
        sign = -1 if match.group(1) == "-" else 1
        seconds = sign * (int(match.group(2)) * 3600 + int(match.group(3) or 0) * 60)
    else:
        try:
            seconds = int((Decimal(match.group(4)) * 3600).to_integral_value())
        except InvalidOperation:
            raise ApprovalError("hours", "hours like 1.5, -0.25 or 1:30") from None
    if abs(seconds) > MAX_HOURS * 3600:
        raise ApprovalError("hours", f"at most {MAX_HOURS} hours either way")
    return seconds


def parse_amount(raw: str | None) -> Decimal | None:
    """An amount with at most two decimals (signed), or None when left empty."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ApprovalError("amount", f"{text[:40]!r} is not an amount like 12.50 or -3.00") from None
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ApprovalError("amount", "an amount like 12.50 or -3.00, below 1,000,000, at most 2 decimals")
    return amount


def add_adjustment(
    session: Session,
    project: Project,
    user_id: int,
    *,
    seconds: int,
    amount: Decimal | None,
    corrects: date | None,
    reason: str,
    by: User,
    now: datetime,
    settings: TimeSettings,
) -> TimesheetAdjustment:
    """Book a correction for a member, today (UTC). Without ``amount``, the hours are paid at the
    rate in force on the day they correct (today's, if none)."""
    if (
        session.scalar(
            select(ProjectMember.id).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user_id)
        )
        is None
    ):
        raise ApprovalError("user", "choose a member of this project")
    reason = (reason or "").strip()
    if not reason:
        raise ApprovalError("reason", "say why: the person and payroll read it")
    if len(reason) > MAX_REASON:
        raise ApprovalError("reason", f"at most {MAX_REASON} characters")
    today = now.date()
    if corrects is not None and corrects > today:
        raise ApprovalError("corrects", "a day that has begun (today or earlier)")
    if seconds == 0 and not amount:
        raise ApprovalError("hours", "give hours, an amount, or both")
    if amount is None:
        at = day_start(corrects) if corrects else now
        book = RateBook.read(session, [user_id], [project.id], now + timedelta(seconds=1))
        rate = book.rate_at(user_id, project.id, at) or Decimal(0)
        amount = cents(Decimal(seconds) * rate / 3600)
    adjustment = TimesheetAdjustment(
        project_id=project.id,
        user_id=user_id,
        day=today,
        corrects_day=corrects,
        seconds=seconds,
        amount=amount,
        currency=settings.currency,
        reason=reason,
        created_by_id=by.id,
        created_at=now,
    )
    session.add(adjustment)
    session.flush()
    return adjustment
