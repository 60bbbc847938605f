"""The adversarial suite's world: project B (the victim) seeded in every table a route can
name, project A for the attackers (a researcher, two experts and a reviewer), and an admin.

Everything here runs on the real app and database (SQLite by default, PostgreSQL with
ANNOTATE_TEST_DATABASE_URL), so what a case sees is what an attacker would see.
"""

from __future__ import annotations

import pytest
from browser.conftest import browser, page  # noqa: F401  (Chromium for the browser cases here)
from security.world import SECRET, seed_work

from annotate.models import ExportRecord
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
