"""Heartbeats become active intervals, measured by the server's clock.

A page sends a heartbeat while it is visible and its person interacts (or media plays),
at most one per ``ANNOTATE_HEARTBEAT_SECONDS``. A heartbeat names what the person works
on (a ``Beat``); its time is the server's, never the page's:

* the person's open interval on the same thing, if its end is less than the idle gap
  (``ANNOTATE_IDLE_GAP_SECONDS``) ago, is extended to now: a pause shorter than the gap
  (reading, thinking) counts; a longer one does not, and the next heartbeat opens a new
  interval;
* otherwise a new interval opens. It may reach back at most one heartbeat period (the
  page's ``since_ms``: it first saw the person act that long ago, clamped; the page does
  not choose how much time counts), and never before the end of the person's latest
  interval, whatever it was on: a second tab's heartbeat continues the person's one
  timeline instead of counting the same seconds again.

Every heartbeat of a person goes through their ``ActivityClock`` row, locked for the few
statements a heartbeat takes (on SQLite the write lock does the same): nothing else is
locked, least of all the claim queue. The common heartbeat is two statements: read the
clock with its open interval, and move that interval's end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Select, Update, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from annotate.db import MAX_ID, begin_write, prebuilt
from annotate.models import Activity, ActivityClock, ActivityInterval
from annotate.timekeeping.settings import TimeSettings


class BeatError(ValueError):
    """A heartbeat that cannot be read; ``problems`` maps each field to what is wrong."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Beat:
    """What a page or API client says it works on. Untrusted until ``resolve`` has checked it."""

    activity: Activity
    target: int  # an assignment (task, adjudication), a judgment (review) or a project (instructions)
    since_ms: int = 0  # how long ago the page first saw its person act, unreported yet (clamped)


@dataclass(frozen=True)
class Target:
    """What a heartbeat counts time on, checked: the person may work on it."""

    activity: Activity
    project_id: int
    assignment_id: int | None = None
    judgment_id: int | None = None


@dataclass(frozen=True)
class Counted:
    """What a heartbeat did: ``opened`` a new interval or extended one; ``seconds`` counted so far on its target."""

    opened: bool
    seconds: int


TARGET_NAMES = {
    Activity.TASK: "assignment",
    Activity.ADJUDICATION: "assignment",
    Activity.REVIEW: "judgment",
    Activity.INSTRUCTIONS: "project",
}


def parse_beat(body: Any) -> Beat:
    """A ``Beat`` from a JSON body ``{"activity": "task", "target": 12, "since_ms": 800}``."""
    if not isinstance(body, dict):
        raise BeatError({"body": "expected a JSON object"})
    problems: dict[str, str] = {}
    try:
        activity = Activity(body.get("activity"))
    except ValueError:
        problems["activity"] = f"one of {', '.join(a.value for a in Activity)}"
        activity = Activity.TASK
    target = body.get("target")
    if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= MAX_ID:
        problems["target"] = f"the id of the {TARGET_NAMES[activity]} (a whole number)"
    since = body.get("since_ms", 0)
    if isinstance(since, bool) or not isinstance(since, int | float) or since != since:
        problems["since_ms"] = "a number of milliseconds"
    if problems or not isinstance(target, int):
        raise BeatError(problems)
    return Beat(activity, target, int(max(0, min(since, 86_400_000))))


def _matches(row: Any, beat: Beat) -> bool:
    """Is the open interval ``row`` on what ``beat`` names?"""
    if row.activity is not beat.activity:
        return False
    if beat.activity is Activity.REVIEW:
        return row.judgment_id == beat.target
    if beat.activity is Activity.INSTRUCTIONS:
        return row.project_id == beat.target and row.assignment_id is None and row.judgment_id is None
    return row.assignment_id == beat.target


def record(
    session: Session,
    user_id: int,
    beat: Beat,
    now: datetime,
    settings: TimeSettings,
    resolve: Callable[[], Target],
) -> Counted:
    """Count ``user_id``'s heartbeat at ``now`` (see the module docstring). ``resolve`` checks
    that the person may work on what the beat names; it is called only when a new interval
    opens (an interval continues only on what was checked when it opened)."""
    begin_write(session)
    head = _head(session, user_id)
    if head is None:  # the person's first heartbeat ever: make their clock, then lock it like any other
        _make_clock(session, user_id)
        head = _head(session, user_id)
    gap = timedelta(seconds=settings.idle_gap)
    if head.id is not None:
        if now <= head.ended_at:  # another tab (or host, a moment ahead) has counted up to now
            return Counted(False, _seconds_on(session, user_id, beat))
        if _matches(head, beat) and now - head.ended_at <= gap:
            _extend(session, head.id, head.started_at, now)
            return Counted(False, _seconds_on(session, user_id, beat))
    target = resolve()
    start = now - timedelta(seconds=min(beat.since_ms / 1000, settings.heartbeat))
    if head.id is not None and now - head.ended_at <= gap:
        start = head.ended_at  # the same stretch of work, on something else now: it goes on from there
    elif head.id is not None:
        start = max(start, head.ended_at)
    interval_id = _open(session, user_id, target, start, now)
    session.execute(_point_clock(), {"user": user_id, "interval": interval_id})
    return Counted(True, _seconds_on(session, user_id, beat))


