"""Who may see and edit whose profile."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from annotate.models import Project, ProjectMember, ProjectRole, Role, TermsAcceptance, User


def researches(session: Session, researcher: User, user: User) -> bool:
    """True if ``user`` is a member of a project in which ``researcher`` is an active researcher."""
    mine = aliased(ProjectMember)
    theirs = aliased(ProjectMember)
    stmt = (
        select(theirs.id)
        .join(mine, mine.project_id == theirs.project_id)
        .where(
            mine.user_id == researcher.id,
            mine.role == ProjectRole.RESEARCHER,
            mine.active.is_(True),
            theirs.user_id == user.id,
        )
        .limit(1)
    )
    return session.scalar(stmt) is not None


def can_view_profile(session: Session, viewer: User, user: User) -> bool:
    """Admins see everyone; anyone sees themselves; researchers see the members of their projects."""
    return (
        viewer.is_admin
        or viewer.id == user.id
        or (viewer.role is Role.RESEARCHER and researches(session, viewer, user))
    )


def can_edit_profile(session: Session, editor: User, user: User) -> bool:
    """Admins edit everyone; researchers edit the experts of their projects (not other researchers)."""
    if editor.is_admin:
        return True
    return editor.role is Role.RESEARCHER and user.role is Role.EXPERT and researches(session, editor, user)


def terms_accepted(session: Session, viewer: User, user: User, limit: int = 100) -> list[tuple[str, int, object]]:
    """(project title, terms version, accepted at) of ``user``'s acceptances that ``viewer`` may see, newest first:
    all of them for the user themselves and admins, those of the viewer's own projects for a researcher."""
    stmt = (
        select(Project.title, TermsAcceptance.version, TermsAcceptance.accepted_at)
        .join(Project, Project.id == TermsAcceptance.project_id)
        .where(TermsAcceptance.user_id == user.id)
        .order_by(TermsAcceptance.accepted_at.desc())
        .limit(limit)
    )
    if not (viewer.is_admin or viewer.id == user.id):
        mine = select(ProjectMember.project_id).where(
            ProjectMember.user_id == viewer.id,
            ProjectMember.role == ProjectRole.RESEARCHER,
            ProjectMember.active.is_(True),
        )
        stmt = stmt.where(TermsAcceptance.project_id.in_(mine))
    return [tuple(row) for row in session.execute(stmt)]
