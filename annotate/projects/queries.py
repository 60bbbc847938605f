"""Reads for the researcher's pages: progress, members, items. Lists are keyset-paginated.

Every query is bounded by an index prefix on ``project_id`` and a ``LIMIT``;
none counts per row; the progress counts come from per-project counters. See
bench/bench_progress.py for the figures with 1M items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from annotate.db import prebuilt, utcnow
from annotate.models import (
    Assignment,
    AssignmentPurpose,
    AssignmentStatus,
    InstructionsVersion,
    Item,
    Judgment,
    Project,
    ProjectMember,
    TermsAcceptance,
    TermsVersion,
    User,
)
from annotate.models.item import visible
from annotate.projects import counters

PAGE_SIZE = 50


@dataclass
class Page:
    """One page of a keyset-paginated list: ``rows`` and the cursor of the next page (None at the end)."""

    rows: list[Any]
    next_after: Any | None


def keyset(session: Session, stmt: Select, key: Any, after: Any | None, limit: int = PAGE_SIZE) -> Page:
    """Fetch ``limit`` rows of ``stmt`` whose ``key`` is above ``after``; one extra row tells if more follow.

    The cursor is the first column of the last row (or its ``id`` when that column is an entity)."""
    if after is not None:
        stmt = stmt.where(key > after)
    rows = session.execute(stmt.order_by(key).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return Page(rows=list(rows), next_after=(_key_of(last) if more and last is not None else None))


def _key_of(row: Any) -> Any:
    first = row[0]
    return first if isinstance(first, (int, str)) else first.id


def progress_counts(session: Session, project: Project) -> dict[str, int]:
    """Items total, complete (at least ``overlap`` judgments), in progress, not started; judgments, leases, skips.

    Two small reads, whatever the project's size: the project's counters
    (``annotate.projects.counters``: items, judgments, skips, items per number of
    judgments) and its live leases, which are few. An item is started when it has a
    judgment or a judging lease, so the leased items without a judgment are the only
    ones the counters do not already know."""
    values = counters.totals(session, project.id)
    leases, leased_unjudged = session.execute(
        select(
            func.count(),
            func.count(
                distinct(
                    case(
                        (
                            and_(Assignment.purpose == AssignmentPurpose.JUDGE, Item.judged_count == 0),
                            Assignment.item_id,
                        )
                    )
                )
            ),
        )
        .select_from(Assignment)
        .join(Item, Item.id == Assignment.item_id)
        .where(Assignment.project_id == project.id, Assignment.status == AssignmentStatus.LEASED)
    ).one()
    total = values.get("items", 0)
    complete = counters.items_with_judgments(values, project.overlap)
    started = counters.items_with_judgments(values) + leased_unjudged
    return {
        "items": total,
        "complete": complete,
        "in_progress": started - complete,
        "not_started": total - started,
        "judgments": values.get("judgments", 0),
        "active_leases": leases,
        "skips": values.get("skips", 0),
    }


def judgments_per_day(
    session: Session, project: Project, days: int = 14, today: date | None = None
) -> list[tuple[date, int]]:
    """Judgments per UTC day over the last ``days`` days, oldest first, days without any included as 0.

    From the project's per-day counters: one small read, not a count of every judgment."""
    today = today or utcnow().date()
    counts = counters.per_day(session, project.id, [today - timedelta(days=back) for back in range(days - 1, -1, -1)])
    return list(counts.items())


def members(project: Project) -> Select:
    """Select (member, user) of a project; paginate with ``keyset(..., ProjectMember.id, ...)``."""
    return (
        select(ProjectMember, User)
        .join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == project.id)
    )


