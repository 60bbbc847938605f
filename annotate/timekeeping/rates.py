"""Hourly rates over time. A person's own rate (``User.hourly_rate``) and a project's rate
for them (``ProjectMember.hourly_rate``, which overrides theirs) are the rates in force now;
every change is also kept as a ``RateChange`` with the moment it took effect, so the pay for
a moment uses the rates of that moment and a change mid-period splits the period.

Changes are recorded wherever a rate is set (the admin's user form, a profile, a project's
members page, the CLI) by one session hook installed by ``init_app``, so no way of setting a
rate can forget its history. A change takes effect when it is made, except a person's first
rate (their own, or their first in a project), which covers all their time before it too:
setting a rate for someone who has already worked pays that work. A researcher can also
date a project's rate back (``change_rate``), but never into an approved period.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy import Select, event, inspect, or_, select
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Project, ProjectMember, RateChange, User
from annotate.timekeeping.periods import Period, day_start

# The moment a first rate takes effect from: before any time was measured.
SINCE_EVER = datetime(1970, 1, 1, tzinfo=UTC)


def record(
    session: Session,
    user_id: int,
    project_id: int | None,
    rate: Decimal | None,
    at: datetime,
    by_id: int | None = None,
) -> RateChange:
    """Keep that ``user_id``'s rate (in ``project_id``, or their own) is ``rate`` from ``at`` on."""
    change = RateChange(
        user_id=user_id, project_id=project_id, hourly_rate=rate, effective_at=at, set_by_id=by_id, created_at=utcnow()
    )
    session.add(change)
    return change


def _changed(obj: Any) -> bool:
    state = inspect(obj)
    if state.pending:
        return obj.hourly_rate is not None
    return state.attrs.hourly_rate.history.has_changes()


def _has_history(session: Session, user_id: int | None, project_id: int | None) -> bool:
    if user_id is None:
        return False
    stmt = select(RateChange.id).where(RateChange.user_id == user_id)
    stmt = stmt.where(RateChange.project_id.is_(None) if project_id is None else RateChange.project_id == project_id)
    with session.no_autoflush:
        return session.scalar(stmt.limit(1)) is not None


def _keep_history(session: Session, _context: Any, _instances: Any) -> None:
    """Before a flush: a new or changed rate on a user or a membership becomes a ``RateChange``
    (unless this flush already records one for them: ``change_rate`` dates its own)."""
    touched = [obj for obj in (*session.new, *session.dirty) if isinstance(obj, User | ProjectMember)]
    if not touched:
        return
    from flask import g, has_app_context

    explicit = {(c.user_id, c.project_id) for c in session.new if isinstance(c, RateChange)}
    by = g.get("user") if has_app_context() else None
    by_id = getattr(by, "id", None)
    now = utcnow()
    for obj in touched:
        if not _changed(obj):
            continue
        # Through the relationships: a new user or membership has no id until this flush.
        if isinstance(obj, User):
            if (obj.id, None) in explicit:
                continue
            since = now if _has_history(session, obj.id, None) else SINCE_EVER
            session.add(
                RateChange(user=obj, hourly_rate=obj.hourly_rate, effective_at=since, set_by_id=by_id, created_at=now)
            )
            continue
        if (obj.user_id, obj.project_id) in explicit:
            continue
        since = now if _has_history(session, obj.user_id, obj.project_id) else SINCE_EVER
        change = RateChange(hourly_rate=obj.hourly_rate, effective_at=since, set_by_id=by_id, created_at=now)
        change.user_id, change.project_id = obj.user_id, obj.project_id
        if obj.user_id is None:
            change.user = obj.user
        if obj.project_id is None:
            change.project = obj.project
        session.add(change)


