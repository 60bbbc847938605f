"""`annotate export`: write a project's judgments in an export format."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from annotate.clitools import project_by_slug, writing


@click.command("export")
@with_appcontext
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
    session = writing()
    project = project_by_slug(slug)
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
