"""Create projects, manage members, and report progress."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from annotate.kinds.templates import load_template
from annotate.models import (
    InstructionsVersion,
    Project,
    ProjectMember,
    ProjectRole,
    TermsAcceptance,
    TermsVersion,
    User,
)
from annotate.projects import counters, queries
from annotate.projects.queries import visible_projects  # noqa: F401  (the pages' name)

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


class ProjectError(ValueError):
    """Bad input for a project operation; the message says which field and why."""


def create_project(
    session: Session,
    slug: str,
    *,
    template_name: str,
    templates_dir: Path,
    title: str | None = None,
    overlap: int = 1,
    instructions: str | None = None,
    created_by: User | None = None,
    lease_seconds: int = 1800,
    randomize_order: bool = True,
) -> Project:
    """Create a project with a snapshot of the named template."""
    if not SLUG_RE.match(slug):
        raise ProjectError(
            f"slug: {slug!r} must be lower-case letters, digits and '-', starting with a letter or digit"
        )
    if overlap < 1:
        raise ProjectError("overlap: must be at least 1")
    if lease_seconds < 30:
        raise ProjectError("lease_seconds: must be at least 30")
    if session.scalar(queries.project_id_by_slug(slug)) is not None:
        raise ProjectError(f"slug: a project {slug!r} already exists")
    template = load_template(template_name, templates_dir, session)
    project = Project(
        slug=slug,
        title=title or slug,
        template=template,
        template_name=template_name,
        template_version=template["version"],
        overlap=overlap,
        lease_seconds=lease_seconds,
        randomize_order=randomize_order,
        created_by_id=created_by.id if created_by else None,
    )
    session.add(project)
    session.flush()
    body = instructions if instructions is not None else template.get("instructions", "")
    session.add(InstructionsVersion(project_id=project.id, version=1, body=body, created_by_id=project.created_by_id))
    project.instructions_version = 1
    if created_by is not None and not created_by.is_admin:
        add_member(session, project, created_by, ProjectRole.RESEARCHER)
    session.flush()
    return project


def add_member(session: Session, project: Project, user: User, role: ProjectRole) -> ProjectMember:
    """Add ``user`` to ``project`` with ``role``, or change the role of an existing member."""
    member = session.scalar(queries.member_of(project, user))
    if member is None:
        member = ProjectMember(
            project_id=project.id, user_id=user.id, role=role, pseudonym=_new_pseudonym(session, project)
        )
        session.add(member)
    else:
        member.role = role
        member.active = True
    session.flush()
    return member


def _new_pseudonym(session: Session, project: Project) -> str:
    taken = set(session.scalars(queries.pseudonyms(project)))
    while True:
        name = f"expert-{secrets.token_hex(4)}"
        if name not in taken:
            return name


def set_member_role(session: Session, member: ProjectMember, role: ProjectRole, *, by: User) -> None:
    """Change a member's project role; a researcher cannot drop their own researcher role."""
    if member.user_id == by.id and not by.is_admin and role is not ProjectRole.RESEARCHER:
        raise ProjectError("role: you cannot remove your own researcher role; ask another researcher or an admin")
    member.role = role
    session.flush()


def set_member_active(session: Session, member: ProjectMember, active: bool, *, by: User) -> None:
    """Deactivate (or reactivate) a membership. Their judgments stay; they see the project no more."""
    if member.user_id == by.id and not active and not by.is_admin:
        raise ProjectError("active: you cannot remove yourself from the project")
    member.active = active
    session.flush()


def membership(session: Session, project: Project, user: User) -> ProjectMember | None:
    """The user's active membership of the project, if any."""
    return session.scalar(queries.member_of(project, user).where(ProjectMember.active.is_(True)))


