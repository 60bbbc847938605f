"""Fixtures for the assignment engine's tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import pair_rows

from annotate.db import utcnow


@pytest.fixture
def team(make_user, make_project, import_rows, session):
    """A project with ``n`` items and ``k`` experts: team(n=3, k=2, overlap=1, **project settings)."""

    def build(n: int = 3, k: int = 2, overlap: int = 1, slug: str = "team", expertise=None, **settings):
        experts = [make_user("expert", expertise=list(expertise or [])) for _ in range(k)]
        project = make_project(slug, overlap=overlap, members=[(e, "expert") for e in experts])
        for key, value in settings.items():
            setattr(project, key, value)
        session.commit()
        import_rows(project, pair_rows(n, prefix=slug))
        return project, experts

    return build


@pytest.fixture
def clock():
    """A fixed 'now' that tests move forward by hand."""

    class Clock:
        def __init__(self):
            self.now = utcnow()

        def advance(self, seconds: float):
            self.now += timedelta(seconds=seconds)
            return self.now

    return Clock()
