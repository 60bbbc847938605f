"""`annotate export`: write a project's judgments in an export format, to stdout, a file or a folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from annotate.clitools import project_by_slug, writing


@click.command("export")
@with_appcontext
@click.argument("slug")
@click.option("--format", "fmt_name", default="trl", show_default=True, help="Export format (see exports/README.md).")
@click.option(
    "--out",
    "out_arg",
    type=click.Path(),
    help="A folder (an existing one, or a path ending in /, made if missing): write data/, README.md and "
    "manifest.json. A file: write JSONL there. Default: stdout.",
)
@click.option("--parquet", is_flag=True, help="With a folder --out: data/train.parquet instead of JSONL.")
@click.option("--hf", is_flag=True, help="With a folder --out: data/ as a datasets save_to_disk folder.")
@click.option("--license", "license_", default="other", show_default=True, help="License for the dataset card.")
@click.option(
    "--unit",
    type=click.Choice(["item", "judgment"]),
    help="One row per item (aggregated) or per judgment. Default: the format's.",
)
@click.option(
    "--aggregation", type=click.Choice(["majority", "unanimous", "all"]), default="majority", show_default=True
)
@click.option("--accepted-only", is_flag=True, help="Only judgments whose latest review accepts (or fixes) them.")
@click.option("--min-agreement", help="Leave out items whose agreement is below this (0..1).")
@click.option("--exclude-expert", "exclude_experts", multiple=True, help="Pseudonym or email; repeat for several.")
@click.option("--gold-only", is_flag=True, help="Only experts who pass the gold check.")
@click.option("--gold-threshold", help="Share of gold items an expert must match to pass (default 0.8).")
@click.option("--batch", "batches", multiple=True, help="Only items from this import batch id; repeat for several.")
@click.option("--since", help="Only judgments made at or after this ISO date or date-time (UTC).")
@click.option("--until", help="Only judgments made at or before this ISO date (whole day) or date-time (UTC).")
@click.option("--pairs", is_flag=True, help="ranking: expand each ranking into trl preference pairs.")
@click.option("--binarize", is_flag=True, help="rubric: chosen/rejected pairs by aggregate score.")
@click.option("--emails", is_flag=True, help="raw: add each expert's email (only when you need it).")
@click.option(
    "--prompt-completion", is_flag=True, help="sft: prompt and completion columns instead of one messages column."
)
@click.option(
    "--exclude-flagged",
    is_flag=True,
    help="Leave out judgments with an authenticity flag (too fast, mostly pasted, submitted without interaction).",
)
@click.option(
    "--label-threshold",
    help="trl-kto of a rated project: a rating whose score (0..1: the scale's lowest point 0, highest 1) "
    "is above this is desirable (label true). Default 0.5; recorded in the manifest.",
)
def export_cmd(
    slug: str, fmt_name: str, out_arg: str | None, parquet: bool, hf: bool, license_: str, **raw_options
) -> None:
    """Export a project's judgments (JSONL to stdout or a file, or a dataset folder)."""
    # Path() drops a trailing slash, and with it the only sign that a new folder was meant.
    wants_folder = out_arg is not None and (out_arg.endswith(("/", os.sep)) or Path(out_arg).is_dir())
    out = Path(out_arg) if out_arg is not None else None
    from annotate.export.base import ExportError
    from annotate.export.folder import write_folder
    from annotate.export.options import parse_options
    from annotate.export.services import (
        export_to,
        finish_export,
        get_format,
        resolve,
        start_export,
    )

    session = writing()
    project = project_by_slug(slug)
    try:
        if parquet and hf:
            raise ExportError("form: choose --parquet or --hf, not both")
        if (parquet or hf) and not wants_folder:
            raise ExportError("out: --parquet and --hf write the folder form: --out must name a folder (end it with /)")
        fmt = get_format(fmt_name)
        options = parse_options(**raw_options)
        if out is not None and wants_folder:
            options = resolve(session, project, fmt, options)  # bad options make no folder
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ExportError(f"out: cannot make the folder {out}: {exc.strerror}") from None
            record = start_export(session, project, fmt, options, user=None, channel="cli", output=str(out))
            result = write_folder(
                session,
                project,
                fmt,
                options,
                out,
                export_id=record.id,
                form="parquet" if parquet else "hf" if hf else "jsonl",
                license=license_,
            )
            summary = result.summary
            finish_export(record, summary, result.sha256, result.files)
            where = f"{out}/ (data, README.md, manifest.json)"
        elif out is None:
            record, summary = export_to(
                session, project, fmt, sys.stdout.buffer, options=options, user=None, channel="cli"
            )
            sys.stdout.flush()
            where = "stdout"
        else:
            if not out.parent.is_dir():
                raise ExportError(f"out: the folder {out.parent} does not exist")
            tmp = out.with_name(out.name + ".part")
            try:
                with tmp.open("wb") as f:
                    record, summary = export_to(session, project, fmt, f, options=options, user=None, channel="cli")
                tmp.replace(out)
            finally:
                tmp.unlink(missing_ok=True)
            where = str(out)
    except ExportError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"exported {summary.rows} {fmt.name} rows from {slug} to {where} (sha256 {record.sha256})", err=True)
    counts = summary.as_json()
    click.echo(
        f"items {counts['items']}, judgments used {counts['judgments_used']} of {counts['judgments_read']}, "
        f"experts {counts['experts']}, ties {counts['ties']}, abstains {counts['abstains']}",
        err=True,
    )
    for reason, n in counts["left_out"].items():
        click.echo(f"left out {n}: {reason}", err=True)
