"""Everything the web faces share: CSRF, the current user, blueprints, error pages,
the page-or-fragment ``render()`` and the htmx response helpers."""

from __future__ import annotations

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
from werkzeug.exceptions import HTTPException

from annotate import db
from annotate.models import Role, User
from annotate.rendering import markdown, media_url

csrf = CSRFProtect()
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def init_app(app: Flask) -> None:
    import annotate.assign.api
    import annotate.browse.api
    import annotate.ingest.api
    import annotate.review.api  # noqa: F401  (adds its routes to the API blueprint)
    from annotate.api.views import bp as api_bp
    from annotate.auth.admin import bp as admin_bp
    from annotate.auth.views import bp as auth_bp
    from annotate.browse.views import bp as browse_bp
    from annotate.export.views import bp as export_bp
    from annotate.ingest.views import bp as ingest_bp
    from annotate.kinds.views import bp as kinds_bp
    from annotate.projects.views import bp as projects_bp
    from annotate.review.views import bp as review_bp
    from annotate.workbench.views import bp as workbench_bp

    csrf.init_app(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(workbench_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(browse_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(kinds_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(export_bp)
    app.register_blueprint(ingest_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # bearer tokens only; the API never reads the session cookie

    # The write lock first: loading the user reads, and on SQLite a transaction that has
    # read cannot become BEGIN IMMEDIATE any more (begin_write would be a no-op).
    app.before_request(_writers_take_the_lock)
    app.before_request(_load_user)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.jinja_env.globals["static_asset"] = _static_asset
    app.jinja_env.filters["markdown"] = markdown
    app.jinja_env.filters["media_url"] = media_url


def _load_user() -> None:
    g.user = None
    user_id = session.get("user_id")
    if user_id is None or request.blueprint == "api":
        return
    user = db.session().get(User, user_id)
    # A password change or deactivation ends existing sessions.
    if user is not None and user.active and session.get("auth_stamp") == auth_stamp(user):
        g.user = user
    else:
        session.clear()


def _writers_take_the_lock() -> None:
    # SQLite: a request that writes must start its transaction with BEGIN
    # IMMEDIATE, or a concurrent writer makes it fail with "database is
    # locked" (see annotate.db). It takes a lock; it writes nothing.
    view = current_app.view_functions.get(request.endpoint or "")
    if (
        request.method not in SAFE_METHODS
        and not getattr(view, "writes_nothing", False)
        and not getattr(view, "writes_late", False)
    ):
        db.begin_write(db.session())


def writes_nothing(view):
    """Mark a POST view that never writes, so it does not queue for the SQLite write lock."""
    view.writes_nothing = True
    return view


def writes_late(view):
    """Mark a POST view whose writes all go through services that take the write lock themselves
    (``db.begin_write``), after the view's reads: on SQLite the lock is then held only while the
    work is written, not while the request is signed in and checked. For the busiest views
    (claim, submit, skip)."""
    view.writes_late = True
    return view


def auth_stamp(user: User) -> str:
    """A value that changes when the user's password hash changes."""
    return (user.password_hash or "")[-16:]


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
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return jsonify({"error": exc.name, "message": exc.description}), exc.code
    return render_template("error.html", error=exc), exc.code


def _csrf_error(exc: CSRFError):
    return render_template("error.html", error=exc), 400


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


def client_redirect(url: str) -> Response:
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
