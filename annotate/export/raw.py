"""``raw``: one row per judgment, lossless and traceable."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from annotate.export.base import ExportFormat, ExportSummary, Record
from annotate.export.queries import judgments_with_items
from annotate.models import Project

YIELD_PER = 1000


def records(session: Session, project: Project, summary: ExportSummary) -> Iterator[Record]:
    stmt = judgments_with_items(project).execution_options(yield_per=YIELD_PER)
    for judgment, item, display_order, pseudonym in session.execute(stmt):
        yield {
            "judgment_id": judgment.id,
            "item_id": item.external_id,
            "project": project.slug,
            "expert": pseudonym,
            "prompt": item.prompt,
            "responses": item.responses,
            "metadata": item.meta,
            "answers": judgment.answers,
            "display_order": display_order,
            "template": {"name": judgment.template_name, "kind": project.kind, "version": judgment.template_version},
            "instructions_version": judgment.instructions_version,
            "created_at": judgment.created_at.isoformat(),
            "updated_at": judgment.updated_at.isoformat(),
            "active_seconds": judgment.active_seconds,
        }
        summary.rows += 1


RAW = ExportFormat(
    name="raw",
    description="One row per judgment with the item as imported, the answers by response id and full provenance.",
    schema="raw",
    records=records,
)
