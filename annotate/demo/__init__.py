"""The demo: a friendly pairwise project (medicine, law, code), a rating project of the same
answers one at a time (Likert scale with anchors, for KTO and reward data), a demonstration
project (``demo-sft``, annotate/demo/sft.py), and demo accounts. Four pairwise items carry a
gold answer with its explanation and every pairwise item an automatic judge's suggestion, so the
Quality page has gold accuracy and judge calibration to show once the experts have judged."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotate.auth.services import add_user, set_password
from annotate.ingest import import_file
from annotate.models import Project, ProjectRole, Role, User
from annotate.projects.services import add_member, create_project

DATA = Path(__file__).parent / "pairwise.jsonl"
SLUG = "demo"
RATING_SLUG = "demo-rating"
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
    members = []
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
            members.append((user, project_role))
        logins.append((email, role.value, password))
    rating = session.scalar(select(Project).where(Project.slug == RATING_SLUG))
    if rating is None:
        rating = create_project(
            session,
            RATING_SLUG,
            template_name="likert-helpfulness",
            templates_dir=templates_dir,
            title="Demo: how helpful is this answer?",
            overlap=2,
        )
    for email, _role, _name, project_role in ACCOUNTS:
        if project_role is not None:
            add_member(session, rating, session.scalar(User.by_email(email)), project_role)
    session.commit()  # an import commits in chunks of its own (annotate.ingest.pipeline)
    import_file(session, project, DATA)
    with tempfile.TemporaryDirectory(prefix="annotate-demo-") as tmp:
        import_file(session, rating, one_answer_each(Path(tmp) / "ratings.jsonl"))

    from annotate.demo.sft import load_sft

    load_sft(session, templates_dir, members)
    return logins


def one_answer_each(path: Path) -> Path:
    """The demo's questions with one answer each (the first), as items to rate, written to ``path``."""
    with DATA.open("rb") as source, path.open("wb") as out:
        for line in source:
            if line.strip():
                row = orjson.loads(line)
                item = {"id": row["id"], "prompt": row["prompt"], "responses": row["responses"][:1]}
                out.write(orjson.dumps(item) + b"\n")
    return path
