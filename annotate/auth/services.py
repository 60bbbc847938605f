"""Users and API tokens: create, authenticate, issue and check tokens."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from flask import current_app, has_app_context
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from annotate.db import prebuilt, utcnow
from annotate.limits import whole_number
from annotate.models import ApiToken, Role, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "ann_"


def _method() -> str:
    """The configured hash method (ANNOTATE_PASSWORD_HASH; checked by config.finalize)."""
    return current_app.config["PASSWORD_HASH"] if has_app_context() else "scrypt"


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so a miss costs the same time as a hit."""
    return generate_password_hash("not-a-real-password", method=method)


class UserError(ValueError):
    """Bad input for a user operation; the message says which field and why."""


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise UserError(f"email: {email!r} is not an email address")
    return email


def parse_tags(tags: str | list[str] | None) -> list[str]:
    """Expertise tags like ``medicine/dermatology``, lower-case, unique, in order."""
    if tags is None:
        return []
    items = tags.split(",") if isinstance(tags, str) else tags
    out: list[str] = []
    for tag in (t.strip().lower() for t in items):
        if not tag:
            continue
        if not TAG_RE.match(tag):
            raise UserError(
                f"expertise: {tag!r} is not a tag (lower-case words joined by '/', e.g. medicine/dermatology)"
            )
        if tag not in out:
            out.append(tag)
    return out


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters")


def add_user(
    session: Session,
    email: str,
    *,
    role: Role,
    name: str = "",
    password: str | None = None,
    expertise: list[str] | None = None,
    hourly_rate: Decimal | None = None,
) -> User:
    """Create a user. Without a password the account cannot sign in until one is set."""
    email = normalize_email(email)
    if session.scalar(User.by_email(email)) is not None:
        raise UserError(f"email: a user with {email} already exists")
    user = User(email=email, name=name.strip(), role=role, expertise=expertise or [], hourly_rate=hourly_rate)
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Hash and set a password (for a new account; ``change_password`` for an existing one)."""
    check_password_strength(password)
    user.password_hash = generate_password_hash(password, method=_method())


def change_password(session: Session, user: User, password: str) -> None:
    """Set a new password: every session of the user ends, and if it replaces an old password
    (a reset), so do their API tokens: whoever knew the old one may have made them."""
    reset = user.password_hash is not None
    set_password(user, password)
    end_sessions(session, user)
    if reset:
        revoke_tokens(session, user)


def end_sessions(session: Session, user: User) -> None:
    """End every browser session of ``user`` on every host: their cookies carry the old epoch."""
    # In SQL, so two concurrent sign-outs cannot both write the same new value.
    user.session_epoch = User.session_epoch + 1
    session.flush()
    session.refresh(user, ["session_epoch"])


def revoke_tokens(session: Session, user: User) -> int:
    """Revoke every live API token of ``user``; returns how many."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    # An UPDATE's result is a CursorResult (Session.execute is typed as returning a plain Result).
    return cast("CursorResult[Any]", result).rowcount or 0


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes the same time whether or not the email exists."""
    user = session.scalar(User.by_email(email))
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(_method()), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


MAX_TOKEN_NAME = 200
MAX_TOKEN_DAYS = 3650


class TokenRefused(Exception):
    """A bearer token that does not sign in; the message says why (unknown, revoked, expired)."""


def create_token(
    session: Session, user: User, name: str = "", *, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue an API token. Returns the row and the secret, which is shown once and stored only hashed."""
    name = name.strip()
    if len(name) > MAX_TOKEN_NAME:
        raise UserError(f"name: at most {MAX_TOKEN_NAME} characters")
    if expires_at is not None and expires_at <= utcnow():
        raise UserError("expires: the expiry must be in the future")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_digest(secret), prefix=secret[:10], name=name, expires_at=expires_at)
    session.add(token)
    session.flush()
    return token, secret


