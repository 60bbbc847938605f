"""Fixtures for the security tests.

The adversarial suite's world: project B (the victim) seeded in every table a route can
name, project A for the attackers (a researcher, two experts and a reviewer), and an admin;
signed-in clients, and replaying a saved session cookie.

Everything here runs on the real app and database (SQLite by default, PostgreSQL with
ANNOTATE_TEST_DATABASE_URL), so what a case sees is what an attacker would see.
"""

from __future__ import annotations

import pytest
from helpers import Browserless
from security.world import SECRET, seed_work

from annotate.auth.services import create_token
from annotate.models import ExportRecord, MembershipInvitation, ProjectRole
from annotate.projects.services import accept_terms, edit_terms


@pytest.fixture
def world(session, make_user, make_project):
    """Project B (the victim) seeded in every table a route can name; project A for the attackers."""
    rb, eb, rvb = make_user("researcher"), make_user("expert"), make_user("expert")
    pending = make_user("expert", password=None)
    b = make_project(
        "bravo",
        title=f"Bravo {SECRET}",
        members=[(rb, "researcher"), (eb, "expert"), (pending, "expert"), (rvb, "reviewer")],
    )
    ra, ea, ea2, rva = make_user("researcher"), make_user("expert"), make_user("expert"), make_user("expert")
    a = make_project(
        "alpha", title="Alpha", members=[(ra, "researcher"), (ea, "expert"), (ea2, "expert"), (rva, "reviewer")]
    )
    admin = make_user("admin")
    for project, expert in ((b, eb), (a, ea2)):
        seed_work(session, project, expert)
    edit_terms(session, b, f"Terms {SECRET}", by=rb)
    accept_terms(session, b, eb, 1)
    from annotate.auth.invitations import create_invitation

    create_invitation(session, pending, created_by=rb, project=b)
    for owner in (eb, ea2):
        create_token(session, owner, name=SECRET)
    # A membership of B offered to A's other expert: neither attacker may accept or withdraw it.
    session.add(MembershipInvitation(project_id=b.id, user_id=ea2.id, role=ProjectRole.EXPERT, invited_by_id=rb.id))
    session.add(
        ExportRecord(project_id=b.id, user_id=rb.id, format="raw", channel="web", tool_version="test", output=SECRET)
    )
    session.commit()
    return {
        "a": a,
        "b": b,
        "b_users": [rb.id, eb.id, pending.id, rvb.id],
        "ra": ra,
        "ea": ea,
        "ea2": ea2,
        "rva": rva,
        "rb": rb,
        "eb": eb,
        "rvb": rvb,
        "admin": admin,
    }


@pytest.fixture
def signed_in(app):
    def sign_in(user) -> Browserless:
        web = Browserless(app.test_client())
        web.login(user.email)
        return web

    return sign_in


@pytest.fixture
def replay(app):
    """A fresh client (another browser, an attacker) that sends a saved session cookie value."""

    def send(cookie: str, url: str = "/"):
        client = app.test_client()
        client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie)
        return client.get(url)

    return send
