"""Position checks: a researcher asks for a sample of an expert's items to be shown again with
the order swapped; the expert answers them on their own page; the report counts the flips."""

from __future__ import annotations

import pytest

from annotate.models import PositionCheck, ProjectRole, Role
from annotate.projects.services import add_member
from annotate.quality.report import compute

PAIRWISE = {"allow_tie": True, "rationale": "optional"}


@pytest.fixture
def team(seed, session, make_user):
    expert = make_user(Role.EXPERT, email="lefty@example.org")
    seed.experts["lefty"] = expert
    lead = make_user(Role.RESEARCHER, email="lead@example.org")
    project = seed.project("pairwise", overlap=1, config=PAIRWISE)
    for n in range(4):
        item = seed.item(project, f"i{n}")
        seed.judge(project, item, "lefty", {"preferred": "r1"}, order=["r1", "r2"])  # always the left one
    add_member(session, project, lead, ProjectRole.RESEARCHER)
    session.commit()
    return project, expert, lead


def test_a_left_picker_flips_when_the_order_is_swapped(session, team, web):
    project, expert, lead = team
    web.login(lead.email)
    bad = web.post(f"/p/{project.slug}/quality/rechecks", {"recheck_expert": expert.email, "recheck_count": "0"})
    assert bad.status_code == 422
    assert 'id="recheck-count-problem"' in bad.text
    assert "Items: a whole number from 1 to 200." in bad.text
    asked = web.post(f"/p/{project.slug}/quality/rechecks", {"recheck_expert": expert.email, "recheck_count": "2"})
    assert asked.status_code == 303
    checks = session.query(PositionCheck).order_by(PositionCheck.id).all()
    assert len(checks) == 2
    assert all(c.display_order == ["r2", "r1"] for c in checks)
    web.client.post("/logout", data={"csrf_token": web.token})
    web.login(expert.email)
    assert "Look again at 2 items" in web.get(f"/p/{project.slug}").text
    page = web.get(f"/p/{project.slug}/look-again")
    assert page.status_code == 200
    assert f"/p/{project.slug}/look-again/{checks[0].id}" in page.text
    refused = web.post(f"/p/{project.slug}/look-again/{checks[0].id}", {})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    # The left one again both times: r2 now (a flip), then the same response r1 (no flip).
    assert web.post(f"/p/{project.slug}/look-again/{checks[0].id}", {"preferred": "r2"}).status_code == 303
    assert web.post(f"/p/{project.slug}/look-again/{checks[1].id}", {"preferred": "r1"}).status_code == 303
    assert "Nothing to look at again" in web.get(f"/p/{project.slug}/look-again").text
    report = compute(session, project)
    standing = report["experts"][0]
    assert (standing["flip_rate"], standing["rechecked"]) == (0.5, 2)
    assert report["position"]["flips"] == 1


def test_another_experts_check_is_not_found(session, team, web, make_user):
    project, expert, lead = team
    web.login(lead.email)
    web.post(f"/p/{project.slug}/quality/rechecks", {"recheck_expert": expert.email, "recheck_count": "1"})
    check = session.query(PositionCheck).one()
    other = make_user(Role.EXPERT)
    add_member(session, project, other, ProjectRole.EXPERT)
    session.commit()
    web.client.post("/logout", data={"csrf_token": web.token})
    web.login(other.email)
    assert web.post(f"/p/{project.slug}/look-again/{check.id}", {"preferred": "r1"}).status_code == 404
    assert "Nothing to look at again" in web.get(f"/p/{project.slug}/look-again").text
