"""Structured logs, configured in one place: one JSON object per line on stderr.

Every logger under ``annotate`` (``logging.getLogger(__name__)`` in a module, and
``app.logger``, which Flask names after the package), Werkzeug's development-server log
and the task queue's (Huey's consumer, in ``annotate worker``) go through one handler.
Each line carries ``time`` (UTC), ``level``, ``logger``, ``event`` (the message), the
``request_id`` of the request it was logged in, and any ``extra={...}`` fields; the
request log (``annotate.ops``) adds ``route`` (the URL rule, never the URL: a
set-password link's token is part of its path), ``method``, ``status`` and ``duration_ms``.

Secrets never reach a line: :class:`RedactSecrets` blanks API tokens, webhook secrets,
set-password link tokens, bearer credentials and ``password=``/``token=``/``session=`` values in the
message, the extra fields and the traceback before anything is written.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

import orjson
from flask import Flask, g, has_request_context

# The loggers whose records the handler writes; children (annotate.auth.invitations, …) propagate to them.
LOGGERS = ("annotate", "werkzeug", "huey")
REDACTED = "[redacted]"
_SECRETS = (
    # API tokens (annotate.auth.services.TOKEN_PREFIX + token_urlsafe).
    (re.compile(r"\bann_[A-Za-z0-9_\-]{8,}"), "ann_" + REDACTED),
    # Webhook signing secrets (annotate.webhooks.signing.new_secret).
    (re.compile(r"\bwhsec_[A-Za-z0-9_\-]{8,}"), "whsec_" + REDACTED),
    # The token in a set-password link: /invite/<token>.
    (re.compile(r"(/invite/)[^\s/?#\"'<>]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)(\bbearer\s+)[^\s\"',;]+"), r"\1" + REDACTED),
    (
        re.compile(
            r"(?i)\b((?:csrf_)?token|password|passwd|secret(?:_key)?|session|api_key|authorization|cookie)"
            r"([\"']?\s*[=:]\s*[\"']?)[^\s&\"',;]+"
        ),
        r"\1\2" + REDACTED,
    ),
)
# One search that every text with a secret matches: the substitutions above run only on those.
_MAYBE_SECRET = re.compile(
    r"ann_|whsec_|/invite/|bearer|token|password|passwd|secret|session|api_key|authorization|cookie", re.IGNORECASE
)
# LogRecord's own attributes; anything else on a record came from ``extra=`` and is written as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


def redact(text: str) -> str:
    """``text`` with every secret the patterns know blanked out."""
    if not _MAYBE_SECRET.search(text):
        return text
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Blank secrets in a record's message, string extras and traceback; add the request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = redact(message), None
        for key, value in vars(record).items():
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            event["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD:
                event[key] = value
        if record.exc_text:
            event["exc"] = record.exc_text
        return orjson.dumps(event, default=str).decode()


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted (as logging's last resort
    does), so a test's captured stderr, or a redirected one, gets the lines."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


HANDLER = _StderrHandler()
HANDLER.setFormatter(JsonFormatter())
HANDLER.addFilter(RedactSecrets())


def configure(app: Flask) -> None:
    """Send the app's loggers through the one JSON handler at ``ANNOTATE_LOG_LEVEL``.

    Idempotent: each ``create_app`` (tests make many) sets the level again and adds the
    handler once."""
    from flask.logging import default_handler

    level = logging.getLevelName(str(app.config["LOG_LEVEL"]).upper())
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.removeHandler(default_handler)  # Flask's own plain-text handler on app.logger
        if HANDLER not in logger.handlers:
            logger.addHandler(HANDLER)
        # Records are written here and still propagate (pytest's caplog listens at the root);
        # nothing is attached to the root by annotate, so nothing is written twice.
        logger.setLevel(level)
