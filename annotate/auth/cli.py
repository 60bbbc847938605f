"""`annotate users …` additions (set-password links, roles, deactivation, sign-out everywhere) and
`annotate tokens list | revoke`; added to their groups in annotate/cli.py."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy.orm import joinedload

from annotate import db
from annotate.clitools import user_by_email, writing
from annotate.models import ApiToken, Role


@click.command("link")
@click.argument("email")
@click.option("--base-url", default=None, help="The address people reach the app at, e.g. https://annotate.example.org")
@with_appcontext
def users_link(email: str, base_url: str | None) -> None:
    """Print a one-time link for EMAIL to set their password (expires in 7 days; earlier links stop working)."""
    from annotate.auth.invitations import DEFAULT_TTL, create_invitation

    session = writing()
    user = user_by_email(email)
    if not user.active:
        raise click.ClickException(f"{email} is deactivated; run `annotate users activate {email}` first")
    token = create_invitation(session, user, created_by=None)
    session.commit()
    base = (base_url or current_app.config.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    with current_app.test_request_context(base_url=base):
        url = url_for("auth.invitation", token=token, _external=True)
    click.echo(f"set-password link for {user.email}, valid {DEFAULT_TTL.days} days, works once:", err=True)
    click.echo(url)


@click.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@with_appcontext
def users_set_role(email: str, role: str) -> None:
    """Change the global role of EMAIL."""
    session = writing()
    user = user_by_email(email)
    user.role = Role(role)
    session.commit()
    click.echo(f"{user.email} is now {role}")


@click.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email: str) -> None:
    """Deactivate EMAIL: their sessions end and their API tokens are revoked at once."""
    from annotate.auth.services import set_active

    session = writing()
    user = user_by_email(email)
    set_active(session, user, False, by=None)
    session.commit()
    click.echo(f"deactivated {user.email}")


@click.command("activate")
@click.argument("email")
@with_appcontext
def users_activate(email: str) -> None:
    """Reactivate EMAIL (they sign in again; their old sessions and tokens stay ended)."""
    from annotate.auth.services import set_active

    session = writing()
    user = user_by_email(email)
    set_active(session, user, True, by=None)
    session.commit()
    click.echo(f"activated {user.email}")


@click.command("sign-out")
@click.argument("email")
@with_appcontext
def users_sign_out(email: str) -> None:
    """End every browser session of EMAIL, on every device (API tokens are kept: `annotate tokens revoke`)."""
    from annotate.auth.services import end_sessions

    session = writing()
    user = user_by_email(email)
    end_sessions(session, user)
    session.commit()
    click.echo(f"signed out {user.email} everywhere")


COMMANDS = (users_link, users_set_role, users_deactivate, users_activate, users_sign_out)


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


@click.command("list")
@click.argument("email", required=False)
@click.option("--all", "show_all", is_flag=True, help="Also revoked and expired tokens.")
@with_appcontext
def tokens_list(email: str | None, show_all: bool) -> None:
    """List API tokens (of EMAIL, or everyone's): id, prefix, user, name, created, last used, expires, state."""
    from annotate.auth.services import token_state, user_tokens
    from annotate.db import utcnow

    user_id = user_by_email(email).id if email else None
    now = utcnow()
    click.echo("id\tprefix\tuser\tname\tcreated\tlast_used\texpires\tstate")
    for token in db.session().scalars(user_tokens(user_id).options(joinedload(ApiToken.user))):
        state = token_state(token, now)
        if state != "active" and not show_all:
            continue
        click.echo(
            f"{token.id}\t{token.prefix}…\t{token.user.email}\t{token.name}\t{_when(token.created_at)}\t"
            f"{_when(token.last_used_at)}\t{_when(token.expires_at)}\t{state}"
        )


@click.command("revoke")
@click.argument("token_id", required=False, type=int)
@click.option("--user", "email", default=None, help="Revoke every token of this user instead.")
@with_appcontext
def tokens_revoke(token_id: int | None, email: str | None) -> None:
    """Revoke the token TOKEN_ID (as `annotate tokens list` shows it), or every token of --user EMAIL."""
    from annotate.auth.services import revoke_token, revoke_tokens

    if (token_id is None) == (email is None):
        raise click.UsageError("give a TOKEN_ID or --user EMAIL, not both")
    session = writing()
    if email is not None:
        user = user_by_email(email)
        count = revoke_tokens(session, user)
        session.commit()
        click.echo(f"revoked {count} token{'s' if count != 1 else ''} of {user.email}")
        return
    token = session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no token with id {token_id}; `annotate tokens list` shows them")
    if not revoke_token(session, token):
        raise click.ClickException(f"token {token_id} ({token.prefix}…) was already revoked")
    session.commit()
    click.echo(f"revoked token {token_id} ({token.prefix}…) of {token.user.email}")


TOKEN_COMMANDS = (tokens_list, tokens_revoke)
