"""`annotate projects …`: create projects and manage members."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from annotate import db
from annotate.clitools import project_by_slug, templates_dir, user_by_email, writing
from annotate.models import Project, ProjectRole


@click.group("projects", cls=AppGroup, help="Projects: create, members.")
def projects_group() -> None:
    pass


@projects_group.command("create")
@click.argument("slug")
@click.option(
    "--template", "template_name", required=True, help="A task template name (file in task_templates/ without .json)."
)
@click.option("--title", default=None)
@click.option("--overlap", type=click.IntRange(min=1), default=1, show_default=True, help="Judgments wanted per item.")
@click.option(
    "--instructions",
    "instructions_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Markdown file with the instructions.",
)
@click.option("--lease-seconds", type=click.IntRange(min=30), default=1800, show_default=True)
@click.option("--no-randomize", is_flag=True, help="Show responses in their imported order.")
def projects_create(slug, template_name, title, overlap, instructions_file, lease_seconds, no_randomize) -> None:
    """Create a project from a task template."""
    from annotate.kinds.templates import TemplateError
    from annotate.projects.services import ProjectError, create_project

    instructions = instructions_file.read_text(encoding="utf-8") if instructions_file else None
    try:
        project = create_project(
            writing(),
            slug,
            template_name=template_name,
            templates_dir=templates_dir(),
            title=title,
            overlap=overlap,
            instructions=instructions,
            lease_seconds=lease_seconds,
            randomize_order=not no_randomize,
        )
    except (ProjectError, TemplateError) as exc:
        raise click.ClickException(str(exc)) from None
    db.session().commit()
    click.echo(
        f"created project {project.slug} ({project.template['kind']}, template {template_name}"
        f" v{project.template_version}, overlap {project.overlap})"
    )


@projects_group.command("add-member")
@click.argument("slug")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in ProjectRole]), required=True)
def projects_add_member(slug: str, email: str, role: str) -> None:
    """Add a user to a project with a project role (or change their role)."""
    from annotate.projects.services import add_member

    session = writing()
    member = add_member(session, project_by_slug(slug), user_by_email(email), ProjectRole(role))
    session.commit()
    click.echo(f"{email} is {member.role.value} in {slug} (pseudonym {member.pseudonym})")


@projects_group.command("list")
def projects_list() -> None:
    """List projects."""
    for project in db.session().scalars(select(Project).order_by(Project.id)):
        click.echo(
            f"{project.slug}\t{project.template['kind']}\t{project.template_name} v{project.template_version}"
            f"\toverlap {project.overlap}\t{project.title}"
        )


@projects_group.command("recount")
@click.argument("slug")
def projects_recount(slug: str) -> None:
    """Recount a project's progress counters from its items, assignments and judgments.

    annotate keeps them as it goes; recount after rows were changed outside annotate."""
    from annotate.projects import counters

    session = writing()
    project = project_by_slug(slug)
    before = counters.totals(session, project.id, days=True)
    after = counters.rebuild(session, project.id)
    session.commit()
    wrong = sorted(name for name in before.keys() | after.keys() if before.get(name, 0) != after.get(name, 0))
    verdict = f"corrected {', '.join(wrong)}" if wrong else "they were right"
    click.echo(f"recounted {slug}: {after.get('items', 0)} items, {after.get('judgments', 0)} judgments; {verdict}")
