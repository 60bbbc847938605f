"""Who may see and edit whose profile."""

from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, aliased

from annotate.models import Invitation, Project, ProjectMember, ProjectRole, Role, TermsAcceptance, User


def _researched(researcher: User) -> Select:
    """The ids of the projects in which ``researcher`` is an active researcher."""
    return select(ProjectMember.project_id).where(
        ProjectMember.user_id == researcher.id,
        ProjectMember.role == ProjectRole.RESEARCHER,
        ProjectMember.active.is_(True),
    )


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


def shares_active_project(session: Session, researcher: User, user: User) -> bool:
    """True if ``user`` is an active member of a live (not archived) project in which ``researcher``
    is an active researcher."""
    mine = aliased(ProjectMember)
    theirs = aliased(ProjectMember)
    stmt = (
        select(theirs.id)
        .join(mine, mine.project_id == theirs.project_id)
        .join(Project, Project.id == theirs.project_id)
        .where(
            mine.user_id == researcher.id,
            mine.role == ProjectRole.RESEARCHER,
            mine.active.is_(True),
            theirs.user_id == user.id,
            theirs.active.is_(True),
            Project.archived.is_(False),
        )
        .limit(1)
    )
    return session.scalar(stmt) is not None


def can_edit_profile(session: Session, editor: User, user: User) -> bool:
    """Admins edit everyone; a researcher edits an expert's global fields (expertise, rate) only while
    they share a live project as its researcher: having once shared one, or sharing one the expert
    has left, is not enough."""
    if editor.is_admin:
        return True
    return editor.role is Role.RESEARCHER and user.role is Role.EXPERT and shares_active_project(session, editor, user)


def manages_account(session: Session, manager: User, user: User) -> bool:
    """True if ``manager`` may manage every project ``user`` belongs to or was invited from: an admin,
    or a researcher of each of them. Only then may they add the account to a project directly (and,
    see ``may_send_link``, hand out its set-password link); otherwise they offer a membership."""
    if manager.is_admin:
        return True
    mine = _researched(manager)
    foreign_membership = exists().where(ProjectMember.user_id == user.id, ProjectMember.project_id.not_in(mine))
    # An invitation from no project came from an admin (or the CLI): not a researcher's to reissue.
    foreign_invitation = exists().where(
        Invitation.user_id == user.id, (Invitation.project_id.is_(None)) | Invitation.project_id.not_in(mine)
    )
    return not session.scalar(select(foreign_membership | foreign_invitation))


def may_send_link(session: Session, sender: User, user: User) -> bool:
    """A set-password link sets the password, so it hands over the account. It may go to an active
    account with no password yet, from an admin, or from a researcher for an expert whom they invited
    through a project of theirs and all of whose projects they manage."""
    if not user.active or user.password_hash is not None:
        return False
    if sender.is_admin:
        return True
    invited = session.scalar(select(exists().where(Invitation.user_id == user.id)))
    return user.role is Role.EXPERT and bool(invited) and manages_account(session, sender, user)


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
        stmt = stmt.where(TermsAcceptance.project_id.in_(_researched(viewer)))
    return [(row[0], row[1], row[2]) for row in session.execute(stmt)]
