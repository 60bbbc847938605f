"""``/healthz``, ``/readyz`` and ``/metrics``: what a load balancer and Prometheus poll.

None of them needs a session or a CSRF token; ``/metrics`` needs the metrics token
(``ANNOTATE_METRICS_TOKEN``, as a bearer) or a client address inside
``ANNOTATE_METRICS_ALLOW``; with neither configured it does not exist (404).
"""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, current_app, jsonify, request

from annotate import db
from annotate.ops import health, metrics

bp = Blueprint("ops", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """The process is up and serving. Touches nothing else (no database)."""
    return _no_store(jsonify({"status": "ok"}))


@bp.get("/readyz")
def readyz():
    """The database answers a trivial query, and the task queue's store answers (a Redis a PING)."""
    checks = {
        "database": health.database_problem(db.engine()),
        "queue": health.queue_problem(current_app._get_current_object()),
    }
    failed = {name: reason for name, reason in checks.items() if reason is not None}
    if failed:
        return _no_store(jsonify({"status": "unavailable", "failed": failed})), 503
    return _no_store(jsonify({"status": "ok"}))


@bp.get("/metrics")
def metrics_view():
    config = current_app.config
    token, networks = config.get("METRICS_TOKEN"), config["METRICS_ALLOW_NETWORKS"]
    if not token and not networks:
        return _no_store(jsonify({"error": "Not Found", "message": "metrics are not enabled on this server"})), 404
    if not (_token_matches(token) or _address_allowed(networks)):
        return _no_store(
            jsonify({"error": "Forbidden", "message": "send the metrics token, or scrape from an allowed network"})
        ), 403
    app = current_app._get_current_object()
    return _no_store(Response(metrics.exposition(app), mimetype=metrics.CONTENT_TYPE.split(";")[0]))


def _token_matches(token: str | None) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _address_allowed(networks: list) -> bool:
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in networks)
