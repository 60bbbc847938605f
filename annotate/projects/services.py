"""Create projects, manage members, and report progress."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotate.kinds.templates import load_template
from annotate.models import (
    Assignment,
    AssignmentStatus,
    InstructionsVersion,
    Item,
    Judgment,
    Project,
    ProjectMember,
    ProjectRole,
    User,
)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


class ProjectError(ValueError):
    """Bad input for a project operation; the message says which field and why."""


def create_project(
    session: Session,
    slug: str,
    *,
    template_name: str,
    templates_dir: Path,
    title: str | None = None,
    overlap: int = 1,
    instructions: str | None = None,
    created_by: User | None = None,
    lease_seconds: int = 1800,
    randomize_order: bool = True,
) -> Project:
    """Create a project with a snapshot of the named template."""
    if not SLUG_RE.match(slug):
        raise ProjectError(f"slug: {slug!r} must be lower-case letters, digits and '-', starting with a letter or digit")
    if overlap < 1:
        raise ProjectError("overlap: must be at least 1")
    if lease_seconds < 30:
        raise ProjectError("lease_seconds: must be at least 30")
    if session.scalar(select(Project.id).where(Project.slug == slug)) is not None:
        raise ProjectError(f"slug: a project {slug!r} already exists")
    template = load_template(template_name, templates_dir)
    project = Project(
        slug=slug,
        title=title or slug,
        template=template,
        template_name=template_name,
        template_version=template["version"],
        overlap=overlap,
        lease_seconds=lease_seconds,
        randomize_order=randomize_order,
        created_by_id=created_by.id if created_by else None,
    )
    session.add(project)
    session.flush()
    body = instructions if instructions is not None else template.get("instructions", "")
    session.add(InstructionsVersion(project_id=project.id, version=1, body=body, created_by_id=project.created_by_id))
    project.instructions_version = 1
    if created_by is not None and not created_by.is_admin:
        add_member(session, project, created_by, ProjectRole.RESEARCHER)
    session.flush()
    return project


def add_member(session: Session, project: Project, user: User, role: ProjectRole) -> ProjectMember:
    """Add ``user`` to ``project`` with ``role``, or change the role of an existing member."""
    member = session.scalar(
        select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user.id)
    )
    if member is None:
        member = ProjectMember(project_id=project.id, user_id=user.id, role=role, pseudonym=_new_pseudonym(session, project))
        session.add(member)
    else:
        member.role = role
        member.active = True
    session.flush()
    return member


def _new_pseudonym(session: Session, project: Project) -> str:
    taken = set(session.scalars(select(ProjectMember.pseudonym).where(ProjectMember.project_id == project.id)))
    while True:
        name = f"expert-{secrets.token_hex(4)}"
        if name not in taken:
            return name


def membership(session: Session, project: Project, user: User) -> ProjectMember | None:
    """The user's active membership of the project, if any."""
    return session.scalar(
        select(ProjectMember).where(
            ProjectMember.project_id == project.id,
            ProjectMember.user_id == user.id,
            ProjectMember.active.is_(True),
        )
    )


def visible_projects(user: User):
    """Select the projects ``user`` may see: all for admins, their memberships otherwise."""
    stmt = select(Project).where(Project.archived.is_(False)).order_by(Project.created_at.desc(), Project.id.desc())
    if user.is_admin:
        return stmt
    return stmt.join(ProjectMember, ProjectMember.project_id == Project.id).where(
        ProjectMember.user_id == user.id, ProjectMember.active.is_(True)
    )


def stats(session: Session, project: Project) -> dict[str, Any]:
    """Progress counts: items, judgments, complete items (at least ``overlap`` judgments), in progress."""
    items = session.scalar(select(func.count()).select_from(Item).where(Item.project_id == project.id))
    judgments = session.scalar(select(func.count()).select_from(Judgment).where(Judgment.project_id == project.id))
    per_item = (
        select(Judgment.item_id, func.count().label("n"))
        .where(Judgment.project_id == project.id)
        .group_by(Judgment.item_id)
        .subquery()
    )
    complete = session.scalar(select(func.count()).select_from(per_item).where(per_item.c.n >= project.overlap))
    leased = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.project_id == project.id, Assignment.status == AssignmentStatus.LEASED)
    )
    experts = session.scalar(
        select(func.count(func.distinct(Judgment.expert_id))).where(Judgment.project_id == project.id)
    )
    return {
        "project": project.slug,
        "overlap": project.overlap,
        "items": items,
        "judgments": judgments,
        "complete_items": complete,
        "active_leases": leased,
        "experts": experts,
    }
