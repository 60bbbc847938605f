"""The dataset card (``README.md`` with Hugging Face YAML metadata) and ``manifest.json``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from annotate import __version__
from annotate.export.base import ExportFormat, ExportOptions, ExportSummary
from annotate.models import Project

SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
]
FORMATS_DOC = "https://github.com/annotate-dev/annotate/blob/main/exports/README.md"


def size_category(rows: int) -> str:
    for limit, label in SIZE_CATEGORIES:
        if rows < limit:
            return label
    return "100M<n<1B"


def card_metadata(
    project: Project, fmt: ExportFormat, summary: ExportSummary, data_path: str, license: str
) -> dict[str, Any]:
    """The YAML front matter: what the Hub and ``load_dataset(DIR)`` read."""
    return {
        "pretty_name": project.title,
        "license": license,
        "task_categories": list(fmt.task_categories),
        "size_categories": [size_category(summary.rows)],
        "annotations_creators": ["expert-generated"],
        "tags": list(dict.fromkeys([*fmt.tags, "annotate"])),
        "configs": [{"config_name": "default", "data_files": [{"split": "train", "path": data_path}]}],
    }


def _alpha_lines(agreement: dict[str, Any]) -> list[str]:
    if not agreement.get("alpha"):
        return ["No agreement measure applies to this data (no unit was judged by two experts with comparable values)."]
    lines = [
        f"{agreement['method']}.",
        "",
        "| measure | alpha | 95% interval | units | items | judgments |",
        "|---|---|---|---|---|---|",
    ]
    intervals = agreement.get("ci", {})
    for name, value in agreement["alpha"].items():
        shown = "n/a (fewer than two values per unit)" if value is None else f"{value:.4f}"
        ci = intervals.get(name)
        between = "n/a" if ci is None else f"{ci[0]:.4f} to {ci[1]:.4f}"
        items, judgments = agreement.get("items", {}).get(name, ""), agreement.get("judgments", {}).get(name, "")
        lines.append(f"| {name} | {shown} | {between} | {agreement['units'][name]} | {items} | {judgments} |")
    lines += [
        "",
        (
            "The interval is a bootstrap 95% percentile interval (200 resamples of the units, fixed seed); "
            "a wide one means the data are too few to say how far the experts agree."
        ),
    ]
    return lines


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def _time_lines(summary: ExportSummary, options: ExportOptions) -> list[str]:
    """Median active time per judgment and the flagged share, of the judgments that passed the filters."""
    counted = summary.seconds.total()
    median = summary.median_seconds()
    lines = ["## Time and authenticity", ""]
    if median is None:
        return [*lines, "No judgment passed the filters."]
    lines.append(
        f"Median active time per judgment: **{_duration(median)}**, measured by the server from the experts' "
        f"activity on the task page (pauses longer than the idle gap not counted), over the {counted} judgments "
        "that passed the filters."
    )
    lines.append("")
    if options.exclude_flagged:
        lines.append(
            "Judgments with an authenticity flag (too fast, mostly pasted, submitted without interaction) were "
            "left out (`exclude_flagged`); see the counts above."
        )
    else:
        lines.append(
            f"Flagged: **{summary.flagged / counted:.1%}** ({summary.flagged} of {counted}) carry an authenticity "
            "flag: too fast, mostly pasted, or submitted without interaction. Flags are notes for reviewers, not "
            "rejections; `raw` lists each with the value that raised it, and `--exclude-flagged` leaves them out."
        )
    return lines


def dataset_card(
    project: Project,
    fmt: ExportFormat,
    options: ExportOptions,
    summary: ExportSummary,
    agreement: dict[str, Any],
    *,
    data_path: str,
    license: str,
    created_at: datetime,
) -> str:
    """The README.md: YAML metadata, then template, instructions, counts, experts and agreement."""
    import yaml

    meta = yaml.safe_dump(card_metadata(project, fmt, summary, data_path, license), sort_keys=False, allow_unicode=True)
    template = project.template
    counts = summary.as_json()
    left_out = counts.pop("left_out")
    lines = [
        "---",
        meta.rstrip(),
        "---",
        "",
        f"# {project.title}",
        "",
        (
            f"Expert feedback collected with [annotate](https://github.com/annotate-dev/annotate) in project "
            f"`{project.slug}`, exported as **{fmt.name}** on {created_at:%Y-%m-%d %H:%M} UTC"
            f" (annotate {__version__})."
        ),
        "",
        f"{fmt.description} The format is documented, with its JSON Schema, in [exports/README.md]({FORMATS_DOC}).",
        "",
        "```python",
        "from datasets import load_dataset",
        'ds = load_dataset("path/to/this/folder", split="train")',
        "```",
        "",
        "## Task template",
        "",
        f"- name: `{project.template_name}`, version {project.template_version}",
        f"- kind: {project.kind}",
        f"- title: {template.get('title', '')}",
    ]
    if template.get("description"):
        lines.append(f"- description: {template['description']}")
    lines += [
        "",
        "## Instructions given to the experts",
        "",
        f"Version {project.instructions_version}:",
        "",
        *[f"> {line}" if line else ">" for line in (project.instructions or "(none)").splitlines()],
        "",
        "## Counts",
        "",
        "| | |",
        "|---|---|",
        *[f"| {name.replace('_', ' ')} | {value} |" for name, value in counts.items()],
        "",
        f"{counts['experts']} experts contributed to the rows (named by pseudonyms stable within the project).",
        "",
    ]
    if left_out:
        lines += ["Left out, and why:", "", *[f"- {reason}: {n}" for reason, n in left_out.items()], ""]
    lines += [*_time_lines(summary, options), ""]
    lines += [
        "## Agreement",
        "",
        *_alpha_lines(agreement),
        "",
        "## Selection",
        "",
        "Unit, aggregation and filters of this export (see exports/README.md for their exact meaning):",
        "",
        "```json",
        orjson.dumps(options.as_json(), option=orjson.OPT_INDENT_2).decode(),
        "```",
        "",
        "## Provenance",
        "",
        "`manifest.json` lists every file with its SHA-256, the counts and the options above.",
        "",
    ]
    return "\n".join(lines)


def manifest(
    project: Project,
    fmt: ExportFormat,
    options: ExportOptions,
    summary: ExportSummary,
    agreement: dict[str, Any],
    files: dict[str, Any],
    *,
    export_id: int,
    created_at: datetime,
    schema: str,
) -> dict[str, Any]:
    """manifest.json: format, filters, counts, sha256 of every file, tool version, time."""
    return {
        "format": fmt.name,
        "schema": f"{schema}.schema.json",
        "project": {
            "slug": project.slug,
            "title": project.title,
            "template": {"name": project.template_name, "kind": project.kind, "version": project.template_version},
            "instructions_version": project.instructions_version,
        },
        "options": options.as_json(),
        "counts": summary.as_json(),
        "agreement": agreement,
        "files": files,
        "tool": {"name": "annotate", "version": __version__},
        "export_id": export_id,
        "created_at": created_at.isoformat(),
    }
