"""Fixtures for the workbench tests: a project with items, an expert signed in through the pages."""

from __future__ import annotations

import pytest
from helpers import pair_rows


@pytest.fixture
def expert(make_user):
    return make_user("expert")


@pytest.fixture
def project(make_project, import_rows, expert):
    project = make_project("wb", overlap=1, members=[(expert, "expert")])
    import_rows(project, pair_rows(3))
    return project


@pytest.fixture
def signed_in(web, expert, project):
    """A test client signed in as the project's expert."""
    web.login(expert.email)
    return web


@pytest.fixture
def claimed(signed_in, session):
    """Claim the first task through the page; returns the assignment id."""

    response = signed_in.post("/p/wb/next")
    assert response.status_code == 303, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])