def throughput(session: Session, project: Project, user_ids: list[int]) -> dict[int, dict[str, float]]:
    """Judgments, active hours and median seconds per judgment for these experts (one page of them).

    Everything comes from the (project_id, expert_id, active_seconds) index. The
    median is one index walk per expert to the middle row: bounded by the page
    size, and far cheaper than a window function that sorts every judgment."""
    if not user_ids:
        return {}
    out: dict[int, dict[str, float]] = {}
    for expert_id, n, seconds in session.execute(
        select(Judgment.expert_id, func.count(), func.coalesce(func.sum(Judgment.active_seconds), 0))
        .where(Judgment.project_id == project.id, Judgment.expert_id.in_(user_ids))
        .group_by(Judgment.expert_id)
    ):
        middle = session.scalars(
            select(Judgment.active_seconds)
            .where(Judgment.project_id == project.id, Judgment.expert_id == expert_id)
            .order_by(Judgment.active_seconds)
            .offset((n - 1) // 2)
            .limit(2 - n % 2)
        ).all()
        out[expert_id] = {"judgments": n, "active_hours": seconds / 3600, "median_seconds": sum(middle) / len(middle)}
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
    """Select the project's items (light columns only) by external id; paginate with
    ``keyset(..., Item.external_id, ...)``, which walks the (project_id, external_id) unique index."""
    return select(Item.external_id, Item.id, Item.priority, Item.assigned_count, Item.created_at).where(
        Item.project_id == project.id, visible(Item.batch_id, project.id)
    )


def users(search: str = "") -> Select:
    """Select users for the admin page, optionally those whose email or name contains ``search``."""
    stmt = select(User)
    if search:
        like = f"%{search.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    return stmt


# -- reads of annotate.projects.services ----------------------------------------------------


def project_id_by_slug(slug: str) -> Select:
    """The id of the project called ``slug``, archived or not."""
    return select(Project.id).where(Project.slug == slug)


def member_of(project: Project, user: User) -> Select:
    """The user's membership of the project, active or not."""
    return select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user.id)


def pseudonyms(project: Project) -> Select:
    """The pseudonyms already given in the project."""
    return select(ProjectMember.pseudonym).where(ProjectMember.project_id == project.id)


def visible_projects(user: User) -> Select:
    """Select the projects ``user`` may see: all for admins, their memberships otherwise."""
    stmt = select(Project).where(Project.archived.is_(False)).order_by(Project.created_at.desc(), Project.id.desc())
    if user.is_admin:
        return stmt
    return stmt.join(ProjectMember, ProjectMember.project_id == Project.id).where(
        ProjectMember.user_id == user.id, ProjectMember.active.is_(True)
    )


def open_lease_count(project: Project) -> Select:
    """How many of the project's leases are open."""
    return (
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.project_id == project.id, Assignment.status == AssignmentStatus.LEASED)
    )


def expert_count(project: Project) -> Select:
    """How many experts have judged in the project."""
    # One index probe per user rather than a scan of every judgment for the distinct experts.
    judged_any = select(Judgment.id).where(Judgment.project_id == project.id, Judgment.expert_id == User.id).exists()
    return select(func.count()).select_from(User).where(judged_any)


def latest_instructions_version(project: Project) -> Select:
    """The number of the project's latest instructions version (None before the first)."""
    return select(func.max(InstructionsVersion.version)).where(InstructionsVersion.project_id == project.id)


def current_terms(project: Project) -> Select:
    """The project's latest terms version."""
    return (
        select(TermsVersion).where(TermsVersion.project_id == project.id).order_by(TermsVersion.version.desc()).limit(1)
    )


@prebuilt
def current_terms_accepted() -> Select:
    """(has_body, accepted) of the project's current terms for a user (parameters ``project``, ``user``)."""
    accepted = (
        select(TermsAcceptance.id)
        .where(
            TermsAcceptance.project_id == TermsVersion.project_id,
            TermsAcceptance.user_id == bindparam("user"),
            TermsAcceptance.version == TermsVersion.version,
        )
        .exists()
    )
    return (
        select((TermsVersion.body != "").label("has_body"), accepted.label("accepted"))
        .where(TermsVersion.project_id == bindparam("project"))
        .order_by(TermsVersion.version.desc())
        .limit(1)
    )


def acceptance(project: Project, user: User, version: int) -> Select:
    """The user's acceptance of ``version`` of the project's terms."""
    return select(TermsAcceptance).where(
        TermsAcceptance.project_id == project.id,
        TermsAcceptance.user_id == user.id,
        TermsAcceptance.version == version,
    )
