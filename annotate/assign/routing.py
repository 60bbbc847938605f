"""Who may get which work: expertise matching, adjudicator rights, and why a claim found nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotate.models import (
    Assignment,
    AssignmentPurpose,
    AssignmentStatus,
    Judgment,
    Project,
    ProjectMember,
    ProjectRole,
    User,
)


def tag_matches(required: str, tag: str) -> bool:
    """True when ``tag`` is ``required`` or more specific: ``medicine/dermatology`` matches ``medicine``."""
    required, tag = required.strip().lower(), tag.strip().lower()
    return tag == required or tag.startswith(required + "/")


def has_expertise(project: Project, expert: User) -> bool:
    """True when the project requires no expertise, or one of the expert's tags matches one it requires."""
    required = project.required_expertise or []
    if not required:
        return True
    return any(tag_matches(r, t) for r in required for t in (expert.expertise or []))


def can_review(user: User, member: ProjectMember | None) -> bool:
    """Reviewers and researchers of the project (and admins) review its judgments."""
    return user.is_admin or (
        member is not None and member.active and member.role in (ProjectRole.REVIEWER, ProjectRole.RESEARCHER)
    )


def can_adjudicate(user: User, member: ProjectMember | None) -> bool:
    """Adjudicators are members flagged as such, the project's reviewers and researchers, and admins."""
    if user.is_admin:
        return True
    return (
        member is not None
        and member.active
        and (member.adjudicator or member.role in (ProjectRole.REVIEWER, ProjectRole.RESEARCHER))
    )


def active_leases(session: Session, project: Project, expert: User, now: datetime) -> int:
    """How many unexpired judging leases the expert holds in the project."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.project_id == project.id,
                Assignment.expert_id == expert.id,
                Assignment.purpose == AssignmentPurpose.JUDGE,
                Assignment.status == AssignmentStatus.LEASED,
                Assignment.expires_at > now,
            )
        )
        or 0
    )


def used_quota(session: Session, project: Project, expert: User, now: datetime) -> int:
    """What counts against the per-expert quota: submitted judgments plus open leases."""
    submitted = (
        session.scalar(
            select(func.count())
            .select_from(Judgment)
            .where(Judgment.project_id == project.id, Judgment.expert_id == expert.id, Judgment.adjudication.is_(False))
        )
        or 0
    )
    return submitted + active_leases(session, project, expert, now)


def refusal(session: Session, project: Project, expert: User, now: datetime) -> str | None:
    """Why ``claim_next`` gives this expert nothing when items may remain, or None.

    For the pages and the API to say something truer than "all done".
    """
    from annotate.quality.screening import refusal as qualification_refusal

    not_qualified = qualification_refusal(session, project, expert, now)
    if not_qualified:
        return not_qualified
    if not has_expertise(project, expert):
        wanted = ", ".join(project.required_expertise)
        return (
            f"This project needs expertise in {wanted}; "
            "add a matching tag to your profile or ask the project's researcher."
        )
    if project.quota_per_expert is not None and used_quota(session, project, expert, now) >= project.quota_per_expert:
        return f"You have reached this project's quota of {project.quota_per_expert} tasks."
    if active_leases(session, project, expert, now) >= project.max_active_leases:
        return f"You hold {project.max_active_leases} open task(s), this project's limit: submit or skip one first."
    return None
