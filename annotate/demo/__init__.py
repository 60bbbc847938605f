"""The demo: a friendly pairwise project (medicine, law, code) with demo accounts. Four items
carry a gold answer with its explanation and every item an automatic judge's suggestion, so the
Quality page has gold accuracy and judge calibration to show once the experts have judged."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from annotate.auth.services import add_user, set_password
from annotate.ingest import import_file
from annotate.models import Project, ProjectRole, Role, User
from annotate.projects.services import add_member, create_project

DATA = Path(__file__).parent / "pairwise.jsonl"
SLUG = "demo"
ACCOUNTS = [
    ("admin@example.org", Role.ADMIN, "Ada Admin", None),
    ("researcher@example.org", Role.RESEARCHER, "Rosalind Researcher", ProjectRole.RESEARCHER),
    ("expert1@example.org", Role.EXPERT, "Dr. Emma Expert", ProjectRole.EXPERT),
    ("expert2@example.org", Role.EXPERT, "Eli Expert", ProjectRole.EXPERT),
]
INSTRUCTIONS = """You will see a question and two answers written by different AI models.

Pick the answer a careful professional in the field would rather give: **correct**, **safe**,
and **helpful**. Call a tie only when neither is better. A short rationale helps us a lot.

Keys: `1` answer A, `2` answer B, `3` tie, `Ctrl+Enter` submit."""


def load_demo(session: Session, templates_dir: Path) -> list[tuple[str, str, str]]:
    """Create or refresh the demo accounts and project; return (email, role, new password) per account.

    Safe to run again: accounts get new passwords, the data is not duplicated.
    """
    project = session.scalar(select(Project).where(Project.slug == SLUG))
    if project is None:
        project = create_project(
            session,
            SLUG,
            template_name="pairwise",
            templates_dir=templates_dir,
            title="Demo: which answer is better?",
            overlap=2,
            instructions=INSTRUCTIONS,
        )
    logins = []
    for email, role, name, project_role in ACCOUNTS:
        password = secrets.token_urlsafe(9)
        user = session.scalar(User.by_email(email))
        if user is None:
            user = add_user(
                session,
                email,
                role=role,
                name=name,
                password=password,
                expertise=["medicine", "law", "software"] if role is Role.EXPERT else [],
            )
        else:
            set_password(user, password)
            user.active = True
        if project_role is not None:
            add_member(session, project, user, project_role)
        logins.append((email, role.value, password))
    session.commit()  # an import commits in chunks of its own (annotate.ingest.pipeline)
    import_file(session, project, DATA)
    return logins
