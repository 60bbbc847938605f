"""`annotate projects …` commands of the assignment engine: priority, skipped items,
adjudication settings. Thin wrappers over annotate.assign services; added to the
``projects`` group by ``annotate.cli.init_app``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from annotate import db
from annotate.clitools import project_by_slug, user_by_email, writing
from annotate.models import ProjectMember


@click.command("prioritize")
@click.argument("slug")
@click.option("--batch", "batch_id", type=int, required=True, help="The batch id (as printed by `annotate import`).")
@click.option(
    "--priority", type=int, default=10, show_default=True, help="Higher goes first; 0 is the default of every item."
)
@with_appcontext
def prioritize_cmd(slug: str, batch_id: int, priority: int) -> None:
    """Push one batch of a project ahead of (or behind) the others."""
    from annotate.assign.services import AssignmentError, prioritize_batch

    session = writing()
    try:
        n = prioritize_batch(session, project_by_slug(slug), batch_id, priority)
    except AssignmentError as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"batch {batch_id} of {slug}: {n} items now have priority {priority}")


@click.command("skipped")
@click.argument("slug")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@with_appcontext
def skipped_cmd(slug: str, limit: int) -> None:
    """List skipped, unfinished items with their reasons; stuck ones (nobody left to take them) first."""
    from annotate.assign.skips import skipped_report

    report = skipped_report(db.session(), project_by_slug(slug), limit=limit)
    if not report:
        click.echo(f"no unfinished item of {slug} has been skipped")
    for row in report:
        state = "STUCK" if row["stuck"] else f"{row['remaining']} experts left"
        reasons = " | ".join(row["reasons"])
        click.echo(
            f"{row['item_id']}\t{row['skips']} skips\t{row['judgments']}/{row['overlap']} judgments\t{state}\t{reasons}"
        )


@click.command("adjudication")
@click.argument("slug")
@click.option(
    "--threshold",
    type=click.IntRange(1, 100),
    help="Adjudicate items whose agreement (percent) is below this; 100 = any disagreement.",
)
@click.option("--off", is_flag=True, help="Never adjudicate.")
@with_appcontext
def adjudication_cmd(slug: str, threshold: int | None, off: bool) -> None:
    """Set when an item's disagreeing judgments call for a tie-breaker."""
    if off == (threshold is not None):
        raise click.UsageError("give exactly one of --threshold N or --off")
    session = writing()
    project = project_by_slug(slug)
    project.adjudication_threshold = None if off else threshold
    session.commit()
    click.echo(f"{slug}: adjudication {'off' if off else f'below {threshold}% agreement'}")


@click.command("adjudicator")
@click.argument("slug")
@click.argument("email")
@click.option("--off", is_flag=True, help="Withdraw the right to adjudicate.")
@with_appcontext
def adjudicator_cmd(slug: str, email: str, off: bool) -> None:
    """Let a project member break ties (reviewers always may)."""
    session = writing()
    project, user = project_by_slug(slug), user_by_email(email)
    member = session.scalar(
        select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user.id)
    )
    if member is None:
        raise click.ClickException(f"{email} is not a member of {slug}; add them first (annotate projects add-member)")
    member.adjudicator = not off
    session.commit()
    click.echo(f"{email} {'may no longer' if off else 'may'} adjudicate in {slug}")


COMMANDS = (prioritize_cmd, skipped_cmd, adjudication_cmd, adjudicator_cmd)
