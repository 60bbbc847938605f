"""Sign in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from annotate import db
from annotate.auth.services import authenticate
from annotate.web import auth_stamp, writes_nothing

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, never an open redirect."""
    if not target:
        return url_for("workbench.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("workbench.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
@writes_nothing
def login():
    if request.method == "GET":
        if g.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render_template("auth/login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    user = authenticate(db.session(), email, request.form.get("password", ""))
    if user is None:
        return render_template("auth/login.html", error="Email or password is wrong.", email=email, next=request.form.get("next", "")), 401
    session.clear()
    session["user_id"] = user.id
    session["auth_stamp"] = auth_stamp(user)
    session.permanent = True
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.post("/logout")
@writes_nothing
def logout():
    session.clear()
    return redirect(url_for("auth.login"), 303)