def stats(session: Session, project: Project) -> dict[str, Any]:
    """Progress counts: items, judgments, complete items (at least ``overlap`` judgments), leases, experts.

    From the project's counters (``annotate.projects.counters``) and small indexed reads:
    as fast with a million items as with ten."""
    values = counters.totals(session, project.id)
    leased = session.scalar(queries.open_lease_count(project))
    experts = session.scalar(queries.expert_count(project))
    return {
        "project": project.slug,
        "overlap": project.overlap,
        "items": values.get("items", 0),
        "judgments": values.get("judgments", 0),
        "complete_items": counters.items_with_judgments(values, project.overlap),
        "active_leases": leased,
        "experts": experts,
    }


# -- instructions and terms: versioned, an edit adds a version --------------------------------

MAX_TEXT = 200_000


def _lock(session: Session, project: Project) -> None:
    """Serialise version numbering per project (PostgreSQL row lock; SQLite writers already hold the database lock)."""
    session.execute(select(Project.id).where(Project.id == project.id).with_for_update())


def edit_instructions(session: Session, project: Project, body: str, *, by: User | None) -> InstructionsVersion | None:
    """Make ``body`` the project's instructions as a new version; None if nothing changed."""
    body = body.replace("\r\n", "\n")
    if len(body) > MAX_TEXT:
        raise ProjectError(f"instructions: at most {MAX_TEXT} characters")
    if body == project.instructions:
        return None
    _lock(session, project)
    latest = session.scalar(queries.latest_instructions_version(project)) or 0
    version = InstructionsVersion(
        project_id=project.id, version=latest + 1, body=body, created_by_id=by.id if by else None
    )
    session.add(version)
    project.instructions_version = version.version
    session.flush()
    session.refresh(project, ["instructions_history"])
    return version


def current_terms(session: Session, project: Project) -> TermsVersion | None:
    """The project's latest terms, or None if it has none."""
    return session.scalar(queries.current_terms(project))


def edit_terms(session: Session, project: Project, body: str, *, by: User | None) -> TermsVersion | None:
    """Publish ``body`` as a new version of the terms (everyone must accept it again); None if unchanged.

    Empty terms are a version too: they withdraw the requirement to accept anything."""
    body = body.replace("\r\n", "\n").strip()
    if len(body) > MAX_TEXT:
        raise ProjectError(f"terms: at most {MAX_TEXT} characters")
    _lock(session, project)
    current = current_terms(session, project)
    if (current.body if current else "") == body:
        return None
    terms = TermsVersion(
        project_id=project.id,
        version=(current.version if current else 0) + 1,
        body=body,
        created_by_id=by.id if by else None,
    )
    session.add(terms)
    session.flush()
    return terms


def terms_pending(session: Session, project: Project, user: User) -> TermsVersion | None:
    """The terms ``user`` must accept before claiming work in ``project``, or None if there are none."""
    return current_terms(session, project) if must_accept_terms(session, project, user) else None


def must_accept_terms(session: Session, project: Project, user: User) -> bool:
    """Whether ``user`` must accept the project's current terms before claiming work: the latest
    version has text and they have not accepted it. One small query (it runs on every claim);
    ``terms_pending`` gives the terms themselves."""
    row = session.execute(queries.current_terms_accepted(), {"project": project.id, "user": user.id}).first()
    return row is not None and row.has_body and not row.accepted


def accept_terms(session: Session, project: Project, user: User, version: int) -> TermsAcceptance:
    """Record that ``user`` accepted ``version`` of the terms, now. Only the current version can be
    accepted (the page they read may be stale); accepting twice keeps the first record."""
    terms = current_terms(session, project)
    if terms is None or terms.version != version:
        raise ProjectError("terms: they changed while you were reading; please read the current version")
    existing = session.scalar(queries.acceptance(project, user, version))
    if existing is not None:
        return existing
    acceptance = TermsAcceptance(project_id=project.id, user_id=user.id, version=version)
    try:
        # A double click in two tabs: the unique constraint keeps one record, the savepoint the transaction.
        with session.begin_nested():
            session.add(acceptance)
    except IntegrityError:
        return session.scalars(queries.acceptance(project, user, version)).one()
    return acceptance
