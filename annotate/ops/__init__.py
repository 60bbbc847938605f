"""Running annotate as a service: structured logs, request ids, request metrics, and the
``/healthz``, ``/readyz`` and ``/metrics`` endpoints.

``init_app`` is called by ``create_app`` before the other features, so its first
``before_request`` hook runs first and its ``after_request`` hook last: a request's
duration covers every other hook. Per request it costs one ``perf_counter`` pair, one
histogram observation and one log line.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from annotate.ops import logs, metrics

log = logging.getLogger(__name__)
# A client's X-Request-ID is kept when it is a plain token (a UUID, a trace id); anything
# else (too long, spaces, control characters) is replaced by a generated one.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
# Probes and scrapes come every few seconds: logged at DEBUG, not INFO.
_QUIET_ENDPOINTS = frozenset({"ops.healthz", "ops.readyz", "ops.metrics_view", "static"})


def init_app(app: Flask) -> None:
    from annotate.ops.views import bp

    logs.configure(app)
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)


def _start() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-ID")
    g.request_id = given if given and _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    req = request._get_current_object()  # type: ignore[attr-defined]  # one proxy lookup, not ten
    started = g.get("request_started")
    # A request refused before our first hook ran (another hook's abort) has no start: time it from here.
    seconds = time.perf_counter() - started if started is not None else 0.0
    endpoint, status = req.endpoint, response.status_code
    metrics.observe_request(endpoint, req.method, status, seconds)
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    level = logging.DEBUG if endpoint in _QUIET_ENDPOINTS else logging.INFO
    if log.isEnabledFor(level):
        rule = req.url_rule
        fields = {
            "route": rule.rule if rule is not None else None,
            "endpoint": endpoint,
            "method": req.method,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "remote_addr": req.remote_addr,
            "request_id": request_id,
        }
        # makeRecord + handle rather than log.log(): the same record, without logging's walk of
        # the stack for the caller's file and line (the costliest part of a log call here).
        log.handle(log.makeRecord(log.name, level, __file__, 0, "request", (), None, "_finish", fields))
    return response
