"""Skipped items, for the researcher: which items experts gave back, why, and whether anyone is left to take them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotate.assign import queries
from annotate.assign.routing import has_expertise
from annotate.models import Assignment, AssignmentStatus, Project, ProjectMember, ProjectRole, User


def eligible_expert_ids(session: Session, project: Project) -> set[int]:
    """Active expert members of the project with the expertise it requires."""
    rows = session.execute(
        select(User)
        .join(ProjectMember, ProjectMember.user_id == User.id)
        .where(
            ProjectMember.project_id == project.id,
            ProjectMember.active.is_(True),
            ProjectMember.role == ProjectRole.EXPERT,
            User.active.is_(True),
        )
    ).scalars()
    return {user.id for user in rows if has_expertise(project, user)}


def skipped_report(session: Session, project: Project, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """One entry per skipped, unfinished item: external id, skips, judgments, reasons, and
    ``remaining``: eligible experts who have not had it yet. ``stuck`` is True when nobody
    is left, i.e. everybody who could take it skipped (or judged) it: the researcher must act
    (widen the team, relax the expertise, or drop the item)."""
    rows = session.execute(queries.skipped_items(project).limit(limit).offset(offset)).all()
    if not rows:
        return []
    item_ids = [item.id for item, _skips, _judged in rows]
    had: dict[int, set[int]] = defaultdict(set)
    reasons: dict[int, list[str]] = defaultdict(list)
    for item_id, expert_id, status, reason in session.execute(
        select(Assignment.item_id, Assignment.expert_id, Assignment.status, Assignment.skip_reason)
        .where(Assignment.item_id.in_(item_ids))
        .order_by(Assignment.id)
    ):
        had[item_id].add(expert_id)
        if status is AssignmentStatus.SKIPPED and reason:
            reasons[item_id].append(reason)
    eligible = eligible_expert_ids(session, project)
    report = []
    for item, skips, judged in rows:
        remaining = len(eligible - had[item.id])
        report.append(
            {
                "item_id": item.external_id,
                "skips": skips,
                "judgments": judged,
                "overlap": project.overlap,
                "reasons": reasons[item.id],
                "remaining": remaining,
                "stuck": remaining == 0 and item.assigned_count < project.overlap,
            }
        )
    # Stuck items first: they need the researcher; the others will still be judged.
    report.sort(key=lambda r: (not r["stuck"], -r["skips"]))
    return report
