"""How a delivery is signed, and how a receiver checks it (the README has the receiver's side).

``X-Annotate-Timestamp`` is the sending time (Unix seconds); ``X-Annotate-Signature`` is
``sha256=`` and the hex HMAC-SHA256, keyed with the endpoint's secret, of the timestamp, a
full stop and the exact body bytes. A receiver recomputes it, compares in constant time,
and refuses a timestamp more than ``REPLAY_WINDOW`` seconds away from its own clock, so a
captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

REPLAY_WINDOW = 300
SIGNATURE_HEADER = "X-Annotate-Signature"
TIMESTAMP_HEADER = "X-Annotate-Timestamp"


def new_secret() -> str:
    """A new endpoint secret (shown once)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, given: str, now: float, window: int = REPLAY_WINDOW) -> bool:
    """What a receiver does: the signature matches and the timestamp is within ``window`` seconds of ``now``."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > window:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), given)
