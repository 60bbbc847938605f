"""Fixtures for the data-browser tests: a project filled through the real importer and the
real assignment engine (claims, submits, skips), and signed-in clients."""

from __future__ import annotations

import pytest
from helpers import Browserless, spend

from annotate.assign.services import claim_next, skip_assignment, submit_judgment


@pytest.fixture
def browser_for(app):
    def sign_in(user) -> Browserless:
        web = Browserless(app.test_client())
        web.login(user.email)
        return web

    return sign_in


@pytest.fixture
def judge(session):
    """``expert`` judges their next item of ``project`` (seen in ``order``); returns the judgment."""

    def do(project, expert, answers, *, order=None, seconds=30):
        assignment = claim_next(session, project, expert)
        assert assignment is not None
        if order is not None:
            assignment.display_order = order
        spend(session, assignment, seconds)  # the time is the server's: heartbeats, arranged
        judgment, _new = submit_judgment(session, assignment, project, answers)
        session.commit()
        return judgment

    return do


@pytest.fixture
def skip(session):
    def do(project, expert, reason="Outside my expertise"):
        assignment = claim_next(session, project, expert)
        skip_assignment(session, assignment, reason)
        session.commit()
        return assignment

    return do
