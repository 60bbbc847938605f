"""Hours and pay per person, project and UTC day, from the active intervals.

An interval is cut at each midnight UTC and wherever a rate changed (``rates.RateBook``);
each piece is paid at the rate in force when it started, exactly (``Decimal``); a line's
amount is rounded to the cent once (half up), and totals are sums of lines, so a payroll
export always adds up. Days inside a locked period come from their approved lines, never
from the intervals: approved hours do not change. Adjustments are listed on the day they
were booked, apart from the time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from annotate.models import Activity, TimesheetAdjustment
from annotate.timekeeping import queries
from annotate.timekeeping.periods import Period, iso_week, split_by_day
from annotate.timekeeping.rates import RateBook

CENT = Decimal("0.01")
MS_PER_HOUR = Decimal(3_600_000)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class DayLine:
    """One person's time in one project on one UTC day."""

    project_id: int
    user_id: int | None
    day: date
    ms: dict[str, int] = field(default_factory=dict)  # activity -> milliseconds
    exact: Decimal = Decimal(0)  # the pay before rounding
    rates: list[Decimal | None] = field(default_factory=list)  # in force that day, in order
    locked: bool = False
    approved_amount: Decimal | None = None  # a locked day's amount as approved
    email: str = ""  # a locked day's person as approved (their account may be gone)
    name: str = ""

    @property
    def seconds(self) -> int:
        return round(sum(self.ms.values()) / 1000)

    def seconds_of(self, activity: str) -> int:
        return round(self.ms.get(activity, 0) / 1000)

    @property
    def amount(self) -> Decimal:
        return self.approved_amount if self.approved_amount is not None else cents(self.exact)

    @property
    def unpaid(self) -> bool:
        """Some of its time had no rate."""
        return None in self.rates


@dataclass
class Sheet:
    """The lines of a period (time and adjustments) for a project, a person, or one person in a project."""

    period: Period
    lines: list[DayLine]
    adjustments: list[TimesheetAdjustment]
    locked_days: dict[int, set[date]]  # project id -> days approved

    @property
    def seconds(self) -> int:
        return sum(line.seconds for line in self.lines)

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def adjusted_seconds(self) -> int:
        return sum(a.seconds for a in self.adjustments)

    @property
    def adjusted_amount(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), Decimal("0.00"))

    @property
    def owed(self) -> Decimal:
        return self.amount + self.adjusted_amount


def sheet(session: Session, period: Period, *, project_id: int | None = None, user_id: int | None = None) -> Sheet:
    """Every line of ``period`` for one project and/or one person (see the module docstring)."""
    rows = session.execute(queries.intervals_in(period, project_id, user_id)).all()
    if project_id is not None:
        project_ids = {project_id}
    else:  # a person's own sheet: their projects' approved days count even where no interval is left
        project_ids = {row.project_id for row in rows}
        if user_id is not None:
            project_ids |= set(session.scalars(queries.projects_of(user_id)))
    locks = session.scalars(queries.locks_over(period, project_ids)).all() if project_ids else []
    locked: dict[int, set[date]] = defaultdict(set)
    for lock in locks:
        first, last = max(lock.first_day, period.first), min(lock.last_day, period.last)
        locked[lock.project_id].update(Period(first, last).each_day())
    lines = live_lines(session, period, rows, locked)
    if locks:
        for line, project in session.execute(queries.locked_lines([lock.id for lock in locks], period, user_id)):
            lines.append(
                DayLine(
                    project_id=project,
                    user_id=line.user_id,
                    day=line.day,
                    ms={activity: seconds * 1000 for activity, seconds in line.activities.items()},
                    rates=[None if r is None else Decimal(r) for r in line.rates],
                    locked=True,
                    approved_amount=line.amount,
                    email=line.email,
                    name=line.name,
                )
            )
    adjustments = list(session.scalars(queries.adjustments_in(period, project_id, user_id)))
    lines.sort(key=lambda line: (line.day, line.project_id, line.user_id or 0))
    return Sheet(period, lines, adjustments, dict(locked))


def live_lines(session: Session, period: Period, rows: Iterable, locked: dict[int, set[date]]) -> list[DayLine]:
    """Day lines from interval rows (user_id, project_id, activity, started_at, ended_at), leaving out locked days."""
    rows = list(rows)
    book = RateBook.read(session, {r.user_id for r in rows}, {r.project_id for r in rows}, period.end) if rows else None
    lines: dict[tuple[int, int, date], DayLine] = {}
    for user_id, project_id, activity, started_at, ended_at in rows:
        start, end = max(started_at, period.start), min(ended_at, period.end)
        for day, piece_start, piece_end in split_by_day(start, end):
            if day in locked.get(project_id, ()):
                continue
            line = lines.get((project_id, user_id, day))
            if line is None:
                line = lines[(project_id, user_id, day)] = DayLine(project_id, user_id, day)
            assert book is not None
            for rate_start, rate_end, rate in book.pieces(user_id, project_id, piece_start, piece_end):
                ms = int((rate_end - rate_start).total_seconds() * 1000)
                name = activity.value if isinstance(activity, Activity) else str(activity)
                line.ms[name] = line.ms.get(name, 0) + ms
                if rate is not None:
                    line.exact += Decimal(ms) * rate / MS_PER_HOUR
                if rate not in line.rates:
                    line.rates.append(rate)
    return list(lines.values())


# -- summaries ----------------------------------------------------------------------------------


@dataclass
class Total:
    """A sum of lines: seconds per activity, pay, rates seen, approved and unpaid time."""

    ms: dict[str, int] = field(default_factory=dict)
    amount: Decimal = Decimal("0.00")
    rates: list[Decimal | None] = field(default_factory=list)
    days: int = 0
    locked_days: int = 0
    unpaid: bool = False

    def add(self, line: DayLine) -> None:
        for activity, ms in line.ms.items():
            self.ms[activity] = self.ms.get(activity, 0) + ms
        self.amount += line.amount
        self.days += 1
        self.locked_days += line.locked
        self.unpaid = self.unpaid or line.unpaid
        for rate in line.rates:
            if rate not in self.rates:
                self.rates.append(rate)

    @property
    def seconds(self) -> int:
        return round(sum(self.ms.values()) / 1000)

    def seconds_of(self, activity: str) -> int:
        return round(self.ms.get(activity, 0) / 1000)


def totals_by(lines: Iterable[DayLine], key) -> dict:
    """Lines added up by ``key(line)`` (a person, a project, a week, a day), in first-seen order."""
    out: dict = {}
    for line in lines:
        out.setdefault(key(line), Total()).add(line)
    return out


def by_person(sheet: Sheet) -> dict:
    return totals_by(sheet.lines, lambda line: line.user_id)


def by_week(sheet: Sheet) -> dict:
    return totals_by(sheet.lines, lambda line: iso_week(line.day))


def by_project(sheet: Sheet) -> dict:
    return totals_by(sheet.lines, lambda line: line.project_id)


def by_day(sheet: Sheet) -> dict:
    return totals_by(sheet.lines, lambda line: line.day)


def hours(seconds: int | float) -> str:
    """Seconds as hours with two decimals (payroll's unit)."""
    return f"{Decimal(seconds) / 3600:.2f}"


def clock(seconds: int) -> str:
    """Seconds as h:mm (what people read)."""
    sign = "-" if seconds < 0 else ""
    minutes = round(abs(seconds) / 60)
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"
