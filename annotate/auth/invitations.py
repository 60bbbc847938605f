"""One-time links to set a password: for invited experts and for password resets by an admin.

A link carries a random token; only its SHA-256 is stored. It works once and
expires. Delivery is by SMTP when ``ANNOTATE_MAIL_SERVER`` is set; otherwise
the link is written to the log and shown to whoever created it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from annotate.auth.services import UserError, change_password
from annotate.db import rowcount, utcnow
from annotate.models import Invitation, Project, ProjectRole, User

log = logging.getLogger(__name__)
DEFAULT_TTL = timedelta(days=7)


class InvitationError(ValueError):
    """The link is unknown, used or expired; the message says which."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(
    session: Session,
    user: User,
    *,
    created_by: User | None,
    project: Project | None = None,
    role: ProjectRole | None = None,
    ttl: timedelta = DEFAULT_TTL,
) -> str:
    """Issue a set-password link token for ``user``; earlier unused links for them stop working.

    Returns the secret token, which is never stored."""
    now = utcnow()
    # One live link per user: a re-sent invitation revokes the previous one.
    session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None), Invitation.expires_at > now)
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            user_id=user.id,
            project_id=project.id if project else None,
            project_role=role,
            token_hash=_digest(token),
            created_by_id=created_by.id if created_by else None,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    session.flush()
    return token


def invitation_for_token(session: Session, token: str) -> Invitation:
    """The live invitation for ``token``; InvitationError saying why if there is none."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == _digest(token)))
    if invitation is None:
        raise InvitationError("This link is not valid. Ask the person who invited you for a new one.")
    if invitation.used_at is not None:
        raise InvitationError("This link has already been used. Sign in with your password, or ask for a new link.")
    if invitation.expires_at <= utcnow():
        raise InvitationError("This link has expired. Ask the person who invited you for a new one.")
    if not invitation.user.active:
        raise InvitationError("This account is deactivated.")
    return invitation


def redeem_invitation(session: Session, token: str, password: str) -> User:
    """Set the password through a live link and use the link up: the user's other sessions end, and
    on a reset their API tokens are revoked. Raises InvitationError or UserError."""
    invitation = invitation_for_token(session, token)
    change_password(session, invitation.user, password)
    # Conditional update: two concurrent redemptions of one link cannot both succeed.
    used = session.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None)).values(used_at=utcnow())
    )
    if rowcount(used) != 1:
        raise InvitationError("This link has already been used.")
    session.flush()
    return invitation.user


@dataclass
class Delivery:
    """How a link reached its recipient: ``mailed`` or only logged (then show ``url``)."""

    url: str
    mailed: bool


def deliver_invitation(
    config: dict[str, Any], user: User, url: str, *, project: Project | None, inviter: User | None
) -> Delivery:
    """Mail the link if a mail server is configured; otherwise log it for the inviter to pass on."""
    server = config.get("MAIL_SERVER")
    if not server:
        # The link itself is never logged: it hands over an account.
        log.warning("set-password link for %s shown to the inviter (no mail server configured)", user.email)
        return Delivery(url=url, mailed=False)
    return Delivery(url=url, mailed=_send(config, invitation_message(config, user, url, project, inviter), user, url))


def invitation_message(
    config: dict[str, Any], user: User, url: str, project: Project | None, inviter: User | None
) -> EmailMessage:
    """The mail that carries a set-password link."""
    server = config["MAIL_SERVER"]
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or f"annotate@{server}"
    message["To"] = user.email
    what = f"the project “{project.title}”" if project else "annotate"
    message["Subject"] = f"You are invited to {what}"
    who = inviter.display_name if inviter else "An administrator"
    message.set_content(
        f"{who} invited you to {what}.\n\nSet your password here (the link works once and expires in "
        f"{DEFAULT_TTL.days} days):\n\n{url}\n"
    )
    return message


def notify_offer(config: dict[str, Any], user: User, url: str, *, project: Project, inviter: User) -> bool:
    """Mail the owner of an existing account that a membership waits for their answer at ``url``
    (no link that signs in: they sign in with their own password). False without a mail server."""
    if not config.get("MAIL_SERVER"):
        return False
    return _send(config, offer_message(config, user, url, project, inviter), user, url)


def offer_message(config: dict[str, Any], user: User, url: str, project: Project, inviter: User) -> EmailMessage:
    """The mail that tells the owner of an account about a membership waiting for their answer."""
    server = config["MAIL_SERVER"]
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or f"annotate@{server}"
    message["To"] = user.email
    message["Subject"] = f"You are invited to the project “{project.title}”"
    message.set_content(
        f"{inviter.display_name} invited you to the project “{project.title}”.\n\n"
        f"Sign in as usual, then accept or decline the invitation here:\n\n{url}\n"
    )
    return message


def send(config: dict[str, Any], message: EmailMessage) -> None:
    """Hand ``message`` to the mail server; OSError or SMTPException when it cannot."""
    server = config["MAIL_SERVER"]
    with smtplib.SMTP(server, int(config.get("MAIL_PORT") or 25), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def reissue(session: Session, invitation_id: int) -> tuple[Invitation, str] | None:
    """A new token for a live invitation (the one made with it is never seen by anyone); None when
    it was used, withdrawn or has expired. For the mail job: the token exists only in the mail."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        return None
    token = secrets.token_urlsafe(32)
    invitation.token_hash = _digest(token)
    session.flush()
    return invitation, token


def _send(config: dict[str, Any], message: EmailMessage, user: User, url: str) -> bool:
    try:
        send(config, message)
    except (OSError, smtplib.SMTPException) as exc:
        # The invitation still exists: fall back to showing the link rather than losing it.
        log.error("could not mail %s (%s); the link is shown to the inviter instead", user.email, exc)
        return False
    return True


__all__ = [
    "Delivery",
    "InvitationError",
    "UserError",
    "create_invitation",
    "deliver_invitation",
    "invitation_for_token",
    "notify_offer",
    "redeem_invitation",
]
