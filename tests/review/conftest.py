"""Fixtures for review and adjudication tests."""

from __future__ import annotations

import pytest
from helpers import pair_rows

from annotate.db import utcnow


@pytest.fixture
def reviewed(make_user, make_project, import_rows, session):
    """A project with experts, a reviewer and an adjudicator: reviewed(n=2, k=2, overlap=1, **settings)."""

    def build(n: int = 2, k: int = 2, overlap: int = 1, slug: str = "rev", **settings):
        experts = [make_user("expert") for _ in range(k)]
        reviewer = make_user("expert", name="Rita Reviewer")
        adjudicator = make_user("expert", name="Ada Adjudicator")
        members = [(e, "expert") for e in experts] + [(reviewer, "reviewer"), (adjudicator, "expert")]
        project = make_project(slug, overlap=overlap, members=members)
        for key, value in settings.items():
            setattr(project, key, value)
        from sqlalchemy import select

        from annotate.models import ProjectMember

        session.scalar(
            select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == adjudicator.id)
        ).adjudicator = True
        session.commit()
        import_rows(project, pair_rows(n, prefix=slug))
        return project, experts, reviewer, adjudicator

    return build


@pytest.fixture
def now():
    return utcnow()
