"""Users and API tokens: create, authenticate, issue and check tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from annotate.db import prebuilt, utcnow
from annotate.models import ApiToken, Role, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "ann_"
# Checked against when the email is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


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
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes the same time whether or not the email exists."""
    user = session.scalar(User.by_email(email))
    if user is None or user.password_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Issue an API token. Returns the row and the secret, which is shown once and stored only hashed."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_digest(secret), prefix=secret[:10], name=name)
    session.add(token)
    session.flush()
    return token, secret


# ``last_used_at`` is for people reading a token list; a write on every API call would
# only queue API requests behind each other (on SQLite, behind the write lock).
TOUCH_EVERY = timedelta(minutes=1)
_TOKEN_KEY = "annotate.api_token"


def user_for_token(session: Session, secret: str) -> User | None:
    """The active user a bearer token belongs to, or None if unknown or revoked.

    One query for the token and its user; the token is kept on the session (one per
    request) for ``touch_token``."""
    row = session.execute(_token_and_user(), {"digest": _digest(secret)}).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or not user.active:
        return None
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


def set_active(session: Session, user: User, active: bool, *, by: User) -> None:
    """Deactivate or reactivate a user. Deactivation ends their sessions and API tokens at once:
    every request checks ``active`` (annotate.web, annotate.auth.services.user_for_token)."""
    if user.id == by.id and not active:
        raise UserError("active: you cannot deactivate yourself")
    user.active = active
    session.flush()
