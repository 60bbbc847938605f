"""The admin's user management page: create users, change roles, deactivate, issue set-password links.

Self-registration does not exist: accounts come from here, from a researcher's
invitation, or from ``annotate users add``.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, request, url_for

from annotate import db
from annotate.auth import mailjobs, throttle
from annotate.auth.invitations import create_invitation, deliver_invitation, invitation_for_token
from annotate.auth.services import UserError, add_user, end_sessions, parse_rate, parse_tags, set_active, set_role
from annotate.hardening import id_arg
from annotate.jobs.records import dispatch
from annotate.models import Role, User
from annotate.projects import queries
from annotate.web import after_commit, after_rollback, client_redirect, render, roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(*, status: int = 200, error: str | None = None, link: tuple[str, str] | None = None, form=None):
    search = request.args.get("q", "").strip()
    page = queries.keyset(db.session(), queries.users(search), User.id, id_arg(request.args, "after"))
    return render(
        "admin/users.html",
        "content",
        status=status,
        page=page,
        roles=list(Role),
        error=error,
        link=link,
        form=form or {},
        search=search,
    )


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    return _page()


@bp.post("/users")
@roles_required(Role.ADMIN)
def create():
    """Create a user; they get a one-time link to set their own password."""
    session = db.session()
    form = request.form
    refusal = throttle.refused("invite", user=str(g.user.id))
    if refusal is not None:
        return _too_many(refusal, form=form)
    try:
        try:
            role = Role(form.get("role", "expert"))
        except ValueError:
            raise UserError("role: choose admin, researcher or expert") from None
        user = add_user(
            session,
            form.get("email", ""),
            role=role,
            name=form.get("name", ""),
            expertise=parse_tags(form.get("expertise", "")),
            hourly_rate=parse_rate(form.get("hourly_rate")),
        )
        token = create_invitation(session, user, created_by=g.user)
        job = None
        if mailjobs.mail_configured():
            # The job makes the link's token itself, just before mailing it: this one is never seen.
            invitation = invitation_for_token(session, token)
            job = mailjobs.queue_invitation(session, invitation.id, user, None, g.user, request.url_root)
    except UserError as exc:
        return after_rollback(_page, status=422, error=str(exc), form=form)
    return after_commit(_deliver, user, token, f"Created {user.role.value} {user.email}.", job)


def _too_many(refusal: throttle.Refusal, form=None):
    response = _page(status=429, error=refusal.message, form=form)
    response.headers["Retry-After"] = str(refusal.wait)
    return response


def _deliver(user: User, token: str, done: str, job=None):
    throttle.count("invite", user=str(g.user.id))
    if job is not None:
        dispatch(job)
        flash(f"{done} A set-password link is being mailed to them.")
        return client_redirect(url_for("admin.users"))
    delivery = deliver_invitation(
        current_app.config, user, url_for("auth.invitation", token=token, _external=True), project=None, inviter=g.user
    )
    return _page(link=(user.email, delivery.url))


def _user(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.post("/users/<int:user_id>")
@roles_required(Role.ADMIN)
def update(user_id: int):
    """Change a user's global role, or deactivate / reactivate them (which ends their sessions and tokens)."""
    user = _user(user_id)
    session = db.session()
    try:
        if "role" in request.form:
            try:
                role = Role(request.form["role"])
            except ValueError:
                raise UserError("role: choose admin, researcher or expert") from None
            set_role(session, user, role, by=g.user)
        if "active" in request.form:
            set_active(session, user, request.form["active"] == "1", by=g.user)
    except UserError as exc:
        return after_rollback(_page, status=422, error=str(exc))
    flash(f"{user.email}: {user.role.value}, {'active' if user.active else 'deactivated'}.")
    return client_redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/link")
@roles_required(Role.ADMIN)
def link(user_id: int):
    """A new one-time set-password link (a reset): the current password keeps working until it is used."""
    user = _user(user_id)
    if not user.active:
        return _page(status=409, error=f"{user.email} is deactivated; reactivate them first")
    refusal = throttle.refused("invite", user=str(g.user.id))
    if refusal is not None:
        return _too_many(refusal)
    session = db.session()
    token = create_invitation(session, user, created_by=g.user)
    return after_commit(_deliver, user, token, f"New link for {user.email}.")


@bp.post("/users/<int:user_id>/sign-out")
@roles_required(Role.ADMIN)
def sign_out(user_id: int):
    """End every browser session of a user, on every device (their API tokens are kept)."""
    user = _user(user_id)
    session = db.session()
    end_sessions(session, user)
    flash(f"{user.email} is signed out everywhere.")
    return client_redirect(url_for("admin.users"))
