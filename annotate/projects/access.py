"""Who may see a project: checked on every page, fragment and API call."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from annotate import db
from annotate.models import Project, ProjectMember, ProjectRole, User
from annotate.projects.services import membership

RESEARCH = (ProjectRole.RESEARCHER,)
WORK = (ProjectRole.EXPERT, ProjectRole.REVIEWER, ProjectRole.RESEARCHER)


def project_for(user: User, slug: str, roles: tuple[ProjectRole, ...]) -> tuple[Project, ProjectMember | None]:
    """The project if ``user`` holds one of ``roles`` in it (admins hold all); 404 otherwise,
    so that a project's existence is not revealed to outsiders."""
    project = db.session().scalar(select(Project).where(Project.slug == slug, Project.archived.is_(False)))
    if project is None:
        abort(404)
    member = membership(db.session(), project, user)
    if user.is_admin:
        return project, member
    if member is None or member.role not in roles:
        abort(404)
    return project, member


def can_research(user: User, member: ProjectMember | None) -> bool:
    return user.is_admin or (member is not None and member.role is ProjectRole.RESEARCHER)
