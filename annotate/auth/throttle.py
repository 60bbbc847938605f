"""Throttling of guessable or abusable endpoints: sign-in, set-password links, API tokens, invitations.

Built on Flask-Limiter (one limiter per app, so every app, and so every test, starts with
empty counters) and its storage: Redis when ``ANNOTATE_RATELIMIT_STORAGE_URL`` names one
(shared by every worker and host), memory otherwise (per worker). Failures are counted and
checked explicitly, not through route decorators, because what is counted differs per
endpoint: failed sign-ins per account and per address, unusable links and unknown tokens
per address, invitations sent per inviting user. A refusal is a :class:`Refusal` the view
turns into its own page or JSON, with HTTP 429 and ``Retry-After``.

A valid API token is never throttled and never costs a storage round trip: only a failed
token look-up consults the limiter (a 256-bit token cannot be guessed; the limit is there
to stop the noise and to log it).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter

log = logging.getLogger("annotate.throttle")
_KEY = "annotate.throttle"
RETRY_STORAGE_AFTER = 60  # seconds counting in memory before Redis is tried again

# bucket -> scope -> the setting holding its limit ("10 per 15 minutes", limits' notation)
LIMITS: dict[str, dict[str, str]] = {
    "login": {"account": "LOGIN_LIMIT_ACCOUNT", "address": "LOGIN_LIMIT_ADDRESS"},
    "link": {"address": "LOGIN_LIMIT_ADDRESS"},
    "token": {"address": "LOGIN_LIMIT_ADDRESS"},
    "invite": {"user": "INVITE_LIMIT"},
    "new_token": {"user": "INVITE_LIMIT"},
}
_WHAT = {
    "login": "failed sign-ins",
    "link": "attempts with set-password links",
    "token": "requests with an unknown or refused API token",
    "invite": "invitations and set-password links sent",
    "new_token": "API tokens created",
}
_WHO = {"account": "for this account", "address": "from your address", "user": "by you"}


@dataclass(frozen=True)
class Refusal:
    """Too many attempts: ``wait`` seconds until the next one is allowed, and a sentence saying so."""

    bucket: str
    scope: str
    wait: int

    @property
    def message(self) -> str:
        return f"Too many {_WHAT[self.bucket]} {_WHO[self.scope]}. Try again in {wait_text(self.wait)}."


def wait_text(seconds: int) -> str:
    """``45 seconds``, ``1 minute``, ``15 minutes``: the wait, in words."""
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


class _Throttle:
    def __init__(self, app: Flask):
        # Flask-Limiter owns the storage (Redis or memory) and the configuration; annotate
        # declares no route limits, so its per-request hook has nothing to check.
        self.limiter = Limiter(
            key_func=lambda: request.remote_addr or "-",
            storage_uri=app.config["RATELIMIT_STORAGE_URL"],
            strategy="moving-window",
            headers_enabled=False,
        )
        self.limiter.init_app(app)
        # No route has limits of Flask-Limiter's own: skip its per-request check at once
        # (it would otherwise run on every claim and submit).
        self.limiter.request_filter(lambda: True)
        self.fallback: RateLimiter | None = None
        self.fallback_since = 0.0
        self.items: dict[str, RateLimitItem] = {}
        for scopes in LIMITS.values():
            for setting in scopes.values():
                self.item(app.config, setting)  # a bad setting stops the start, not a sign-in

    def item(self, config, setting: str) -> RateLimitItem:
        """The limit a setting names, parsed once per value (read each time: tests and admins may change it)."""
        text = str(config[setting])
        item = self.items.get(text)
        if item is None:
            try:
                item = self.items[text] = parse(text)
            except ValueError:
                from annotate.config import ConfigError

                raise ConfigError(f"ANNOTATE_{setting} must read like '10 per 15 minutes', not {text!r}") from None
        return item

    def _storage_failed(self, exc: Exception) -> RateLimiter:
        # Redis gone: go on counting in this worker's memory rather than refuse every sign-in
        # (or let every guess through), say so, and try Redis again now and then.
        log.error("throttling storage unreachable (%s); counting in this worker's memory meanwhile", exc)
        if self.fallback is None:
            self.fallback = MovingWindowRateLimiter(MemoryStorage())
        self.fallback_since = time.monotonic()
        return self.fallback

    def call(self, method: str, *args):
        if self.fallback is not None and time.monotonic() - self.fallback_since > RETRY_STORAGE_AFTER:
            try:
                result = getattr(self.limiter.limiter, method)(*args)
            except Exception as exc:
                return getattr(self._storage_failed(exc), method)(*args)
            log.warning("throttling storage reachable again")
            self.fallback = None
            return result
        if self.fallback is not None:
            return getattr(self.fallback, method)(*args)
        try:
            return getattr(self.limiter.limiter, method)(*args)
        except Exception as exc:
            return getattr(self._storage_failed(exc), method)(*args)


def init_app(app: Flask) -> None:
    app.extensions[_KEY] = _Throttle(app)


def _throttle() -> _Throttle:
    return current_app.extensions[_KEY]


def address() -> str:
    """The client's address (behind a proxy: as ProxyFix set it)."""
    return request.remote_addr or "-"


def _keys(bucket: str, keys: dict[str, str]) -> list[tuple[str, RateLimitItem, str]]:
    throttle = _throttle()
    return [
        (scope, throttle.item(current_app.config, setting), str(keys[scope])[:320].lower())
        for scope, setting in LIMITS[bucket].items()
        if keys.get(scope)
    ]


def refused(bucket: str, **keys: str) -> Refusal | None:
    """A Refusal if any of ``bucket``'s limits for these keys (``account=``, ``address=``, ``user=``)
    is used up, else None. Logs each refusal."""
    throttle = _throttle()
    for scope, item, key in _keys(bucket, keys):
        if not throttle.call("test", item, bucket, scope, key):
            reset, _remaining = throttle.call("get_window_stats", item, bucket, scope, key)
            refusal = Refusal(bucket, scope, max(1, math.ceil(reset - time.time())))
            log.warning("throttled %s %s %s (limit %s); retry in %ss", bucket, scope, key, item, refusal.wait)
            return refusal
    return None


def count(bucket: str, **keys: str) -> None:
    """Count one failure (or, for ``invite``, one sending) against each of ``bucket``'s limits."""
    throttle = _throttle()
    for scope, item, key in _keys(bucket, keys):
        throttle.call("hit", item, bucket, scope, key)
