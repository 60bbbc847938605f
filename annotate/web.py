"""Everything the web faces share: CSRF, the current user, error pages,
the page-or-fragment ``render()`` and the htmx response helpers."""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from functools import wraps
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2_fragments.flask import render_block
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from annotate import db, hardening, unit_of_work
from annotate.models import Role
from annotate.rendering import markdown, media_url

# The views' transaction markers and response builders, where the views find every other helper.
from annotate.unit_of_work import after_commit as after_commit
from annotate.unit_of_work import after_rollback as after_rollback
from annotate.unit_of_work import writes_late as writes_late
from annotate.unit_of_work import writes_nothing as writes_nothing

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    """CSRF, the request hooks, error pages and template helpers every face shares.
    (The blueprints are registered by ``create_app``; this module imports no view.)"""
    hardening.init_app(app)  # first: its bounded <int:…> converter must be in place before any rule
    csrf.init_app(app)
    # The write lock first: loading the user reads, and a writing request should read a
    # snapshot no other writer can change (annotate.unit_of_work owns the transaction).
    app.before_request(unit_of_work.writers_take_the_lock)
    app.before_request(_load_user)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DBAPIError, _database_unavailable)
    app.jinja_env.globals["static_asset"] = _static_asset
    app.jinja_env.filters["markdown"] = markdown
    app.jinja_env.filters["media_url"] = media_url


def _load_user() -> None:
    from annotate.auth.sessions import session_user

    g.user = None
    if request.blueprint == "api" or "user_id" not in session:
        return
    # The cookie's epoch against the user's (sign-out, a password change, deactivation end all
    # sessions), and the idle and absolute limits: annotate.auth.sessions.
    g.user = session_user(db.session(), current_app.config)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # No inline scripts anywhere: model output can never run as script.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https:; "
        "media-src 'self' https:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    return response


def _http_error(exc: HTTPException):
    if unit_of_work.wants_json():
        return jsonify({"error": exc.name, "message": exc.description}), exc.code
    return render_template("error.html", error=exc), exc.code


def _csrf_error(exc: CSRFError):
    return render_template("error.html", error=exc), 400


class DatabaseUnavailable(HTTPException):
    code = 503
    description = (
        "The database cannot be reached just now. Nothing you sent was lost or half-saved: try again in a few seconds."
    )


# SQLite reports a missing table as OperationalError too: only these are passing states.
_SQLITE_PASSING = ("database is locked", "unable to open database", "disk i/o error")


def _passing(exc: DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    if isinstance(exc.orig, sqlite3.Error):
        return any(text in str(exc.orig).lower() for text in _SQLITE_PASSING)
    return True  # PostgreSQL: the connection-level class (refused, terminated, timed out)


def _database_unavailable(exc: DBAPIError):
    # A database that restarts, fails over or (SQLite) stays locked past the busy timeout is
    # a passing state, not a bug: answer 503 with Retry-After, which clients and proxies retry,
    # instead of a 500 with a traceback. The transaction was not committed, so nothing is
    # half-written; the pool's pre-ping replaces dead connections once the database is back.
    if not _passing(exc):
        raise exc  # a constraint, data or schema error is a bug: the usual 500
    current_app.logger.warning("database unavailable (%s): %s", request.path, str(exc.orig).strip()[:300])
    with suppress(DBAPIError):  # the connection is gone: closing the session at teardown discards it
        db.session().rollback()
    g.user = None  # its attributes were expired by the rollback; the page must not reload them
    unavailable = DatabaseUnavailable()
    if unit_of_work.wants_json():
        response = jsonify({"error": unavailable.name, "message": unavailable.description})
    else:
        response = make_response(render_template("error.html", error=unavailable))
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def _static_asset(filename: str) -> str:
    return url_for("static", filename=filename)


# -- page or fragment -------------------------------------------------------------


def wants_fragment() -> bool:
    """True for an htmx request that is neither boosted nor a history restore (STYLE.md 6)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, block: str, status: int = 200, **context: Any) -> Response:
    """Render the whole page, or only ``block`` for an htmx fragment request."""
    body = render_block(template, block, **context) if wants_fragment() else render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def push_url(response: Response, url: str) -> Response:
    response.headers["HX-Push-Url"] = url
    return response


def trigger(response: Response, event: str) -> Response:
    response.headers["HX-Trigger"] = event
    return response


def client_redirect(url: str) -> BaseResponse:
    """Redirect: htmx follows HX-Redirect, a plain browser follows 303."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


# -- access -------------------------------------------------------------------------


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return client_redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles: Role):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
