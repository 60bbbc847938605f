"""Memberships offered to existing accounts: made by a researcher who may not manage all of the
account's projects, accepted or declined by the account's owner after signing in."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from annotate.models import MembershipInvitation, Project, ProjectMember, ProjectRole, User
from annotate.projects.services import ProjectError, add_member


def offer_membership(
    session: Session, project: Project, user: User, role: ProjectRole, *, by: User
) -> MembershipInvitation:
    """Offer ``user`` a membership of ``project``; offering again changes the role of the pending offer."""
    member = session.scalar(
        select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user.id)
    )
    if member is not None and member.active:
        raise ProjectError(f"email: {user.email} is already a member; change their role in the list below")
    offer = session.scalar(
        select(MembershipInvitation).where(
            MembershipInvitation.project_id == project.id, MembershipInvitation.user_id == user.id
        )
    )
    if offer is None:
        offer = MembershipInvitation(project_id=project.id, user_id=user.id, role=role, invited_by_id=by.id)
        session.add(offer)
    else:
        offer.role = role
        offer.invited_by_id = by.id
    session.flush()
    return offer


def accept_offer(session: Session, offer: MembershipInvitation) -> ProjectMember:
    """The invitee accepts: they become a member with the offered role, and the offer is used up."""
    member = add_member(session, offer.project, offer.user, offer.role)
    session.delete(offer)
    session.flush()
    return member


def withdraw_offer(session: Session, offer: MembershipInvitation) -> None:
    """The invitee declines, or a researcher of the project withdraws the offer."""
    session.delete(offer)
    session.flush()


def offers_for(user: User) -> Select:
    """Select the memberships offered to ``user`` in live projects, oldest first."""
    return (
        select(MembershipInvitation)
        .join(Project, Project.id == MembershipInvitation.project_id)
        .where(MembershipInvitation.user_id == user.id, Project.archived.is_(False))
        .order_by(MembershipInvitation.created_at, MembershipInvitation.id)
    )


def count_offers_for(session: Session, user: User) -> int:
    """How many memberships wait for ``user``'s answer."""
    return session.scalar(select(func.count()).select_from(offers_for(user).order_by(None).subquery())) or 0


def offers_of(project: Project) -> Select:
    """Select (offer, user) for the memberships offered in ``project`` and not yet answered."""
    return (
        select(MembershipInvitation, User)
        .join(User, User.id == MembershipInvitation.user_id)
        .where(MembershipInvitation.project_id == project.id)
        .order_by(MembershipInvitation.created_at, MembershipInvitation.id)
    )


def set_member_rate(session: Session, member: ProjectMember, rate: Decimal | None) -> None:
    """This project's hourly rate for a member; None falls back to the rate on their profile."""
    member.hourly_rate = rate
    session.flush()
