"""The members page: add existing users, invite experts by email, set project roles, deactivate."""

from __future__ import annotations

from flask import abort, current_app, flash, g, request, url_for
from sqlalchemy import select

from annotate import db
from annotate.auth.invitations import create_invitation, deliver_invitation
from annotate.auth.services import UserError, add_user, normalize_email
from annotate.hardening import id_arg
from annotate.models import Project, ProjectMember, ProjectRole, Role, TermsAcceptance, User
from annotate.projects import queries
from annotate.projects.access import RESEARCH, project_for
from annotate.projects.services import ProjectError, add_member, current_terms, set_member_active, set_member_role
from annotate.projects.views import bp
from annotate.web import client_redirect, login_required, render


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
    )


@bp.get("/p/<slug>/members")
@login_required
def members(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    return _members_page(project)


@bp.post("/p/<slug>/members")
@login_required
def add(slug: str):
    """Add a user by email; an unknown email becomes an invited expert with a one-time set-password link."""
    project, _member = project_for(g.user, slug, RESEARCH)
    session = db.session()
    form = request.form
    try:
        role = ProjectRole(form.get("role", "expert"))
    except ValueError:
        return _members_page(project, status=422, error="role: choose researcher, expert or reviewer", form=form)
    try:
        email = normalize_email(form.get("email", ""))
        user = session.scalar(User.by_email(email))
        invited = user is None
        if user is None:
            user = add_user(session, email, role=Role.EXPERT, name=form.get("name", ""))
        elif not user.active:
            raise UserError(f"email: {email} belongs to a deactivated account; an admin can reactivate it")
        member = add_member(session, project, user, role)
        url = None
        if invited or _may_invite(user):
            token = create_invitation(session, user, created_by=g.user, project=project, role=role)
            url = url_for("auth.invitation", token=token, _external=True)
    except (UserError, ProjectError) as exc:
        session.rollback()
        return _members_page(project, status=422, error=str(exc), form=form)
    session.commit()
    if url is None:
        flash(f"{user.email} is now {member.role.value} in this project.")
        return client_redirect(url_for("projects.members", slug=project.slug))
    delivery = deliver_invitation(current_app.config, user, url, project=project, inviter=g.user)
    if delivery.mailed:
        flash(f"Invitation mailed to {user.email}.")
        return client_redirect(url_for("projects.members", slug=project.slug))
    # No mail server: the researcher passes the link on. Shown once, never stored in the clear.
    return _members_page(project, invite_url=delivery.url, form={"invited": user.email})


def _may_invite(user: User) -> bool:
    """A set-password link may go to an account with no password yet. Only admins may issue one
    for a researcher or admin account: a link sets the password, so it hands over the account."""
    return user.password_hash is None and (g.user.is_admin or user.role is Role.EXPERT)


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
        session.rollback()
        return _members_page(project, status=422, error=str(exc))
    session.commit()
    state = "" if member.active else " (deactivated)"
    flash(f"{member.user.email} is {member.role.value} in this project{state}.")
    return client_redirect(url_for("projects.members", slug=project.slug))


@bp.post("/p/<slug>/members/<int:member_id>/invitation")
@login_required
def reinvite(slug: str, member_id: int):
    """A new set-password link for a member who has not set a password yet (the old link stops working)."""
    project, _me = project_for(g.user, slug, RESEARCH)
    member = _member(project, member_id)
    if not _may_invite(member.user):
        return _members_page(
            project,
            status=409,
            error=f"{member.user.email} has already set a password, or only an admin may send them a link",
        )
    session = db.session()
    token = create_invitation(session, member.user, created_by=g.user, project=project, role=member.role)
    session.commit()
    url = url_for("auth.invitation", token=token, _external=True)
    delivery = deliver_invitation(current_app.config, member.user, url, project=project, inviter=g.user)
    if delivery.mailed:
        flash(f"Invitation mailed again to {member.user.email}.")
        return client_redirect(url_for("projects.members", slug=project.slug))
    return _members_page(project, invite_url=delivery.url, form={"invited": member.user.email})
