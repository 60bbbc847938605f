"""`annotate templates …` commands of the kinds package: upload a template into the database."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from annotate import db
from annotate.clitools import templates_dir, writing


@click.command("upload")
@click.argument("name")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def templates_upload(name: str, path: Path) -> None:
    """Validate the template JSON at PATH and store it as a new version of NAME (as the web upload does)."""
    from annotate.kinds.templates import TemplateError, parse_template
    from annotate.kinds.uploads import MAX_TEMPLATE_BYTES, upload_template
    from annotate.validation import InvalidDocument

    raw = path.read_bytes()
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise click.ClickException(f"{path.name}: a template may be at most {MAX_TEMPLATE_BYTES // 1024} KB")
    try:
        row = upload_template(writing(), name, parse_template(raw, path.name), templates_dir(), uploaded_by=None)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from None
    except InvalidDocument as exc:
        raise click.ClickException(f"{path.name}: " + "; ".join(str(p) for p in exc.problems)) from None
    db.session().commit()
    click.echo(f"uploaded template {row.name} v{row.version} ({row.kind}: {row.title})")


COMMANDS = [templates_upload]
