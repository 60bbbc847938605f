"""Reads for the researcher's pages: progress, members, items. Lists are keyset-paginated.

Every query is bounded by an index prefix on ``project_id`` and a ``LIMIT``;
none counts per row. See bench/progress.py for the figures with 1M items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Assignment, AssignmentStatus, Item, Judgment, Project, ProjectMember, User

PAGE_SIZE = 50


@dataclass
class Page:
    """One page of a keyset-paginated list: ``rows`` and the cursor of the next page (None at the end)."""

    rows: list[Any]
    next_after: int | None


def keyset(session: Session, stmt: Select, key: Any, after: int | None, limit: int = PAGE_SIZE) -> Page:
    """Fetch ``limit`` rows of ``stmt`` whose ``key`` is above ``after``; one extra row tells if more follow."""
    if after is not None:
        stmt = stmt.where(key > after)
    rows = session.execute(stmt.order_by(key).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return Page(rows=rows, next_after=(_key_of(last) if more and last is not None else None))


def _key_of(row: Any) -> int:
    first = row[0]
    return first if isinstance(first, int) else first.id


def progress_counts(session: Session, project: Project) -> dict[str, int]:
    """Items total, started, complete (at least ``overlap`` judgments), in progress, judgments, leases, skips."""
    items = session.scalar(select(func.count()).select_from(Item).where(Item.project_id == project.id)) or 0
    # assigned_count counts leased and submitted slots, so > 0 means somebody has started the item.
    started = session.scalar(
        select(func.count()).select_from(Item).where(Item.project_id == project.id, Item.assigned_count > 0)
    ) or 0
    per_item = (
        select(Judgment.item_id)
        .where(Judgment.project_id == project.id)
        .group_by(Judgment.item_id)
        .having(func.count() >= project.overlap)
        .subquery()
    )
    complete = session.scalar(select(func.count()).select_from(per_item)) or 0
    judgments = session.scalar(select(func.count()).select_from(Judgment).where(Judgment.project_id == project.id)) or 0
    by_status = dict(
        session.execute(
            select(Assignment.status, func.count())
            .where(Assignment.project_id == project.id, Assignment.status.in_([AssignmentStatus.LEASED, AssignmentStatus.SKIPPED]))
            .group_by(Assignment.status)
        ).all()
    )
    return {
        "items": items,
        "complete": complete,
        "in_progress": max(started - complete, 0),
        "not_started": items - started,
        "judgments": judgments,
        "active_leases": by_status.get(AssignmentStatus.LEASED, 0),
        "skips": by_status.get(AssignmentStatus.SKIPPED, 0),
    }


def judgments_per_day(session: Session, project: Project, days: int = 14, today: date | None = None) -> list[tuple[date, int]]:
    """Judgments per UTC day over the last ``days`` days, oldest first, days without any included as 0."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=utcnow().tzinfo)
    day = func.date(Judgment.created_at)
    rows = session.execute(
        select(day, func.count()).where(Judgment.project_id == project.id, Judgment.created_at >= since).group_by(day)
    ).all()
    counts = {str(d)[:10]: n for d, n in rows}
    return [(first + timedelta(days=i), counts.get((first + timedelta(days=i)).isoformat(), 0)) for i in range(days)]


def members(project: Project) -> Select:
    """Select (member, user) of a project; paginate with ``keyset(..., ProjectMember.id, ...)``."""
    return select(ProjectMember, User).join(User, User.id == ProjectMember.user_id).where(ProjectMember.project_id == project.id)


def throughput(session: Session, project: Project, user_ids: list[int]) -> dict[int, dict[str, float]]:
    """Judgments, active hours and median seconds per judgment for these experts, in two indexed queries."""
    if not user_ids:
        return {}
    mine = and_(Judgment.project_id == project.id, Judgment.expert_id.in_(user_ids))
    out: dict[int, dict[str, float]] = {}
    for expert_id, n, seconds, last in session.execute(
        select(Judgment.expert_id, func.count(), func.coalesce(func.sum(Judgment.active_seconds), 0), func.max(Judgment.created_at))
        .where(mine)
        .group_by(Judgment.expert_id)
    ):
        out[expert_id] = {"judgments": n, "active_hours": seconds / 3600, "median_seconds": 0.0, "last": last}
    # The median: the middle one or two rows of each expert's judgments ordered by seconds.
    ranked = select(
        Judgment.expert_id,
        Judgment.active_seconds,
        func.row_number().over(partition_by=Judgment.expert_id, order_by=Judgment.active_seconds).label("rn"),
        func.count().over(partition_by=Judgment.expert_id).label("n"),
    ).where(mine).subquery()
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    for expert_id, median in session.execute(
        select(ranked.c.expert_id, func.avg(ranked.c.active_seconds)).where(middle).group_by(ranked.c.expert_id)
    ):
        out[expert_id]["median_seconds"] = float(median)
    return out


def skip_reasons(project: Project, limit: int = 20) -> Select:
    """Select (reason, count) of the project's skips, most frequent first."""
    reason = func.coalesce(Assignment.skip_reason, "")
    return (
        select(reason.label("reason"), func.count().label("n"))
        .where(Assignment.project_id == project.id, Assignment.status == AssignmentStatus.SKIPPED)
        .group_by(reason)
        .order_by(func.count().desc(), reason)
        .limit(limit)
    )


def items(project: Project) -> Select:
    """Select the project's items (light columns only); paginate with ``keyset(..., Item.id, ...)``."""
    return select(Item.id, Item.external_id, Item.priority, Item.assigned_count, Item.created_at).where(Item.project_id == project.id)


def users(search: str = "") -> Select:
    """Select users for the admin page, optionally those whose email or name contains ``search``."""
    stmt = select(User)
    if search:
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    return stmt
