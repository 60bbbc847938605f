"""Fixtures for the researcher-page tests: rows written straight into the real database
(items, assignments, judgments), so these tests do not depend on the import or
assignment code, and signed-in clients for several people at once. Rows written this
way bypass the progress counters, so the seeds rebuild them from the rows
(``annotate.projects.counters.rebuild``)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from helpers import Browserless

from annotate.db import utcnow
from annotate.models import Assignment, AssignmentStatus, Batch, Item, Judgment
from annotate.projects import counters


@pytest.fixture
def browser_for(app):
    """A fresh signed-in test client for ``user`` (each with its own cookie jar)."""

    def sign_in(user) -> Browserless:
        web = Browserless(app.test_client())
        web.login(user.email)
        return web

    return sign_in


@pytest.fixture
def seed_items(session):
    def seed(project, n: int, prefix: str = "it") -> list[Item]:
        batch = Batch(project_id=project.id, source="test", format="jsonl")
        session.add(batch)
        session.flush()
        items = [
            Item(
                project_id=project.id,
                batch_id=batch.id,
                external_id=f"{prefix}-{i}",
                content_hash=hashlib.sha256(f"{prefix}-{i}".encode()).hexdigest(),
                prompt=[{"role": "user", "content": f"Q{i}"}],
                responses=[{"id": "r1", "content": "a"}, {"id": "r2", "content": "b"}],
            )
            for i in range(n)
        ]
        session.add_all(items)
        session.flush()
        counters.rebuild(session, project.id)
        session.commit()
        return items

    return seed


@pytest.fixture
def seed_work(session):
    """Record an expert's assignment on an item (and its judgment when submitted)."""

    def seed(project, item, expert, status=AssignmentStatus.SUBMITTED, seconds: int = 30, skip_reason=None, when=None):
        when = when or utcnow()
        assignment = Assignment(
            project_id=project.id,
            item_id=item.id,
            expert_id=expert.id,
            status=status,
            leased_at=when,
            expires_at=when + timedelta(minutes=30),
            display_order=["r1", "r2"],
            active_seconds=seconds,
            skip_reason=skip_reason,
        )
        session.add(assignment)
        if status in (AssignmentStatus.SUBMITTED, AssignmentStatus.LEASED):
            item.assigned_count += 1
        session.flush()
        if status is AssignmentStatus.SUBMITTED:
            session.add(
                Judgment(
                    assignment_id=assignment.id,
                    project_id=project.id,
                    item_id=item.id,
                    expert_id=expert.id,
                    answers={"preferred": "r1"},
                    template_name=project.template_name,
                    template_version=project.template_version,
                    instructions_version=project.instructions_version,
                    active_seconds=seconds,
                    created_at=when,
                    updated_at=when,
                )
            )
            item.judged_count += 1
        session.flush()
        counters.rebuild(session, project.id)
        session.commit()
        return assignment

    return seed
