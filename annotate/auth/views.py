"""Sign in and out, set a password through an invitation, profiles."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from annotate import db
from annotate.auth.invitations import InvitationError, invitation_for_token, redeem_invitation
from annotate.auth.people import can_edit_profile, can_view_profile, terms_accepted
from annotate.auth.services import UserError, authenticate, parse_rate, parse_tags, update_profile
from annotate.models import User
from annotate.web import auth_stamp, login_required, writes_nothing

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


@bp.route("/login", methods=["GET", "POST"])
@writes_nothing
def login():
    if request.method == "GET":
        if g.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template(
            "auth/login.html", next=request.args.get("next", ""), signed_out=request.args.get("signed_out") == "1"
        )
    email = request.form.get("email", "")
    user = authenticate(db.session(), email, request.form.get("password", ""))
    if user is None:
        return render_template(
            "auth/login.html", error="Email or password is wrong.", email=email, next=request.form.get("next", "")
        ), 401
    session.clear()
    session["user_id"] = user.id
    session["auth_stamp"] = auth_stamp(user)
    session.permanent = True
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.post("/logout")
@writes_nothing
def logout():
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
    try:
        invite = invitation_for_token(dbs, token)
    except InvitationError as exc:
        return render_template("auth/invitation.html", invalid=str(exc)), 410
    if request.method == "GET":
        return render_template("auth/invitation.html", invitation=invite)
    password = request.form.get("password", "")
    if password != request.form.get("confirm", ""):
        return render_template("auth/invitation.html", invitation=invite, error="The two passwords differ."), 422
    try:
        user = redeem_invitation(dbs, token, password)
    except UserError as exc:
        dbs.rollback()
        return render_template("auth/invitation.html", invitation=invite, error=str(exc)), 422
    except InvitationError as exc:
        dbs.rollback()
        return render_template("auth/invitation.html", invalid=str(exc)), 410
    dbs.commit()
    session.clear()
    session["user_id"] = user.id
    session["auth_stamp"] = auth_stamp(user)
    session.permanent = True
    return redirect(url_for("workbench.home"), 303)


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
    return render_template(
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
        dbs.rollback()
        accepted = terms_accepted(dbs, g.user, user)
        return render_template(
            "auth/profile.html", user=user, editable=True, form=request.form, error=str(exc), accepted=accepted
        ), 422
    dbs.commit()
    flash("Profile saved.")
    return redirect(url_for("auth.profile", user_id=user.id), 303)
