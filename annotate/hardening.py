"""Answers to hostile input that would otherwise be a 500, and the caching and transport
headers every response carries (the other security headers are in ``annotate.web``).

- Integers in URLs are bounded: ``/tasks/<int:id>`` with 30 digits is a 404, not an
  overflow in the database driver (SQLite binds at most 2**63 - 1).
- A request whose body or parameters still overflow or nest too deeply (a deep JSON body
  read by ``request.get_json``) is a 400, as JSON under /api/ and a page elsewhere.
- Every response that depends on who is signed in says ``Cache-Control: no-store`` unless
  its view chose otherwise (media files are ``private``); static assets stay cacheable.
- The ``bdi`` template filter isolates user text (names, emails, titles, labels).
- HSTS outside debug and testing, on HTTPS requests (behind a TLS proxy, with ProxyFix)
  or always with ``ANNOTATE_FORCE_HSTS``.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, render_template, request
from markupsafe import Markup
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from annotate import db
from annotate.limits import whole_number
from annotate.unit_of_work import wants_json

log = logging.getLogger(__name__)

# The largest id a database column holds: the id columns are INTEGER, 32-bit on PostgreSQL
# (a larger parameter is "integer out of range"); see db.MAX_ID.
MAX_ID = db.MAX_ID
# Paging past these is answered as the last page would be: empty, never an overflow.
MAX_PAGE = 10**6
MAX_OFFSET = 10**9


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` that does not match a value no database id can have (a 404, not a 500)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Install the bounded converter (before any blueprint adds its rules), the error
    handlers and the header hook."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.register_error_handler(RecursionError, _unparseable)
    app.register_error_handler(OverflowError, _unparseable)
    app.register_error_handler(DataError, _unparseable)
    app.after_request(_cache_and_transport)
    app.jinja_env.filters["bdi"] = bdi


def bdi(value) -> Markup:
    """``value`` escaped inside ``<bdi>``: a name, email, title or label written right to left,
    or holding U+202E (RIGHT-TO-LEFT OVERRIDE), cannot reorder the page's text around it.
    For element content only; attributes, <title>, <option> and <textarea> take no markup."""
    return Markup("<bdi>{}</bdi>").format("" if value is None else value)


def int_arg(args, name: str, default: int, low: int, high: int, *, strict: bool = True) -> int:
    """The integer query or form parameter ``name``, clamped to [low, high]. A value that is
    not a whole number is a 400 naming the parameter, or ``default`` when not ``strict``."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    # int() takes "١٢" and "1_000" and refuses 4,300 digits; a parameter is plain ASCII digits.
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 100:
        if not strict:
            return default
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}")
    return min(max(int(text), low), high)


def id_arg(args, name: str) -> int | None:
    """The id in query or form parameter ``name``, or None when it is missing or no database id
    (not ASCII digits, or past ``MAX_ID``)."""
    return whole_number(args.get(name) or "", MAX_ID)


def _unparseable(exc: Exception):
    # The database may have seen the statement that overflowed: drop the transaction.
    try:
        db.session().rollback()
    except Exception:  # pragma: no cover - a broken connection is reported by the next request
        log.exception("rollback after an unparseable request failed")
    log.warning("refused request %s %s: %s: %s", request.method, request.path, type(exc).__name__, str(exc)[:200])
    message = "the request has a number too large or nesting too deep to handle"
    if wants_json():
        return jsonify({"error": message}), 400
    return render_template("error.html", error=BadRequest(message)), 400


def _cache_and_transport(response: Response) -> Response:
    if request.endpoint != "static" and "Cache-Control" not in response.headers:
        # Pages, fragments and API answers depend on the signed-in user (and carry CSRF tokens):
        # neither the browser's history cache nor a proxy may keep them for the next person.
        response.headers["Cache-Control"] = "no-store"
    config = current_app.config
    max_age = int(config.get("HSTS_MAX_AGE") or 0)
    if (
        max_age > 0
        and not (current_app.debug or current_app.testing)
        and (request.is_secure or config.get("FORCE_HSTS"))
    ):
        response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
    return response
