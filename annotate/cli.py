"""The ``annotate`` command: thin Click wrappers over the same services the views call.

Each command prints what it did; errors go to stderr with a non-zero exit.
"""

from __future__ import annotations

import sys

import click
import orjson
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import select

from annotate import db
from annotate.clitools import project_by_slug, templates_dir, user_by_email, writing
from annotate.models import Role, User


def init_app(app: Flask) -> None:
    """Register every command on ``app.cli``; feature packages own their commands."""
    from annotate.assign.cli import COMMANDS as assign_commands
    from annotate.export.cli import export_cmd
    from annotate.ingest.cli import import_cmd
    from annotate.jobs.worker import worker_cmd
    from annotate.projects.cli import projects_group
    from annotate.quality.cli import quality_cmd
    from annotate.timekeeping.cli import timesheets_cmd

    for command in (
        db_group,
        users_group,
        tokens_group,
        projects_group,
        templates_group,
        import_cmd,
        export_cmd,
        timesheets_cmd,
        quality_cmd,
        stats_cmd,
        demo_cmd,
        serve_cmd,
        worker_cmd,
    ):
        app.cli.add_command(command)
    from annotate.auth.cli import COMMANDS as user_commands
    from annotate.auth.cli import TOKEN_COMMANDS as token_commands

    for command in user_commands:
        users_group.add_command(command)
    for command in token_commands:
        tokens_group.add_command(command)
    for command in assign_commands:
        projects_group.add_command(command)
    from annotate.kinds.cli import COMMANDS as template_commands

    for command in template_commands:
        templates_group.add_command(command)


def _create_app() -> Flask:
    from annotate import create_app

    return create_app()


class AnnotateGroup(FlaskGroup):
    """Flask's command group without Flask's own options (``--app``, ``--env-file``, ``--debug``)
    and without commands other packages plug into ``flask`` (Flask-Limiter's ``limiter``):
    ``annotate --help`` lists annotate's commands and options only. The app always comes
    from ``create_app``; settings from ``ANNOTATE_*`` variables."""

    FLASK_OPTIONS = frozenset({"env_file", "app", "debug"})

    def __init__(self, **extra) -> None:
        super().__init__(**extra)
        self.params = [p for p in self.params if p.name not in self.FLASK_OPTIONS]

    def _load_plugin_commands(self) -> None:
        self._loaded_plugin_commands = True


main = AnnotateGroup(
    name="annotate",
    add_version_option=False,
    help="annotate: expert feedback for RLHF. Settings come from ANNOTATE_* environment variables.",
    create_app=_create_app,
    add_default_commands=False,
    load_dotenv=False,
    set_debug_flag=False,
)


# -- db -------------------------------------------------------------------------------


