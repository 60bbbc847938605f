"""Sign in and out, set a password through an invitation, profiles."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, make_response, redirect, request, session, url_for

from annotate import db
from annotate.auth import throttle
from annotate.auth.invitations import InvitationError, invitation_for_token, redeem_invitation
from annotate.auth.people import can_edit_profile, can_view_profile, terms_accepted
from annotate.auth.services import (
    UserError,
    authenticate,
    change_password,
    end_sessions,
    parse_rate,
    parse_tags,
    update_profile,
)
from annotate.auth.sessions import start_session
from annotate.models import User
from annotate.web import after_rollback, login_required, render, writes_nothing

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a same-origin relative path, never an open redirect: no scheme or host, no ``//``
    or ``/\\`` (browsers read a backslash as a slash), no control characters (browsers drop
    tabs and newlines inside URLs, and CR/LF would split the Location header)."""
    home = url_for("workbench.home")
    if not target or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return home
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target


def _page(template: str, **context):
    """An auth page; an htmx request that is not a boosted navigation gets its content block only,
    which app.js swaps in like any other refusal (a whole page would only reach the page alert)."""
    return render(template, "content", **context)


def _too_many(template: str, refusal, **context):
    """The page again with the refusal next to the form: HTTP 429 and Retry-After."""
    response = make_response(_page(template, error=refusal.message, **context), 429)
    response.headers["Retry-After"] = str(refusal.wait)
    return response


@bp.route("/login", methods=["GET", "POST"])
@writes_nothing
def login():
    if request.method == "GET":
        if g.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        return _page(
            "auth/login.html", next=request.args.get("next", ""), signed_out=request.args.get("signed_out") == "1"
        )
    email = request.form.get("email", "")
    account = email.strip().lower()
    back = {"email": email, "next": request.form.get("next", "")}
    # Checked before the password: once the limit is reached even the right one is refused.
    refusal = throttle.refused("login", account=account, address=throttle.address())
    if refusal is not None:
        return _too_many("auth/login.html", refusal, **back)
    user = authenticate(db.session(), email, request.form.get("password", ""))
    if user is None:
        throttle.count("login", account=account, address=throttle.address())
        return _page("auth/login.html", error="Email or password is wrong.", **back), 401
    start_session(user)
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.post("/logout")
def logout():
    """Sign out here and everywhere else: every session of the user ends (their epoch moves on)."""
    if g.user is not None:
        end_sessions(db.session(), g.user)
    session.clear()
    response = redirect(url_for("auth.login", signed_out=1), 303)
    # The browser forgets what it kept for this person: drafts in localStorage and cached media.
    # The signed-out page clears the app's keys too, for browsers that ignore this header.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


# -- invitations: a one-time link to set a password ------------------------------------------


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Set a password through a one-time link, then sign in."""
    dbs = db.session()
    refusal = throttle.refused("link", address=throttle.address())
    if refusal is not None:
        return _too_many("auth/invitation.html", refusal, invalid=refusal.message)
    try:
        invite = invitation_for_token(dbs, token)
    except InvitationError as exc:
        throttle.count("link", address=throttle.address())
        return _page("auth/invitation.html", invalid=str(exc)), 410
    if request.method == "GET":
        return _page("auth/invitation.html", invitation=invite)
    password = request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        return _page("auth/invitation.html", invitation=invite, error="The two passwords differ."), 422
    try:
        user = redeem_invitation(dbs, token, password)
    except UserError as exc:
        return after_rollback(_invitation_page, invitation=invite, error=str(exc), status=422)
    except InvitationError as exc:
        return after_rollback(_invitation_page, invalid=str(exc), status=410)
    start_session(user)
    return redirect(url_for("workbench.home"), 303)


def _invitation_page(status: int, **context):
    return _page("auth/invitation.html", **context), status


# -- profiles ---------------------------------------------------------------------------------------


@bp.get("/profile")
@login_required
def own_profile():
    return redirect(url_for("auth.profile", user_id=g.user.id))


def _profile_user(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None or not can_view_profile(db.session(), g.user, user):
        abort(404)
    return user


@bp.get("/people/<int:user_id>")
@login_required
def profile(user_id: int):
    user = _profile_user(user_id)
    return _page(
        "auth/profile.html",
        user=user,
        editable=can_edit_profile(db.session(), g.user, user),
        form=None,
        accepted=terms_accepted(db.session(), g.user, user),
    )


@bp.post("/people/<int:user_id>")
@login_required
def save_profile(user_id: int):
    user = _profile_user(user_id)
    dbs = db.session()
    if not can_edit_profile(dbs, g.user, user):
        abort(403)
    try:
        update_profile(
            user,
            name=request.form.get("name", ""),
            expertise=parse_tags(request.form.get("expertise", "")),
            hourly_rate=parse_rate(request.form.get("hourly_rate")),
        )
    except UserError as exc:
        return after_rollback(_refused_profile, user, str(exc))
    flash("Profile saved.")
    return redirect(url_for("auth.profile", user_id=user.id), 303)


def _refused_profile(user: User, error: str):
    accepted = terms_accepted(db.session(), g.user, user)
    return _page("auth/profile.html", user=user, editable=True, form=request.form, error=error, accepted=accepted), 422


@bp.post("/profile/password")
@login_required
def change_own_password():
    """Change one's own password: every other session ends and the API tokens are revoked; this one
    goes on under a fresh cookie. A wrong current password counts as a failed sign-in."""
    dbs = db.session()
    user = g.user
    account = user.email.lower()

    def again(status: int, error: str):
        page = _page(
            "auth/profile.html",
            user=user,
            editable=can_edit_profile(dbs, user, user),
            form=None,
            accepted=terms_accepted(dbs, user, user),
            password_error=error,
        )
        return make_response(page, status)

    refusal = throttle.refused("login", account=account, address=throttle.address())
    if refusal is not None:
        response = again(429, refusal.message)
        response.headers["Retry-After"] = str(refusal.wait)
        return response
    if authenticate(dbs, user.email, request.form.get("current", "")) is None:
        throttle.count("login", account=account, address=throttle.address())
        return again(422, "current password: that is not your current password")
    password = request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        return again(422, "new password: the two entries differ")
    try:
        change_password(dbs, user, password)
    except UserError as exc:
        return after_rollback(again, 422, f"new {exc}")
    start_session(user)
    flash("Password changed. You are signed out everywhere else, and your API tokens are revoked.")
    return redirect(url_for("auth.profile", user_id=user.id), 303)
