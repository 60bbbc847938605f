"""Fixtures for time and pay: a project with items, an expert and a researcher, and a way to
send heartbeats at chosen moments (the service with an explicit clock) or through the page."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from helpers import Browserless, pair_rows
from timekeeping.clock import SETTINGS

from annotate.models import Activity
from annotate.timekeeping import heartbeats


@pytest.fixture
def expert(make_user):
    return make_user("expert", email="ada@example.org", name="Ada", hourly_rate=Decimal("40.00"))


@pytest.fixture
def researcher(make_user):
    return make_user("researcher", email="rhea@example.org", name="Rhea")


@pytest.fixture
def project(make_project, import_rows, expert, researcher):
    project = make_project("tk", overlap=1, members=[(expert, "expert"), (researcher, "researcher")])
    import_rows(project, pair_rows(6))
    return project


@pytest.fixture
def beat(session):
    """``beat(user, activity, target, at, since_ms=0)``: one heartbeat through the service, at ``at``,
    checked against nothing but the target given (the web layer's checks are tested over HTTP)."""

    def do(
        user, activity: Activity, target: int, at: datetime, *, project_id: int, since_ms: int = 0, settings=SETTINGS
    ):
        b = heartbeats.Beat(activity, target, since_ms)
        ids = {
            Activity.TASK: {"assignment_id": target},
            Activity.ADJUDICATION: {"assignment_id": target},
            Activity.REVIEW: {"judgment_id": target},
            Activity.INSTRUCTIONS: {},
        }[activity]
        counted = heartbeats.record(
            session, user.id, b, at, settings, lambda: heartbeats.Target(activity, project_id, **ids)
        )
        session.commit()
        return counted

    return do


@pytest.fixture
def as_expert(web, expert, project):
    web.login(expert.email)
    return web


@pytest.fixture
def as_researcher(app, researcher, project):
    web = Browserless(app.test_client())  # a browser of their own, beside the expert's
    web.login(researcher.email)
    return web
