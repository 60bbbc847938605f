"""The members page: add existing users, invite experts by email, offer memberships to accounts of other
projects, set project roles and per-project rates, deactivate."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import abort, flash, g, request, url_for
from sqlalchemy import select

from annotate import db
from annotate.auth import mailjobs, throttle
from annotate.auth.invitations import create_invitation, invitation_for_token
from annotate.auth.people import manages_account, may_send_link
from annotate.auth.services import UserError, add_user, normalize_email, parse_rate
from annotate.hardening import id_arg
from annotate.jobs.records import dispatch
from annotate.models import Job, MembershipInvitation, Project, ProjectMember, ProjectRole, Role, TermsAcceptance, User
from annotate.projects import queries
from annotate.projects.access import RESEARCH, project_for
from annotate.projects.offers import offer_membership, offers_of, set_member_rate, withdraw_offer
from annotate.projects.services import ProjectError, add_member, current_terms, set_member_active, set_member_role
from annotate.projects.views import bp
from annotate.web import after_commit, after_rollback, client_redirect, login_required, render

log = logging.getLogger("annotate.invitations")


def _after() -> int | None:
    return id_arg(request.args, "after")


def _members_page(
    project: Project, *, status: int = 200, error: str | None = None, invite_url: str | None = None, form=None
):
    session = db.session()
    page = queries.keyset(session, queries.members(project), ProjectMember.id, _after())
    terms = current_terms(session, project)
    accepted: set[int] = set()
    if terms is not None and terms.body:
        # One query for the page: who has accepted the current version.
        accepted = set(
            session.scalars(
                select(TermsAcceptance.user_id).where(
                    TermsAcceptance.project_id == project.id,
                    TermsAcceptance.version == terms.version,
                    TermsAcceptance.user_id.in_([user.id for _m, user in page.rows]),
                )
            )
        )
    return render(
        "projects/members.html",
        "content",
        status=status,
        project=project,
        page=page,
        roles=list(ProjectRole),
        error=error,
        invite_url=invite_url,
        form=form or {},
        terms=terms if terms is not None and terms.body else None,
        accepted=accepted,
        offers=session.execute(offers_of(project).limit(200)).all(),
        may_link={user.id for _m, user in page.rows if may_send_link(session, g.user, user)},
        unmailed=_unmailed(session, project),
    )


def _unmailed(session, project: Project) -> list[tuple[Job, int | None]]:
    """Mail of this project that could not be delivered (yet), each with the member to send a link to by hand."""
    jobs = session.scalars(mailjobs.failed_mail(project)).all()
    if not jobs:
        return []
    members = dict(
        session.execute(
            select(ProjectMember.user_id, ProjectMember.id).where(
                ProjectMember.project_id == project.id,
                ProjectMember.user_id.in_([job.payload.get("user_id") for job in jobs]),
            )
        ).all()
    )
    return [(job, members.get(job.payload.get("user_id"))) for job in jobs]


@bp.get("/p/<slug>/members")
@login_required
def members(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    return _members_page(project)


@bp.post("/p/<slug>/members")
@login_required
def add(slug: str):
    """Add a user by email. An unknown email becomes an invited expert with a one-time set-password
    link; an account with projects the researcher does not manage gets an offer to accept instead."""
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    form = request.form
    try:
        role = ProjectRole(form.get("role", "expert"))
    except ValueError:
        return _members_page(project, status=422, error="role: choose researcher, expert or reviewer", form=form)
    refusal = throttle.refused("invite", user=str(g.user.id))
    if refusal is not None:
        return _too_many(project, refusal, form)
    try:
        email = normalize_email(form.get("email", ""))
        user = session.scalar(User.by_email(email))
        link: Link | None = None
        if user is None:
            user = add_user(session, email, role=Role.EXPERT, name=form.get("name", ""))
            member = add_member(session, project, user, role)
            link = _link(session, project, user, role)
        elif not user.active:
            raise UserError(f"email: {email} belongs to a deactivated account; an admin can reactivate it")
        elif not manages_account(session, g.user, user):
            offer_membership(session, project, user, role, by=g.user)
            where = url_for("projects.invitations", _external=True)
            job = mailjobs.queue_offer(session, user, project, g.user, where) if mailjobs.mail_configured() else None
            return after_commit(_offered, project, user, role, job)
        else:
            member = add_member(session, project, user, role)
            if may_send_link(session, g.user, user):
                link = _link(session, project, user, role)
    except (UserError, ProjectError) as exc:
        return after_rollback(_members_page, project, status=422, error=str(exc), form=form)
    # The link is mailed only once its invitation is committed.
    return after_commit(_added, project, user, member, link)


def _added(project: Project, user: User, member: ProjectMember, link: Link | None):
    if link is None:
        flash(f"{user.email} is now {member.role.value} in this project.")
        return client_redirect(url_for("projects.members", slug=project.slug))
    return _deliver(project, user, link, again=False)


def _offered(project: Project, user: User, role: ProjectRole, job):
    throttle.count("invite", user=str(g.user.id))
    if job is not None:
        dispatch(job)
    flash(
        f"{user.email} already has an account used in projects you do not manage: they are invited "
        f"as {role.value} and join when they accept, after signing in"
        + (" (they are being mailed)." if job is not None else "; tell them to look under Invitations.")
    )
    return client_redirect(url_for("projects.members", slug=project.slug))


@dataclass(frozen=True)
class Link:
    """A set-password link: shown to the inviter (``url``), or mailed by a job (``job``)."""

    url: str | None
    job: Job | None


def _link(session, project: Project, user: User, role: ProjectRole, *, by_hand: bool = False) -> Link:
    token = create_invitation(session, user, created_by=g.user, project=project, role=role)
    if mailjobs.mail_configured() and not by_hand:
        # The job makes the link's token itself, just before mailing it: this one is never seen.
        invitation = invitation_for_token(session, token)
        return Link(None, mailjobs.queue_invitation(session, invitation.id, user, project, g.user, request.url_root))
    return Link(url_for("auth.invitation", token=token, _external=True), None)


def _deliver(project: Project, user: User, link: Link, *, again: bool):
    throttle.count("invite", user=str(g.user.id))
    if link.job is not None:
        dispatch(link.job)
        flash(
            f"A set-password link is being mailed {'again ' if again else ''}to {user.email}. "
            "If it cannot be delivered, this page says so."
        )
        return client_redirect(url_for("projects.members", slug=project.slug))
    # No mail server (or passed on by hand): shown once, never stored in the clear, never logged.
    log.warning("set-password link for %s shown to the inviter", user.email)
    return _members_page(project, invite_url=link.url, form={"invited": user.email})


def _too_many(project: Project, refusal: throttle.Refusal, form=None):
    response = _members_page(project, status=429, error=refusal.message, form=form)
    response.headers["Retry-After"] = str(refusal.wait)
    return response


def _member(project: Project, member_id: int) -> ProjectMember:
    member = db.session().get(ProjectMember, member_id)
    if member is None or member.project_id != project.id:
        abort(404)
    return member


@bp.post("/p/<slug>/members/<int:member_id>")
@login_required
def update(slug: str, member_id: int):
    """Change a member's project role, or deactivate / reactivate the membership."""
    project, _me = project_for(g.user, slug, RESEARCH)
    member = _member(project, member_id)
    session = db.session()
    try:
        if "role" in request.form:
            try:
                role = ProjectRole(request.form["role"])
            except ValueError:
                raise ProjectError("role: choose researcher, expert or reviewer") from None
            set_member_role(session, member, role, by=g.user)
        if "active" in request.form:
            set_member_active(session, member, request.form["active"] == "1", by=g.user)
    except ProjectError as exc:
        return after_rollback(_members_page, project, status=422, error=str(exc))
    state = "" if member.active else " (deactivated)"
    flash(f"{member.user.email} is {member.role.value} in this project{state}.")
    return client_redirect(url_for("projects.members", slug=project.slug))


