"""`annotate users …` additions: set-password links, roles, deactivation (added to the users group in annotate/cli.py)."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from annotate.clitools import user_by_email, writing
from annotate.models import Role


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
    """Deactivate EMAIL: their sessions and API tokens stop working at once."""
    session = writing()
    user = user_by_email(email)
    user.active = False
    session.commit()
    click.echo(f"deactivated {user.email}")


@click.command("activate")
@click.argument("email")
@with_appcontext
def users_activate(email: str) -> None:
    """Reactivate EMAIL."""
    session = writing()
    user = user_by_email(email)
    user.active = True
    session.commit()
    click.echo(f"activated {user.email}")


COMMANDS = (users_link, users_set_role, users_deactivate, users_activate)
