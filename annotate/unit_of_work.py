"""One unit of work per request: the web layer, not the views, owns the transaction.

As Indico's request handler does (``indico/web/rh.py``, ``process()``): views parse, call
services (which only ``flush()``) and return a response; this module, installed by
``create_app``, around every view,

* takes the SQLite write lock (``writers_take_the_lock``) before the request's first query when the route writes
  (a POST, PUT, PATCH or DELETE not marked ``@writes_nothing``); a route marked
  ``@writes_late`` leaves that to its services (``db.begin_write`` after their reads);
* commits once when a writing view returns a response below 400, and rolls back when it
  returns 400 or more or raises (nothing of a refused request is ever half-written);
* maps the domain errors a view lets through (``AssignmentError``, ``InvalidDocument``)
  to responses: JSON ``{"error": …}`` under the API, the error page elsewhere.

A view that must build its response after the transaction ends returns
``after_commit(build, …)`` (mail a link only once its token is committed, start a
background job on committed rows, render the next task page without holding the write
lock) or ``after_rollback(build, …)`` (re-render a refused form from the database as it
was, not as the failed service left the session). Requests that write nothing (GET,
``@writes_nothing``) are never committed: their read transaction ends when the session
closes at teardown, as before.

CLI commands and background jobs own their transactions the same way, in one place each
(``annotate.clitools``, ``annotate.export.jobs``, ``annotate.ingest.pipeline``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, default_exceptions

from annotate import db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_WRAPPED = "unit_of_work"


def writes_nothing(view):
    """Mark a POST view that never writes: it does not queue for the SQLite write lock and is never committed."""
    view.writes_nothing = True
    return view


def writes_late(view):
    """Mark a POST view whose writes all go through services that take the write lock themselves
    (``db.begin_write``), after the view's reads: on SQLite the lock is then held only while the
    work is written, not while the request is signed in and checked. For the busiest views
    (claim, submit, skip). The request is committed once at the end, like any other that writes."""
    view.writes_late = True
    return view


class _Then:
    """A response to build once the request's transaction has ended (see the module docstring)."""

    __slots__ = ("args", "build", "commit", "kwargs")

    def __init__(self, commit: bool, build: Callable[..., Any], args: tuple, kwargs: dict):
        self.commit, self.build, self.args, self.kwargs = commit, build, args, kwargs


def after_commit(build: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Commit the request's writes, then return ``build(*args, **kwargs)`` as the response (whatever its status)."""
    return _Then(True, build, args, kwargs)


def after_rollback(build: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Roll the request's writes back, then return ``build(*args, **kwargs)`` as the response."""
    return _Then(False, build, args, kwargs)


def writes(view: Callable[..., Any] | None) -> bool:
    """Does this request write (and so get committed)?"""
    return request.method not in SAFE_METHODS and not getattr(view, "writes_nothing", False)


def _end(commit: bool) -> None:
    session = g.get("db_session")
    if session is None:
        return
    if commit:
        session.commit()
    else:
        session.rollback()


def _in_unit_of_work(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        writing = writes(view)
        try:
            result = view(*args, **kwargs)
            if isinstance(result, _Then):
                _end(commit=result.commit and writing)
                return result.build(*result.args, **result.kwargs)
            if not writing:
                return result
            response = current_app.make_response(result)
            _end(commit=response.status_code < 400)
            return response
        except BaseException:
            _end(commit=False)
            raise

    setattr(run, _WRAPPED, True)
    return run


def writers_take_the_lock() -> None:
    """A request hook (``annotate.web`` registers it after the CSRF check, before the user is loaded)."""
    # SQLite: a request that writes must start its transaction with BEGIN
    # IMMEDIATE, or a concurrent writer makes it fail with "database is
    # locked" (see annotate.db). It takes a lock; it writes nothing.
    view = current_app.view_functions.get(request.endpoint or "")
    if writes(view) and not getattr(view, "writes_late", False):
        db.begin_write(db.session())


def wants_json() -> bool:
    """Is this an API request (JSON errors)? Also for a URL under the API that matched no route."""
    api = current_app.blueprints.get("api")
    return request.blueprint == "api" or (api is not None and request.path.startswith(f"{api.url_prefix}/"))


def _assignment_error(exc: Any):
    if wants_json():
        return jsonify({"error": str(exc)}), exc.status
    # A page's 404 says no more than abort(404) would: not what exists, nor whose it is.
    return _error_page(exc.status, None if exc.status == 404 else str(exc))


def _invalid_document(exc: Any):
    problems = [p.as_json() for p in exc.problems]
    if wants_json():
        message = "the answers do not match the template's answer schema" if exc.what == "answers" else str(exc)
        return jsonify({"error": message, "problems": problems}), 422
    return _error_page(422, str(exc))


def _error_page(status: int, message: str | None) -> tuple[str, int]:
    error = default_exceptions.get(status, HTTPException)(description=message)
    return render_template("error.html", error=error), status


def init_app(app: Flask) -> None:
    """Put every view of ``app`` in a unit of work; call after the blueprints are registered."""
    from annotate.assign.services import AssignmentError
    from annotate.validation import InvalidDocument

    for endpoint, view in app.view_functions.items():
        if not getattr(view, _WRAPPED, False):
            app.view_functions[endpoint] = _in_unit_of_work(view)
    app.register_error_handler(AssignmentError, _assignment_error)
    app.register_error_handler(InvalidDocument, _invalid_document)


def unit_of_work_installed(app: Flask) -> list[str]:
    """The endpoints of ``app`` that are not in a unit of work (for the tests: none)."""
    return [e for e, view in app.view_functions.items() if e != "static" and not getattr(view, _WRAPPED, False)]
