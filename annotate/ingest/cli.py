"""`annotate import`: load a lab's file into a project."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from annotate.clitools import project_by_slug, writing


@click.command("import")
@with_appcontext
@click.argument("slug")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--shape", type=click.Choice(["canonical", "trl", "hh-rlhf"]), default=None, help="Skip detection.")
def import_cmd(slug: str, path: Path, shape: str | None) -> None:
    """Import a JSONL or JSON file (optionally .gz) into a project, all or nothing."""
    from annotate.ingest import ImportFailed, import_file

    session = writing()
    try:
        summary = import_file(session, project_by_slug(slug), path, shape_name=shape)
    except ImportFailed as exc:
        session.rollback()
        raise click.ClickException(f"{exc}\nnothing was imported") from None
    session.commit()
    click.echo(str(summary))