def parse_expiry_days(value: str | int | None) -> datetime | None:
    """An expiry ``value`` days from now; empty or ``never`` for none."""
    if value is None or str(value).strip() in ("", "never"):
        return None
    raw = str(value).strip()
    days = whole_number(raw, MAX_TOKEN_DAYS)
    if not days:
        raise UserError(f"expires: {raw!r} is not a number of days between 1 and {MAX_TOKEN_DAYS}")
    return utcnow() + timedelta(days=days)


def revoke_token(session: Session, token: ApiToken) -> bool:
    """Revoke one token; False if it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.flush()
    return True


def token_state(token: ApiToken, now: datetime) -> str:
    """``active``, ``revoked`` or ``expired``."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def user_tokens(user_id: int | None = None) -> Select:
    """API tokens, newest first: all of them, or one user's."""
    stmt = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    return stmt if user_id is None else stmt.where(ApiToken.user_id == user_id)


# ``last_used_at`` is for people reading a token list; a write on every API call would
# only queue API requests behind each other (on SQLite, behind the write lock).
TOUCH_EVERY = timedelta(minutes=1)
_TOKEN_KEY = "annotate.api_token"


def user_for_token(session: Session, secret: str) -> User:
    """The active user a bearer token belongs to; TokenRefused saying why if it does not sign in.

    One query for the token and its user; the token is kept on the session (one per
    request) for ``touch_token``."""
    row = session.execute(_token_and_user(), {"digest": _digest(secret)}).first()
    if row is None:
        raise TokenRefused("the token is unknown")
    token, user = row
    if token.revoked_at is not None:
        raise TokenRefused("the token was revoked")
    if token.expires_at is not None and token.expires_at <= utcnow():
        raise TokenRefused(f"the token expired at {token.expires_at.isoformat(timespec='seconds')}; create a new one")
    if not user.active:
        raise TokenRefused("the token's user is deactivated")
    session.info[_TOKEN_KEY] = token
    return user


@prebuilt
def _token_and_user() -> Select:
    return (
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == bindparam("digest"))
    )


def touch_token(session: Session, secret: str) -> None:
    """Record when a token was last used, to the minute: no write when it was used in the last minute."""
    token = session.info.get(_TOKEN_KEY)
    if token is None or token.token_hash != _digest(secret):
        token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    now = utcnow()
    if token is not None and (token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY):
        token.last_used_at = now


def parse_rate(value: str | Decimal | None) -> Decimal | None:
    """An hourly rate: empty for none, else a non-negative amount with at most 2 decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        rate = Decimal(str(value).strip())
    except ArithmeticError:
        raise UserError(f"hourly_rate: {value!r} is not a number") from None
    if not rate.is_finite() or rate < 0 or rate >= Decimal("100000000"):
        raise UserError(f"hourly_rate: {value!r} must be between 0 and 99999999.99")
    if rate.as_tuple().exponent < -2:  # type: ignore[operator]
        raise UserError(f"hourly_rate: {value!r} has more than 2 decimals")
    return rate


def update_profile(user: User, *, name: str, expertise: list[str], hourly_rate: Decimal | None) -> None:
    """Change a user's name, expertise tags and hourly rate."""
    name = name.strip()
    if len(name) > 200:
        raise UserError("name: at most 200 characters")
    user.name = name
    user.expertise = expertise
    user.hourly_rate = hourly_rate


def set_role(session: Session, user: User, role: Role, *, by: User) -> None:
    """Change a user's global role; an admin cannot demote themselves (someone must stay admin)."""
    if user.id == by.id and role is not Role.ADMIN:
        raise UserError("role: you cannot take away your own admin role")
    user.role = role
    session.flush()


def set_active(session: Session, user: User, active: bool, *, by: User | None) -> None:
    """Deactivate or reactivate a user. Deactivation ends their sessions and revokes their API tokens,
    so that reactivating them brings neither back: they sign in again and make new tokens."""
    if by is not None and user.id == by.id and not active:
        raise UserError("active: you cannot deactivate yourself")
    user.active = active
    end_sessions(session, user)
    if not active:
        revoke_tokens(session, user)
    session.flush()
