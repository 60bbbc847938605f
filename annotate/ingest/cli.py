"""`annotate import`: load a lab's dataset into a project, all or nothing, with a progress bar."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import orjson
from flask import current_app
from flask.cli import with_appcontext

from annotate.clitools import project_by_slug


class ProgressBar:
    """rows, rows/s and ETA on stderr, redrawn at most 10 times a second; silent off a TTY."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.perf_counter()
        self.last = 0.0

    def __call__(self, rows: int, fraction: float) -> None:
        now = time.perf_counter()
        if not self.enabled or (now - self.last < 0.1 and fraction < 1.0):
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = rows / elapsed
        width = 30
        filled = int(width * min(fraction, 1.0))
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else 0
        eta_text = time.strftime("%H:%M:%S", time.gmtime(eta)) if fraction > 0 else "--:--:--"
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {rows:>10,} rows"
            f" {rate:>9,.0f} rows/s ETA {eta_text}"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


@click.command("import")
@with_appcontext
@click.argument("slug")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--format", "fmt", default=None, help="Skip detection: jsonl, json, csv, tsv, parquet, hf-disk, hf-load, hf-hub."
)
@click.option("--shape", default=None, help="Skip shape detection (e.g. trl, hh-rlhf, alpaca-pairwise).")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FIELD=COLUMN[,COLUMN]",
    help="Explicit mapping, e.g. --map prompt=question --map responses=a,b.",
)
@click.option("--join", default=None, metavar="KEY", help="Join several files of single-model outputs on KEY.")
@click.option("--split", default=None, help="Dataset split (Hugging Face datasets).")
@click.option("--config", "config_name", default=None, help="Dataset configuration (Hugging Face datasets).")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows; list every skipped row in --report.")
@click.option(
    "--report",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the skipped rows (JSONL); default SOURCE.skipped.jsonl.",
)
def import_cmd(slug, sources, fmt, shape, maps, join, split, config_name, skip_invalid, report) -> None:
    """Import SOURCES (files, a dataset folder or a Hub name) into a project, all or nothing.

    JSONL, JSON arrays, CSV and TSV (each optionally .gz), Parquet, and Hugging Face
    datasets. Rows already in the project (same id, or same content) are not duplicated.
    """
    from annotate import db
    from annotate.ingest import ImportFailed, ImportOptions, import_sources
    from annotate.ingest.shapes import SHAPES
    from annotate.ingest.shapes.mapping import parse_mapping

    if shape is not None and shape not in SHAPES:
        raise click.BadParameter(f"unknown shape; choose from {', '.join(SHAPES)}", param_hint="--shape")
    session = db.session()
    project = project_by_slug(slug)
    bar = ProgressBar()
    try:
        options = ImportOptions(
            format=fmt,
            shape=shape,
            mapping=parse_mapping(maps) if maps else None,
            join=join,
            split=split,
            config=config_name,
            skip_invalid=skip_invalid,
        )
        summary = import_sources(
            session,
            project,
            [Path(s) if Path(s).exists() else s for s in sources],
            options,
            progress=bar,
            media_store=Path(current_app.instance_path) / "media",
        )
    except ImportFailed as exc:
        bar.close()
        raise click.ClickException(f"{exc}\nnothing was imported") from None
    bar.close()
    click.echo(str(summary))
    if summary.problems:
        path = report or Path(f"{Path(sources[0]).name}.skipped.jsonl")
        path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in summary.problems))
        click.echo(f"{summary.skipped} rows skipped; every one is listed with its error in {path}", err=True)