@bp.post("/p/<slug>/members/<int:member_id>/invitation")
@login_required
def reinvite(slug: str, member_id: int):
    """A new set-password link for a member who has not set a password yet (the old link stops working)."""
    project, _me = project_for(g.user, slug, RESEARCH)
    member = _member(project, member_id)
    session = db.session()
    if not may_send_link(session, g.user, member.user):
        return _members_page(
            project,
            status=409,
            error=f"{member.user.email} has already set a password, or belongs to projects you do not manage: "
            "only an admin may send them a link",
        )
    refusal = throttle.refused("invite", user=str(g.user.id))
    if refusal is not None:
        return _too_many(project, refusal)
    # "by hand": the researcher passes the link on (the mail could not be delivered).
    link = _link(session, project, member.user, member.role, by_hand=request.form.get("by") == "hand")
    return after_commit(_deliver, project, member.user, link, again=True)


@bp.post("/p/<slug>/members/<int:member_id>/rate")
@login_required
def member_rate(slug: str, member_id: int):
    """This project's hourly rate for a member, where it differs from their own (empty: theirs)."""
    project, _me = project_for(g.user, slug, RESEARCH)
    member = _member(project, member_id)
    session = db.session()
    try:
        set_member_rate(session, member, parse_rate(request.form.get("hourly_rate")))
    except UserError as exc:
        error = str(exc).replace("hourly_rate:", f"rate of {member.user.email}:")
        return after_rollback(_members_page, project, status=422, error=error)
    rate = member.hourly_rate if member.hourly_rate is not None else "their own rate"
    flash(f"{member.user.email}: {rate} in this project.")
    return client_redirect(url_for("projects.members", slug=project.slug))


@bp.post("/p/<slug>/offers/<int:offer_id>/withdraw")
@login_required
def withdraw(slug: str, offer_id: int):
    """Withdraw a membership offered and not yet accepted."""
    project, _me = project_for(g.user, slug, RESEARCH)
    session = db.session()
    offer = session.get(MembershipInvitation, offer_id)
    if offer is None or offer.project_id != project.id:
        abort(404)
    email = offer.user.email
    withdraw_offer(session, offer)
    flash(f"Invitation of {email} withdrawn.")
    return client_redirect(url_for("projects.members", slug=project.slug))