def close_on_submit(session: Session, user_id: int, assignment_id: int, now: datetime, settings: TimeSettings) -> bool:
    """A submit is the last heartbeat of its task: extend the person's open interval on the
    assignment to ``now`` if it is still open. False when the person has no clock at all
    (no heartbeat ever), so the caller need not add up intervals that cannot exist."""
    head = _head(session, user_id)
    if head is None:
        return False
    if (
        head.id is not None
        and head.assignment_id == assignment_id
        and head.activity in (Activity.TASK, Activity.ADJUDICATION)
        and head.ended_at < now
        and now - head.ended_at <= timedelta(seconds=settings.idle_gap)
    ):
        _extend(session, head.id, head.started_at, now)
    return True


def assignment_time(session: Session, user_id: int, assignment_id: int) -> tuple[int, int]:
    """(milliseconds, intervals) of ``user_id``'s active time on the assignment."""
    ms, count = session.execute(_assignment_total(), {"user": user_id, "assignment": assignment_id}).one()
    return int(ms or 0), int(count or 0)


# -- statements ---------------------------------------------------------------------------------


def _head(session: Session, user_id: int) -> Any:
    """The person's clock with its open interval's columns (id None: no interval yet); None: no clock.
    On PostgreSQL the clock row stays locked until the transaction ends."""
    return session.execute(_head_statement(), {"user": user_id}).one_or_none()


@prebuilt
def _head_statement() -> Select:
    return (
        select(
            ActivityInterval.id,
            ActivityInterval.activity,
            ActivityInterval.project_id,
            ActivityInterval.assignment_id,
            ActivityInterval.judgment_id,
            ActivityInterval.started_at,
            ActivityInterval.ended_at,
        )
        .select_from(ActivityClock)
        .outerjoin(ActivityInterval, ActivityInterval.id == ActivityClock.interval_id)
        .where(ActivityClock.user_id == bindparam("user"))
        .with_for_update(of=ActivityClock)
    )


def _extend(session: Session, interval_id: int, started_at: datetime, now: datetime) -> None:
    ms = int((now - started_at).total_seconds() * 1000)
    session.execute(_extend_statement(), {"interval": interval_id, "now": now, "ms": ms})


@prebuilt
def _extend_statement() -> Update:
    return (
        update(ActivityInterval)
        .where(ActivityInterval.id == bindparam("interval"))
        .values(ended_at=bindparam("now"), ms=bindparam("ms"))
        .execution_options(synchronize_session=False)
    )


def _open(session: Session, user_id: int, target: Target, start: datetime, now: datetime) -> int:
    return session.scalars(
        _open_statement(),
        [
            {
                "user_id": user_id,
                "project_id": target.project_id,
                "activity": target.activity,
                "assignment_id": target.assignment_id,
                "judgment_id": target.judgment_id,
                "started_at": start,
                "ended_at": now,
                "ms": int((now - start).total_seconds() * 1000),
            }
        ],
    ).one()


@prebuilt
def _open_statement() -> Insert:
    return insert(ActivityInterval).returning(ActivityInterval.id)


@prebuilt
def _point_clock() -> Update:
    return (
        update(ActivityClock)
        .where(ActivityClock.user_id == bindparam("user"))
        .values(interval_id=bindparam("interval"))
        .execution_options(synchronize_session=False)
    )


def _make_clock(session: Session, user_id: int) -> None:
    """Two tabs' first heartbeats may both get here (PostgreSQL): the second insert does nothing,
    and both then take turns on the one row."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(ActivityClock).values(user_id=user_id).on_conflict_do_nothing())


def _seconds_on(session: Session, user_id: int, beat: Beat) -> int:
    """Seconds counted so far for ``user_id`` on what ``beat`` names (shown on the page)."""
    column = {
        Activity.REVIEW: ActivityInterval.judgment_id,
        Activity.INSTRUCTIONS: ActivityInterval.project_id,
    }.get(beat.activity, ActivityInterval.assignment_id)
    ms = session.scalar(
        select(func.coalesce(func.sum(ActivityInterval.ms), 0)).where(
            ActivityInterval.user_id == user_id, ActivityInterval.activity == beat.activity, column == beat.target
        )
    )
    return int(ms or 0) // 1000


@prebuilt
def _assignment_total() -> Select:
    return select(func.sum(ActivityInterval.ms), func.count()).where(
        ActivityInterval.assignment_id == bindparam("assignment"), ActivityInterval.user_id == bindparam("user")
    )