@click.group("db", cls=AppGroup, help="Database schema (Alembic migrations).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from annotate.schema import current, upgrade

    engine = db.engine()
    before = current(engine)
    upgrade(engine, revision)
    after = current(engine)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        click.echo(f"database {url} already at {after}")
    else:
        click.echo(f"database {url} upgraded from {before or 'empty'} to {after}")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. base)."""
    from annotate.schema import current, downgrade

    downgrade(db.engine(), revision)
    click.echo(f"database downgraded to {current(db.engine()) or 'base'}")


@db_group.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    from annotate.schema import current

    click.echo(current(db.engine()) or "empty (run `annotate db upgrade`)")


# -- users and tokens ------------------------------------------------------------------


@click.group("users", cls=AppGroup, help="People who sign in.")
def users_group() -> None:
    pass


@users_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="")
@click.option("--expertise", default="", help="Comma-separated tags, e.g. medicine/dermatology,law")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def users_add(email: str, role: str, name: str, expertise: str, password_stdin: bool) -> None:
    """Create a user. Without --password-stdin the account cannot sign in until a password is set."""
    from annotate.auth.services import UserError, add_user, parse_tags

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        user = add_user(
            writing(), email, role=Role(role), name=name, password=password, expertise=parse_tags(expertise)
        )
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    db.session().commit()
    click.echo(f"added {user.role.value} {user.email} (id {user.id})")


@users_group.command("list")
def users_list() -> None:
    """List users."""
    for user in db.session().scalars(select(User).order_by(User.id)):
        tags = ",".join(user.expertise)
        click.echo(f"{user.id}\t{user.email}\t{user.role.value}\t{'active' if user.active else 'inactive'}\t{tags}")


@click.group("tokens", cls=AppGroup, help="API tokens.")
def tokens_group() -> None:
    pass


@tokens_group.command("create")
@click.argument("email")
@click.option("--name", default="", help="A label to recognise the token by.")
@click.option("--expires-days", default=None, help="Days until the token stops working (default: never).")
def tokens_create(email: str, name: str, expires_days: str | None) -> None:
    """Create an API token for EMAIL; the token is printed once, on the last line."""
    from annotate.auth.services import UserError, create_token, parse_expiry_days

    session = writing()
    try:
        token, secret = create_token(
            session, user_by_email(email), name=name, expires_at=parse_expiry_days(expires_days)
        )
    except UserError as exc:
        raise click.ClickException(str(exc).replace("expires:", "--expires-days:", 1)) from None
    session.commit()
    until = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ""
    click.echo(f"created token {token.prefix}… (id {token.id}) for {email}{until}; it is shown only now:", err=True)
    click.echo(secret)


@click.group("templates", cls=AppGroup, help="Task templates.")
def templates_group() -> None:
    pass


@templates_group.command("check")
def templates_check() -> None:
    """Validate every template in the templates folder against the meta-schema and its kind."""
    from annotate.kinds.templates import TemplateError, available_templates, check_all

    try:
        check_all(templates_dir())
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(available_templates(templates_dir()))} templates valid")


@templates_group.command("list")
def templates_list() -> None:
    """List the templates with their kind and version."""
    from annotate.kinds.templates import available_templates, load_template

    for name in available_templates(templates_dir()):
        template = load_template(name, templates_dir())
        click.echo(f"{name}\t{template['kind']}\tv{template['version']}\t{template['title']}")


@click.command("stats")
@with_appcontext
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats_cmd(slug: str, as_json: bool) -> None:
    """Progress of a project."""
    from annotate.projects.services import stats

    data = stats(db.session(), project_by_slug(slug))
    if as_json:
        click.echo(orjson.dumps(data).decode())
    else:
        for key, value in data.items():
            click.echo(f"{key}: {value}")


@click.command("demo")
@with_appcontext
def demo_cmd() -> None:
    """Load the demo projects and print demo logins (passwords are new each run)."""
    from annotate.demo import load_demo

    session = writing()
    logins = load_demo(session, templates_dir())
    session.commit()
    click.echo(
        "Demo projects 'demo' (pairwise), 'demo-rating' (ratings) and 'demo-sft' (demonstrations) are ready. "
        "Sign in at the address `annotate serve` prints with:"
    )
    for email, role, password in logins:
        click.echo(f"  {role:<10} {email:<28} {password}")


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--workers", type=int, default=2, show_default=True)
@click.option(
    "--worker/--no-worker",
    "with_worker",
    default=True,
    show_default=True,
    help="Also run a task-queue worker (`annotate worker`) beside gunicorn, stopped with it.",
)
def serve_cmd(host: str, port: int, workers: int, with_worker: bool) -> None:
    """Serve the app with gunicorn (and, unless --no-worker, a worker for background jobs)."""
    from annotate.kinds.templates import TemplateError, check_all
    from annotate.serve import serve

    try:
        check_all(templates_dir())
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    beside = " and a background-job worker" if with_worker else ""
    click.echo(f"annotate serving on http://{host}:{port} with {workers} workers{beside} (Ctrl+C to stop)")
    serve(host, port, workers, with_worker=with_worker)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from annotate import __version__

        click.echo(f"annotate {__version__}")
        ctx.exit()


main.params.append(
    click.Option(
        ["--version"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        help="Show the annotate version and exit.",
        callback=_print_version,
    )
)
