"""Reads for timesheets, flags and the judgment's time: functions that return ``select()``."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, and_, case, func, select

from annotate.models import (
    ActivityInterval,
    Judgment,
    Project,
    ProjectMember,
    ReviewState,
    TimesheetAdjustment,
    TimesheetLine,
    TimesheetLock,
    User,
)
from annotate.timekeeping.periods import Period


def intervals_in(period: Period, project_id: int | None = None, user_id: int | None = None) -> Select:
    """(user_id, project_id, activity, started_at, ended_at) of the intervals that overlap ``period``,
    of one project and/or one person. Read by the index on (project_id or user_id, ended_at)."""
    stmt = select(
        ActivityInterval.user_id,
        ActivityInterval.project_id,
        ActivityInterval.activity,
        ActivityInterval.started_at,
        ActivityInterval.ended_at,
    ).where(ActivityInterval.ended_at > period.start, ActivityInterval.started_at < period.end)
    if project_id is not None:
        stmt = stmt.where(ActivityInterval.project_id == project_id)
    if user_id is not None:
        stmt = stmt.where(ActivityInterval.user_id == user_id)
    return stmt


def locks_over(period: Period, project_ids: Iterable[int]) -> Select:
    """The locks of these projects that share a day with ``period``."""
    return (
        select(TimesheetLock)
        .where(
            TimesheetLock.project_id.in_(list(project_ids)),
            TimesheetLock.first_day <= period.last,
            TimesheetLock.last_day >= period.first,
        )
        .order_by(TimesheetLock.first_day)
    )


def locked_lines(lock_ids: Iterable[int], period: Period, user_id: int | None = None) -> Select:
    """(line, project_id) of these locks, on the days of ``period``."""
    stmt = (
        select(TimesheetLine, TimesheetLock.project_id)
        .join(TimesheetLock, TimesheetLock.id == TimesheetLine.lock_id)
        .where(TimesheetLine.lock_id.in_(list(lock_ids)), TimesheetLine.day.between(period.first, period.last))
    )
    if user_id is not None:
        stmt = stmt.where(TimesheetLine.user_id == user_id)
    return stmt


def adjustments_in(period: Period, project_id: int | None = None, user_id: int | None = None) -> Select:
    """The adjustments booked on the days of ``period``, oldest first."""
    stmt = select(TimesheetAdjustment).where(TimesheetAdjustment.day.between(period.first, period.last))
    if project_id is not None:
        stmt = stmt.where(TimesheetAdjustment.project_id == project_id)
    if user_id is not None:
        stmt = stmt.where(TimesheetAdjustment.user_id == user_id)
    return stmt.order_by(TimesheetAdjustment.day, TimesheetAdjustment.id)


def people(project: Project) -> Select:
    """(user, membership) of everyone who is or was a member of the project, by email."""
    return (
        select(User, ProjectMember)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(ProjectMember.project_id == project.id)
        .order_by(User.email)
    )


def judgment_counts(project: Project, period: Period) -> Select:
    """Per expert, the judgments made in ``period``: (expert_id, made, accepted, flagged, flagged seconds)."""
    flagged = Judgment.flag_bits != 0
    return (
        select(
            Judgment.expert_id,
            func.count(),
            func.count(case((Judgment.review_state == ReviewState.ACCEPTED, 1))),
            func.count(case((flagged, 1))),
            func.coalesce(func.sum(case((flagged, Judgment.active_seconds), else_=0)), 0),
        )
        .where(
            Judgment.project_id == project.id,
            Judgment.created_at >= period.start,
            Judgment.created_at < period.end,
        )
        .group_by(Judgment.expert_id)
    )


def flagged_counts(project_id: int, user_ids: list[int]) -> Select:
    """(expert_id, flagged judgments) of these experts in the project, all time: from the
    (project_id, flag_bits, expert_id) index, reading flagged judgments only."""
    return (
        select(Judgment.expert_id, func.count())
        .where(and_(Judgment.project_id == project_id, Judgment.flag_bits > 0, Judgment.expert_id.in_(user_ids)))
        .group_by(Judgment.expert_id)
    )


def projects_named(project_ids: Iterable[int]) -> Select:
    """(id, slug, title) of these projects."""
    return select(Project.id, Project.slug, Project.title).where(Project.id.in_(list(project_ids)))


def projects_of(user_id: int) -> Select:
    """The ids of the projects the person is or was a member of."""
    return select(ProjectMember.project_id).where(ProjectMember.user_id == user_id)
