"""What an export will hold, before it is written: the formats that apply to a project's kind,
a dry run (rows, and what is left out and why, as the CLI prints after an export), and a
finished folder export as one archive to download."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from sqlalchemy.orm import Session

from annotate.export import FORMATS
from annotate.export.base import ExportContext, ExportFormat, ExportOptions, ExportSummary
from annotate.kinds import Kind
from annotate.models import ExportRecord, Project


def formats_for(kind: Kind) -> dict[str, ExportFormat]:
    """The formats that can express judgments of this task kind (the page offers no others)."""
    return {name: fmt for name, fmt in FORMATS.items() if fmt.kind_problem(kind) is None}


def dry_run(
    session: Session, project: Project, fmt: ExportFormat, options: ExportOptions, *, first_only: bool = False
) -> ExportSummary:
    """Run the export without writing it: the summary (rows, ties, abstentions, left out).
    ``first_only`` stops at the first row: enough to know the export is not empty, and cheap."""
    summary = ExportSummary()
    ctx = ExportContext(session, project, options, summary)
    rows = 0
    for _record in fmt.records(ctx):
        rows += 1
        if first_only:
            break
    summary.rows = rows
    return summary


def left_out_lines(summary: ExportSummary) -> list[str]:
    """What was not exported, in words: ties, abstentions and each reason for leaving judgments out."""
    counts = summary.as_json()
    lines = [f"{reason}: {n}" for reason, n in counts["left_out"].items()]
    if counts["ties"]:
        lines.append(f"ties among the judgments read: {counts['ties']}")
    if counts["abstains"]:
        lines.append(f"abstentions among the judgments read: {counts['abstains']}")
    return lines


def empty_message(fmt: ExportFormat, summary: ExportSummary) -> str:
    """Why an export would have no rows, instead of a file ``load_dataset`` cannot read."""
    counts = summary.as_json()
    if not counts["judgments_read"]:
        return f"Nothing to export as {fmt.name} yet: no judgment matches these options."
    return (
        f"Nothing to export as {fmt.name} with these options: {counts['judgments_read']} judgments were read "
        "and none makes a row. " + "; ".join(left_out_lines(summary))
    ).strip()


def folder_archive(record: ExportRecord, slug: str) -> Path:
    """A zip of a finished folder export (made once, beside the folder) that unpacks into one
    folder ``<slug>-export-<id>/`` which ``datasets.load_dataset`` reads."""
    folder = Path(record.output or "")
    archive = folder.with_name(folder.name + ".zip")
    if archive.is_file():
        return archive
    top = f"{slug}-export-{record.id}"
    tmp = archive.with_name(archive.name + f".{os.getpid()}.part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zf.write(path, f"{top}/{path.relative_to(folder).as_posix()}")
        tmp.replace(archive)
    finally:
        tmp.unlink(missing_ok=True)
    return archive
