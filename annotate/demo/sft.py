"""The demo's second project, ``demo-sft``: write the ideal reply (template sft-demonstration).

Six prompts written for the demo (medicine, code, law, math, and two in Arabic and Hebrew with
English terms, to show right-to-left text); three carry a deliberately flawed model draft the
expert may start from. Licence: the project's own (Apache-2.0)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotate.ingest import import_file
from annotate.models import Project, ProjectRole, User
from annotate.projects.services import add_member, create_project

DATA = Path(__file__).parent / "sft.jsonl"
SLUG = "demo-sft"
INSTRUCTIONS = """Read the conversation and write the reply the assistant **should** give next,
as a careful professional would: correct first, then complete, clear and kind.

Some prompts come with a model draft (**Show the model's draft**). It has mistakes on purpose:
start from it if it helps, but fix it. Write in the prompt's language. Tick the checklist before
you submit. Keys: `e` editor, `p` preview, `d` start from the draft, `Ctrl+Enter` submit."""


def load_sft(session: Session, templates_dir: Path, members: list[tuple[User, ProjectRole]]) -> Project:
    """Create the demo-sft project (once), add ``members``, import its prompts (not duplicated)."""
    project = session.scalar(select(Project).where(Project.slug == SLUG))
    if project is None:
        project = create_project(
            session,
            SLUG,
            template_name="sft-demonstration",
            templates_dir=templates_dir,
            title="Demo: write the ideal reply",
            overlap=2,
            instructions=INSTRUCTIONS,
        )
    for user, role in members:
        add_member(session, project, user, role)
    session.commit()
    import_file(session, project, DATA)
    return project
