"""The ``annotate`` command: thin Click wrappers over the same services the views call.

Each command prints what it did; errors go to stderr with a non-zero exit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy import select

from annotate import db
from annotate.models import Project, ProjectRole, Role, User


def init_app(app: Flask) -> None:
    """Register every command on ``app.cli``."""
    for command in (db_group, users_group, tokens_group, projects_group, templates_group, import_cmd, export_cmd, stats_cmd, demo_cmd, serve_cmd):
        app.cli.add_command(command)


def _create_app() -> Flask:
    from annotate import create_app

    return create_app()


main = FlaskGroup(
    name="annotate",
    help="annotate: expert feedback for RLHF. Settings come from ANNOTATE_* environment variables.",
    create_app=_create_app,
    add_default_commands=False,
    load_dotenv=False,
    set_debug_flag=False,
)


def _templates_dir() -> Path:
    return Path(current_app.config["TEMPLATES_DIR"])


def _user(email: str) -> User:
    user = db.session().scalar(User.by_email(email))
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    return user


def _project(slug: str) -> Project:
    project = db.session().scalar(select(Project).where(Project.slug == slug))
    if project is None:
        raise click.ClickException(f"no project with slug {slug!r}")
    return project


def _writing():
    """Begin a writing unit of work on the app-context session (SQLite: BEGIN IMMEDIATE)."""
    session = db.session()
    db.begin_write(session)
    return session


# -- db -------------------------------------------------------------------------------


@click.group("db", help="Database schema (Alembic migrations).")
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


@click.group("users", help="People who sign in.")
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
        user = add_user(_writing(), email, role=Role(role), name=name, password=password, expertise=parse_tags(expertise))
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


@click.group("tokens", help="API tokens.")
def tokens_group() -> None:
    pass


@tokens_group.command("create")
@click.argument("email")
@click.option("--name", default="", help="A label to recognise the token by.")
def tokens_create(email: str, name: str) -> None:
    """Create an API token for EMAIL; the token is printed once, on the last line."""
    from annotate.auth.services import create_token

    session = _writing()
    token, secret = create_token(session, _user(email), name=name)
    session.commit()
    click.echo(f"created token {token.prefix}… for {email}; it is shown only now:", err=True)
    click.echo(secret)


# -- projects and templates --------------------------------------------------------------


@click.group("projects", help="Projects: create, members.")
def projects_group() -> None:
    pass


@projects_group.command("create")
@click.argument("slug")
@click.option("--template", "template_name", required=True, help="A task template name (file in task_templates/ without .json).")
@click.option("--title", default=None)
@click.option("--overlap", type=click.IntRange(min=1), default=1, show_default=True, help="Judgments wanted per item.")
@click.option("--instructions", "instructions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Markdown file with the instructions.")
@click.option("--lease-seconds", type=click.IntRange(min=30), default=1800, show_default=True)
@click.option("--no-randomize", is_flag=True, help="Show responses in their imported order.")
def projects_create(slug, template_name, title, overlap, instructions_file, lease_seconds, no_randomize) -> None:
    """Create a project from a task template."""
    from annotate.kinds.templates import TemplateError
    from annotate.projects.services import ProjectError, create_project

    instructions = instructions_file.read_text(encoding="utf-8") if instructions_file else None
    try:
        project = create_project(
            _writing(),
            slug,
            template_name=template_name,
            templates_dir=_templates_dir(),
            title=title,
            overlap=overlap,
            instructions=instructions,
            lease_seconds=lease_seconds,
            randomize_order=not no_randomize,
        )
    except (ProjectError, TemplateError) as exc:
        raise click.ClickException(str(exc)) from None
    db.session().commit()
    click.echo(f"created project {project.slug} ({project.template['kind']}, template {template_name} v{project.template_version}, overlap {project.overlap})")


@projects_group.command("add-member")
@click.argument("slug")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in ProjectRole]), required=True)
def projects_add_member(slug: str, email: str, role: str) -> None:
    """Add a user to a project with a project role (or change their role)."""
    from annotate.projects.services import add_member

    session = _writing()
    member = add_member(session, _project(slug), _user(email), ProjectRole(role))
    session.commit()
    click.echo(f"{email} is {member.role.value} in {slug} (pseudonym {member.pseudonym})")


@projects_group.command("list")
def projects_list() -> None:
    """List projects."""
    for project in db.session().scalars(select(Project).order_by(Project.id)):
        click.echo(f"{project.slug}\t{project.template['kind']}\t{project.template_name} v{project.template_version}\toverlap {project.overlap}\t{project.title}")


@click.group("templates", help="Task templates.")
def templates_group() -> None:
    pass


@templates_group.command("check")
def templates_check() -> None:
    """Validate every template in the templates folder against the meta-schema and its kind."""
    from annotate.kinds.templates import TemplateError, available_templates, check_all

    try:
        check_all(_templates_dir())
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(available_templates(_templates_dir()))} templates valid")


@templates_group.command("list")
def templates_list() -> None:
    """List the templates with their kind and version."""
    from annotate.kinds.templates import available_templates, load_template

    for name in available_templates(_templates_dir()):
        template = load_template(name, _templates_dir())
        click.echo(f"{name}\t{template['kind']}\tv{template['version']}\t{template['title']}")


# -- data in and out -----------------------------------------------------------------------


@click.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--shape", type=click.Choice(["canonical", "trl", "hh-rlhf"]), default=None, help="Skip detection.")
def import_cmd(slug: str, path: Path, shape: str | None) -> None:
    """Import a JSONL or JSON file (optionally .gz) into a project, all or nothing."""
    from annotate.ingest import ImportFailed, import_file

    session = _writing()
    try:
        summary = import_file(session, _project(slug), path, shape_name=shape)
    except ImportFailed as exc:
        session.rollback()
        raise click.ClickException(f"{exc}\nnothing was imported") from None
    session.commit()
    click.echo(str(summary))


@click.command("export")
@click.argument("slug")
@click.option("--format", "fmt_name", default="trl", show_default=True, help="Export format (trl, raw).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout.")
def export_cmd(slug: str, fmt_name: str, out: Path | None) -> None:
    """Export a project's judgments as JSONL."""
    from annotate.export.services import ExportError, export_to, get_format

    try:
        fmt = get_format(fmt_name)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    session = _writing()
    project = _project(slug)
    if out is None:
        record, summary = export_to(session, project, fmt, sys.stdout.buffer, user=None, channel="cli")
        sys.stdout.flush()
    else:
        tmp = out.with_name(out.name + ".part")
        with tmp.open("wb") as f:
            record, summary = export_to(session, project, fmt, f, user=None, channel="cli")
        tmp.replace(out)
    session.commit()
    where = str(out) if out else "stdout"
    click.echo(f"exported {summary.rows} {fmt.name} rows from {slug} to {where} (sha256 {record.sha256})", err=True)
    for reason, n in sorted(summary.left_out.items()):
        click.echo(f"left out {n} items: {reason}", err=True)


@click.command("stats")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats_cmd(slug: str, as_json: bool) -> None:
    """Progress of a project."""
    from annotate.projects.services import stats

    data = stats(db.session(), _project(slug))
    if as_json:
        click.echo(orjson.dumps(data).decode())
    else:
        for key, value in data.items():
            click.echo(f"{key}: {value}")


@click.command("demo")
def demo_cmd() -> None:
    """Load the demo project and print demo logins (passwords are new each run)."""
    from annotate.demo import load_demo

    session = _writing()
    logins = load_demo(session, _templates_dir())
    session.commit()
    click.echo("Demo project 'demo' is ready. Sign in at the address `annotate serve` prints with:")
    for email, role, password in logins:
        click.echo(f"  {role:<10} {email:<28} {password}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--workers", type=int, default=2, show_default=True)
def serve_cmd(host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn."""
    from annotate.kinds.templates import TemplateError, check_all
    from annotate.serve import serve

    try:
        check_all(_templates_dir())
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"annotate serving on http://{host}:{port} with {workers} workers (Ctrl+C to stop)")
    serve(host, port, workers)