class RateRefused(ValueError):
    """A rate change that cannot be made; ``field`` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def change_rate(
    session: Session,
    project: Project,
    member: ProjectMember,
    rate: Decimal | None,
    from_day: date,
    by: User,
    now: datetime,
) -> RateChange:
    """This project's rate for ``member`` from the start of ``from_day`` (UTC) on; None: their own
    rate again. Never into an approved (locked) period, never in the future."""
    from annotate.timekeeping import queries

    if from_day > now.date():
        raise RateRefused("from", "a day that has begun (a rate applies from a day, not in advance)")
    locked = session.scalars(queries.locks_over(Period(from_day, now.date()), [project.id])).first()
    if locked is not None:
        raise RateRefused(
            "from",
            f"{locked.first_day} to {locked.last_day} is approved: a rate cannot change approved pay; "
            "date the change after it, or book an adjustment",
        )
    at = day_start(from_day)
    later = session.scalar(
        select(RateChange.id).where(
            RateChange.user_id == member.user_id, RateChange.project_id == project.id, RateChange.effective_at > at
        )
    )
    # One flush for both: the session hook sees this dated change and records no other.
    change = record(session, member.user_id, project.id, rate, at, by.id)
    if later is None:  # the latest change is the rate in force now
        member.hourly_rate = rate
    session.flush()
    return change


def init_app(app: Flask) -> None:
    """Install the hook that keeps rate history (once per process: it is a Session class hook)."""
    if not event.contains(Session, "before_flush", _keep_history):
        event.listen(Session, "before_flush", _keep_history)


# -- reading ------------------------------------------------------------------------------------


def changes(user_ids: Iterable[int], project_ids: Iterable[int], until: datetime) -> Select:
    """The rate changes of these people, their own and in these projects, that took effect before ``until``."""
    return (
        select(RateChange.user_id, RateChange.project_id, RateChange.hourly_rate, RateChange.effective_at)
        .where(
            RateChange.user_id.in_(list(user_ids)),
            or_(RateChange.project_id.is_(None), RateChange.project_id.in_(list(project_ids))),
            RateChange.effective_at < until,
        )
        .order_by(RateChange.effective_at, RateChange.id)
    )


class RateBook:
    """The rates in force at any moment, for the people and projects it was read for."""

    def __init__(self, rows: Iterable[Any]):
        self._times: dict[tuple[int, int | None], list[datetime]] = defaultdict(list)
        self._rates: dict[tuple[int, int | None], list[Decimal | None]] = defaultdict(list)
        for user_id, project_id, rate, effective_at in rows:
            self._times[(user_id, project_id)].append(effective_at)
            self._rates[(user_id, project_id)].append(rate)

    @classmethod
    def read(cls, session: Session, user_ids: Iterable[int], project_ids: Iterable[int], until: datetime) -> RateBook:
        return cls(session.execute(changes(set(user_ids), set(project_ids), until)))

    def _at(self, key: tuple[int, int | None], at: datetime) -> tuple[bool, Decimal | None]:
        times = self._times.get(key)
        if not times:
            return False, None
        i = bisect_right(times, at)
        return (True, self._rates[key][i - 1]) if i else (False, None)

    def rate_at(self, user_id: int, project_id: int, at: datetime) -> Decimal | None:
        """The project's rate for the person at ``at`` if one was set, else their own (None: none)."""
        found, rate = self._at((user_id, project_id), at)
        if found and rate is not None:
            return rate
        return self._at((user_id, None), at)[1]

    def pieces(
        self, user_id: int, project_id: int, start: datetime, end: datetime
    ) -> Iterator[tuple[datetime, datetime, Decimal | None]]:
        """(piece start, piece end, rate) of ``start``-``end``, cut where a rate changed."""
        cuts = sorted(
            t for key in ((user_id, project_id), (user_id, None)) for t in self._times.get(key, ()) if start < t < end
        )
        for piece_start, piece_end in zip([start, *cuts], [*cuts, end], strict=True):
            if piece_start < piece_end:
                yield piece_start, piece_end, self.rate_at(user_id, project_id, piece_start)
