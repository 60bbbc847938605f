"""Who may see a project: checked on every page, fragment and API call."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, and_, bindparam, select

from annotate import db
from annotate.db import prebuilt
from annotate.models import Project, ProjectMember, ProjectRole, User

RESEARCH = (ProjectRole.RESEARCHER,)
WORK = (ProjectRole.EXPERT, ProjectRole.REVIEWER, ProjectRole.RESEARCHER)


def project_for(user: User, slug: str, roles: tuple[ProjectRole, ...]) -> tuple[Project, ProjectMember | None]:
    """The project if ``user`` holds one of ``roles`` in it (admins hold all); 404 otherwise,
    so that a project's existence is not revealed to outsiders."""
    return _checked(user, roles, _with_membership("slug"), {"project_key": slug, "member": user.id})


def project_by_id_for(
    user: User, project_id: int, roles: tuple[ProjectRole, ...]
) -> tuple[Project, ProjectMember | None]:
    """``project_for`` by the project's id (for a row that names its project, such as an assignment)."""
    return _checked(user, roles, _with_membership("id"), {"project_key": project_id, "member": user.id})


def _checked(
    user: User, roles: tuple[ProjectRole, ...], statement: Select, params: dict
) -> tuple[Project, ProjectMember | None]:
    row = db.session().execute(statement, params).first()
    if row is None:
        abort(404)
    project, member = row
    if user.is_admin:
        return project, member
    if member is None or member.role not in roles:
        abort(404)
    return project, member


@prebuilt
def _with_membership(key: str) -> Select:
    """The project (by ``key``: "slug" or "id") and the user's active membership in one query:
    this runs on every request."""
    return (
        select(Project, ProjectMember)
        .outerjoin(
            ProjectMember,
            and_(
                ProjectMember.project_id == Project.id,
                ProjectMember.user_id == bindparam("member"),
                ProjectMember.active.is_(True),
            ),
        )
        .where(getattr(Project, key) == bindparam("project_key"), Project.archived.is_(False))
    )


def can_research(user: User, member: ProjectMember | None) -> bool:
    return user.is_admin or (member is not None and member.role is ProjectRole.RESEARCHER)
