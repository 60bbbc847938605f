"""A project's timesheet for a period, as researchers read it: per person, hours per
activity, rates, pay, cost per submitted and per accepted judgment, flagged time; the
period's locks and adjustments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotate.models import Project, ProjectMember, TimesheetAdjustment, TimesheetLock, User
from annotate.timekeeping import queries
from annotate.timekeeping.approval import lockable_from
from annotate.timekeeping.periods import Period
from annotate.timekeeping.settings import current
from annotate.timekeeping.timesheets import Sheet, Total, by_person, cents, sheet


@dataclass
class PersonRow:
    user: User | None
    member: ProjectMember | None
    email: str
    name: str
    total: Total
    judgments: int = 0
    accepted: int = 0
    flagged: int = 0
    flagged_seconds: int = 0
    adjusted_seconds: int = 0
    adjusted_amount: Decimal = Decimal("0.00")

    @property
    def per_judgment(self) -> Decimal | None:
        return cents(self.total.amount / self.judgments) if self.judgments else None

    @property
    def per_accepted(self) -> Decimal | None:
        return cents(self.total.amount / self.accepted) if self.accepted else None

    @property
    def flagged_share(self) -> float | None:
        return self.flagged_seconds / self.total.seconds if self.total.seconds else None


@dataclass
class ProjectReport:
    period: Period
    sheet: Sheet
    rows: list[PersonRow]
    total: Total
    judgments: int
    accepted: int
    flagged_seconds: int
    locks: list[tuple[TimesheetLock, str]]  # with who locked it
    adjustments: list[tuple[TimesheetAdjustment, str]]  # with whose it is
    members: list[tuple[int, str]]  # (user id, "name <email>") for the adjustment form
    people: list[tuple[User, ProjectMember]]  # for the rates
    lockable_until: date
    locked_days: int = 0

    @property
    def lock_suggestion(self) -> tuple[date, date]:
        """The days the lock form offers: the period's, after its last approved day, up to the last lockable one."""
        first = self.period.first
        for lock, _who in self.locks:
            if lock.first_day <= first <= lock.last_day:
                first = lock.last_day + timedelta(days=1)
        return first, max(first, min(self.period.last, self.lockable_until))

    @property
    def per_judgment(self) -> Decimal | None:
        return cents(self.total.amount / self.judgments) if self.judgments else None

    @property
    def per_accepted(self) -> Decimal | None:
        return cents(self.total.amount / self.accepted) if self.accepted else None

    @property
    def owed(self) -> Decimal:
        return self.total.amount + self.sheet.adjusted_amount

    @property
    def fully_locked(self) -> bool:
        return self.locked_days >= self.period.days


def project_report(session: Session, project: Project, period: Period, now: datetime) -> ProjectReport:
    """Everything the project's timesheet page shows for ``period``."""
    current_sheet = sheet(session, period, project_id=project.id)
    totals = by_person(current_sheet)
    known = {user.id: (user, member) for user, member in session.execute(queries.people(project))}
    counts = {row[0]: row[1:] for row in session.execute(queries.judgment_counts(project, period))}
    adjusted: dict[int, tuple[int, Decimal]] = {}
    for a in current_sheet.adjustments:
        seconds, amount = adjusted.get(a.user_id, (0, Decimal("0.00")))
        adjusted[a.user_id] = (seconds + a.seconds, amount + a.amount)
    ids = [uid for uid in {*totals, *counts, *adjusted} if uid is not None]
    rows = []
    for uid in ids:
        user, member = known.get(uid, (None, None))
        line = next((ln for ln in current_sheet.lines if ln.user_id == uid), None)
        made, accepted, flagged, flagged_seconds = counts.get(uid, (0, 0, 0, 0))
        seconds, amount = adjusted.get(uid, (0, Decimal("0.00")))
        rows.append(
            PersonRow(
                user=user,
                member=member,
                email=user.email if user else (line.email if line else ""),
                name=user.name if user else (line.name if line else ""),
                total=totals.get(uid) or Total(),
                judgments=made,
                accepted=accepted,
                flagged=flagged,
                flagged_seconds=int(flagged_seconds or 0),
                adjusted_seconds=seconds,
                adjusted_amount=amount,
            )
        )
    rows.sort(key=lambda r: (r.email.lower(), r.name))
    overall = Total()
    for line in current_sheet.lines:
        overall.add(line)
    locks = [
        (lock, who or "a deleted user")
        for lock, who in session.execute(
            select(TimesheetLock, func.coalesce(func.nullif(User.name, ""), User.email))
            .outerjoin(User, User.id == TimesheetLock.locked_by_id)
            .where(
                TimesheetLock.id.in_([lock.id for lock in session.scalars(queries.locks_over(period, [project.id]))])
            )
            .order_by(TimesheetLock.first_day)
        )
    ]
    names = {uid: user.display_name for uid, (user, _m) in known.items()}
    return ProjectReport(
        period=period,
        sheet=current_sheet,
        rows=rows,
        total=overall,
        judgments=sum(r.judgments for r in rows),
        accepted=sum(r.accepted for r in rows),
        flagged_seconds=sum(r.flagged_seconds for r in rows),
        locks=locks,
        adjustments=[(a, names.get(a.user_id, "a former member")) for a in current_sheet.adjustments],
        members=[
            (uid, f"{user.name} <{user.email}>" if user.name else user.email) for uid, (user, _m) in known.items()
        ],
        people=list(known.values()),
        lockable_until=lockable_from(now, current()),
        locked_days=len(current_sheet.locked_days.get(project.id, set())),
    )


def people_of(session: Session, user_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """user id -> (email, name)."""
    ids = list(user_ids)
    if not ids:
        return {}
    return {
        uid: (email, name)
        for uid, email, name in session.execute(select(User.id, User.email, User.name).where(User.id.in_(ids)))
    }


def slugs_of(session: Session, project_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """project id -> (slug, title)."""
    ids = list(project_ids)
    if not ids:
        return {}
    return {pid: (slug, title) for pid, slug, title in session.execute(queries.projects_named(ids))}


def flag_rates(session: Session, project: Project, user_ids: list[int]) -> dict[int, int]:
    """user id -> flagged judgments in the project, for the progress page (which has their judgments)."""
    if not user_ids:
        return {}
    return dict(session.execute(queries.flagged_counts(project.id, user_ids)).all())
