"""Researcher-uploaded task templates: validate, store a new version, list.

Uploads are rows in ``task_templates`` (see ``annotate.models.template`` for why not files).
A name shipped as a file in the templates folder cannot be uploaded: files win when
a project is created, so an upload of that name would never be used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from annotate.kinds.templates import NAME_RE, TemplateError, available_templates, load_template, template_problems
from annotate.models import TaskTemplate, User
from annotate.validation import InvalidDocument, Problem

MAX_TEMPLATE_BYTES = 256 * 1024


@dataclass(frozen=True)
class TemplateSummary:
    """One row of the template list: a shipped file or the latest version of an upload."""

    name: str
    kind: str
    version: int
    title: str
    source: str  # "file" or "uploaded"
    versions: int = 1


def latest_upload(session: Session, name: str) -> TaskTemplate | None:
    """The newest uploaded version of ``name``, or None."""
    return session.scalar(
        select(TaskTemplate).where(TaskTemplate.name == name).order_by(TaskTemplate.version.desc()).limit(1)
    )


def upload_versions(name: str) -> Select:
    """Select every uploaded version of ``name``, newest first."""
    return select(TaskTemplate).where(TaskTemplate.name == name).order_by(TaskTemplate.version.desc())


def upload_template(
    session: Session, name: str, document: Any, templates_dir: Path, uploaded_by: User | None
) -> TaskTemplate:
    """Validate ``document`` and store it as a new version of ``name``.

    Raises InvalidDocument whose problems name the field (``name``) or the JSON path
    inside the template (``config.criteria[0].scale.max``); nothing is written then.
    """
    name = (name or "").strip()
    if not NAME_RE.match(name) or name == "schema":
        raise InvalidDocument(
            [Problem("name", "use 1-100 lower-case letters, digits, - and _, starting with a letter or digit")],
            "template",
        )
    if name in available_templates(templates_dir):
        raise InvalidDocument(
            [Problem("name", f"{name!r} is a shipped template file; choose another name")], "template"
        )
    found = template_problems(document, templates_dir)
    if found:
        raise InvalidDocument(found, "template")
    latest = session.scalar(select(func.max(TaskTemplate.version)).where(TaskTemplate.name == name))
    if latest is not None and document["version"] <= latest:
        raise InvalidDocument(
            [Problem("version", f"must be greater than {latest}, the latest uploaded version of {name!r}")], "template"
        )
    row = TaskTemplate(
        name=name,
        version=document["version"],
        kind=document["kind"],
        title=document["title"],
        document=document,
        uploaded_by_id=uploaded_by.id if uploaded_by else None,
    )
    session.add(row)
    session.flush()
    return row


def all_templates(session: Session, templates_dir: Path) -> list[TemplateSummary]:
    """Every template a project can be created from: files, then uploads (latest versions), by name."""
    out: list[TemplateSummary] = []
    for name in available_templates(templates_dir):
        try:
            doc = load_template(name, templates_dir, session)
        except TemplateError:
            continue  # `annotate templates check` and start-up report broken files
        out.append(TemplateSummary(name, doc["kind"], doc["version"], doc["title"], "file"))
    counts = dict(session.execute(select(TaskTemplate.name, func.count()).group_by(TaskTemplate.name)).all())
    latest = (
        select(TaskTemplate.name, func.max(TaskTemplate.version).label("version"))
        .group_by(TaskTemplate.name)
        .subquery()
    )
    rows = session.scalars(
        select(TaskTemplate)
        .join(latest, (TaskTemplate.name == latest.c.name) & (TaskTemplate.version == latest.c.version))
        .order_by(TaskTemplate.name)
    )
    out += [TemplateSummary(r.name, r.kind, r.version, r.title, "uploaded", counts.get(r.name, 1)) for r in rows]
    return out
