"""The Quality page in Chromium: a researcher reads agreement, the ranked experts, position bias,
the judge and the leaderboard, each chart beside its table, on a wide and a phone-sized window;
an expert reads only their own standing. Leaves the README's screenshot in docs/."""

from __future__ import annotations

import pytest
from export.conftest import Seeder
from helpers import PASSWORD, screenshot, sign_in
from quality.world import TEAM, team_project

from annotate.models import ProjectRole
from annotate.projects.services import add_member

pytestmark = pytest.mark.browser


@pytest.fixture
def team(session, make_user):
    seed = Seeder(session)
    names = {"amara": "Amara Okafor", "ben": "Ben Lindqvist", "chen": "Chen Wei", "dana": "Dana Ruiz"}
    for key in TEAM:
        seed.experts[key] = make_user("expert", email=f"{key}@clinic.example", name=names[key])
    project = team_project(seed)
    lead = make_user("researcher", email="lead@clinic.example", name="Priya Raman")
    add_member(session, project, lead, ProjectRole.RESEARCHER)
    session.commit()
    return project


def test_a_researcher_reads_the_quality_page_and_an_expert_their_standing(page, team):
    sign_in(page, "lead@clinic.example", PASSWORD)
    page.goto(f"/p/{team.slug}/quality")
    for heading in ("Agreement", "Experts", "Position bias", "Automatic judge", "Model leaderboard"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    assert page.locator("svg[role=img]").count() == 5
    for title in page.locator("svg[role=img] > title").all_text_contents():
        assert title  # every chart is named for a screen reader
    rows = page.locator("#experts tbody tr")
    assert rows.count() == 4
    assert "Dana Ruiz" in rows.nth(3).inner_text()  # the careless, left-leaning expert ranks last
    assert "model-alpha" in page.locator("#leaderboard tbody tr").first.inner_text()
    page.set_viewport_size({"width": 1360, "height": 900})
    screenshot(page, "quality", docs="screenshot-quality.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert page.locator("#chart-agreement-title").count() == 1
    screenshot(page, "quality-phone")
    page.context.clear_cookies()
    sign_in(page, "dana@clinic.example", PASSWORD)
    page.goto(f"/p/{team.slug}/quality")
    assert page.get_by_role("heading", name="Your standing").is_visible()
    text = page.locator("main").inner_text()
    assert "rank 4 of 4 experts" in text
    for other in ("Amara", "Ben", "Chen", "amara@", "ben@", "chen@"):
        assert other not in text
    screenshot(page, "quality-expert")
