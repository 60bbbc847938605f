"""Who may see a project: checked on every page, fragment and API call."""

from __future__ import annotations

from flask import abort
from sqlalchemy import and_, select

from annotate import db
from annotate.models import Project, ProjectMember, ProjectRole, User

RESEARCH = (ProjectRole.RESEARCHER,)
WORK = (ProjectRole.EXPERT, ProjectRole.REVIEWER, ProjectRole.RESEARCHER)


def project_for(user: User, slug: str, roles: tuple[ProjectRole, ...]) -> tuple[Project, ProjectMember | None]:
    """The project if ``user`` holds one of ``roles`` in it (admins hold all); 404 otherwise,
    so that a project's existence is not revealed to outsiders."""
    # The project and the user's active membership in one query: this runs on every request.
    row = db.session().execute(
        select(Project, ProjectMember)
        .outerjoin(
            ProjectMember,
            and_(ProjectMember.project_id == Project.id, ProjectMember.user_id == user.id, ProjectMember.active.is_(True)),
        )
        .where(Project.slug == slug, Project.archived.is_(False))
    ).first()
    if row is None:
        abort(404)
    project, member = row
    if user.is_admin:
        return project, member
    if member is None or member.role not in roles:
        abort(404)
    return project, member


def can_research(user: User, member: ProjectMember | None) -> bool:
    return user.is_admin or (member is not None and member.role is ProjectRole.RESEARCHER)
