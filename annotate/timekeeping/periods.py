"""Timesheet periods: whole UTC days, both ends inclusive. A day is 00:00 to 24:00 UTC,
whatever the reader's time zone, so every person and every report cuts time the same way."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

MAX_DAYS = 366


class PeriodError(ValueError):
    """Bad period fields; ``problems`` maps each field (``from``, ``to``) to what is wrong."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """The instant after the period: midnight UTC after its last day."""
        return day_start(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def each_day(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)

    def args(self) -> dict[str, Any]:
        """The period as the query string of a timesheet URL."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}

    def __str__(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def this_month(now: datetime) -> Period:
    """From the first of ``now``'s month (UTC) to its day."""
    today = now.astimezone(UTC).date()
    return Period(today.replace(day=1), today)


def parse(args: Mapping[str, str], now: datetime) -> Period:
    """The period of ``from`` and ``to`` (ISO dates, UTC); this month so far when both are absent."""
    raw_from, raw_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if not raw_from and not raw_to:
        return this_month(now)
    problems: dict[str, str] = {}
    days: dict[str, date] = {}
    for name, raw in (("from", raw_from), ("to", raw_to)):
        if not raw:
            problems[name] = "a date like 2026-12-01 (both ends of the period)"
            continue
        try:
            days[name] = date.fromisoformat(raw)
        except ValueError:
            problems[name] = f"{raw[:40]!r} is not a date like 2026-12-01"
    if not problems:
        if days["to"] < days["from"]:
            problems["to"] = "the period ends before it starts"
        elif (days["to"] - days["from"]).days + 1 > MAX_DAYS:
            problems["to"] = f"a period is at most {MAX_DAYS} days"
    if problems:
        raise PeriodError(problems)
    return Period(days["from"], days["to"])


def split_by_day(start: datetime, end: datetime) -> Iterator[tuple[date, datetime, datetime]]:
    """(UTC day, piece start, piece end) of the span ``start``-``end``, cut at each midnight UTC."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    while start < end:
        midnight = day_start(start.date() + timedelta(days=1))
        piece_end = min(end, midnight)
        yield start.date(), start, piece_end
        start = piece_end


def iso_week(day: date) -> tuple[int, int]:
    """(ISO year, ISO week): weeks start on Monday."""
    year, week, _weekday = day.isocalendar()
    return year, week
