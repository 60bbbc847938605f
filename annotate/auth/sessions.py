"""Browser sessions: a signed cookie checked against the user's session epoch in the database.

The cookie holds the user's id, the epoch it was issued under and two times (sign-in, last
seen), nothing derived from the password. Every request compares the epoch with
``users.session_epoch``, which sign-out, a password change, deactivation and "sign out
everywhere" increment (``annotate.auth.services.end_sessions``): every cookie issued before
is dead at once, on every host, with no session store beside the database. The times give
an idle timeout (``ANNOTATE_SESSION_IDLE_MINUTES``) and an absolute lifetime
(``ANNOTATE_SESSION_MAX_HOURS``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from flask import session
from sqlalchemy.orm import Session

from annotate.models import User

# "seen" is rewritten at most this often, so a burst of requests does not re-sign the cookie each time.
SEEN_EVERY = 60


def start_session(user: User) -> None:
    """Sign ``user`` in: a fresh cookie (no value of an earlier one survives) under their current epoch."""
    now = int(time.time())
    session.clear()
    session["user_id"] = user.id
    session["epoch"] = user.session_epoch
    session["signed_in"] = now
    session["seen"] = now
    session.permanent = True


def session_user(db_session: Session, config: Mapping[str, Any]) -> User | None:
    """The user the request's session cookie signs in, or None (and the cookie is emptied)."""
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = db_session.get(User, user_id) if isinstance(user_id, int) else None
    now = int(time.time())
    signed_in, seen = session.get("signed_in"), session.get("seen")
    if (
        user is None
        or not user.active
        or session.get("epoch") != user.session_epoch
        or not isinstance(signed_in, int)
        or not isinstance(seen, int)
        or now - signed_in > config["SESSION_MAX_HOURS"] * 3600
        or now - seen > config["SESSION_IDLE_MINUTES"] * 60
    ):
        session.clear()
        return None
    if now - seen >= SEEN_EVERY:
        session["seen"] = now
    return user
