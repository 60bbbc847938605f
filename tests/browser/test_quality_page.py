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


@pytest.fixture
def screened(session, make_user, make_project, import_rows):
    """A project with a two-question qualification test that expert ``fail@`` has failed."""
    from helpers import item_row

    from annotate.assign.services import claim_next, submit_judgment
    from annotate.models import Item, Project

    expert = make_user("expert", email="fail@clinic.example", name="Fay Ling")
    lead = make_user("researcher", email="lead@clinic.example", name="Priya Raman")
    project = make_project("screened", overlap=1, members=[(expert, "expert"), (lead, "researcher")])
    rows = [
        item_row(i, f"Gold {i}?", "Right.", "Wrong.", gold={"preferred": "r1", "explanation": "The label says so."})
        for i in range(3)
    ]
    import_rows(project, [*rows, item_row(9, "Real?", "One.", "Two.")])
    project = session.get(Project, project.id)
    project.qualification_size, project.qualification_threshold = 2, 1.0
    session.commit()
    for _ in range(2):
        assignment = claim_next(session, project, expert)
        item = session.get(Item, assignment.item_id)
        wrong = "r2" if item.gold else "r1"
        submit_judgment(session, assignment, project, {"preferred": wrong})
        session.commit()
    return project


@pytest.mark.parametrize("javascript", [True, False])
def test_a_failed_expert_is_told_why_with_javascript_on_and_off(browser, live_server, screened, javascript):
    context = browser.new_context(base_url=live_server, java_script_enabled=javascript)
    page = context.new_page()
    try:
        sign_in(page, "fail@clinic.example", PASSWORD)
        page.goto(f"/p/{screened.slug}")
        page.get_by_role("button", name="Start judging").click()
        page.wait_for_url(f"**/p/{screened.slug}/qualification")
        alert = page.get_by_role("alert")
        assert "did not pass this project's qualification test (0 of 2 right; 100% needed)" in alert.inner_text()
        feedback = page.locator(".feedback").inner_text()
        assert "Expected" in feedback
        assert "The label says so." in feedback
        if javascript:
            screenshot(page, "quality-qualification-refused")
    finally:
        context.close()


def test_the_settings_refusal_is_next_to_its_field(page, screened):
    sign_in(page, "lead@clinic.example", PASSWORD)
    page.goto(f"/p/{screened.slug}/quality")
    assert "failed" in page.locator(".qualification-standings").inner_text()
    page.get_by_label("Pass mark").fill("120%")
    page.get_by_role("button", name="Save").click()
    problem = page.locator("#q-qualification_threshold-problem")
    problem.wait_for()
    assert problem.get_attribute("role") == "alert"
    assert "Pass mark: must be between 0 and 1" in problem.inner_text()
    assert page.get_by_label("Pass mark").get_attribute("aria-invalid") == "true"


def test_an_expert_looks_again_at_an_item_with_the_order_swapped(page, session, make_user):
    from annotate.models import PositionCheck
    from annotate.quality.rechecks import create_rechecks

    seed = Seeder(session)
    expert = make_user("expert", email="lefty@clinic.example", name="Lee Ft")
    seed.experts["lefty"] = expert
    project = seed.project("pairwise", slug="swapped", overlap=1, config={"allow_tie": True, "rationale": "optional"})
    item = seed.item(project, "case-1")
    seed.judge(project, item, "lefty", {"preferred": "r1"}, order=["r1", "r2"])
    from annotate.db import utcnow

    create_rechecks(session, project, expert, 1, utcnow())
    session.commit()
    sign_in(page, "lefty@clinic.example", PASSWORD)
    page.goto(f"/p/{project.slug}")
    page.get_by_role("link", name="Look again at 1 item").click()
    page.wait_for_url(f"**/p/{project.slug}/look-again")
    shown = page.locator(".response").all_inner_texts()
    assert shown
    assert "Second answer" in shown[0]
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(f"**/p/{project.slug}/look-again/*")
    assert page.get_by_role("alert").first.is_visible()  # nothing chosen: said next to the choice
    page.locator("input[name=preferred]").first.check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Nothing to look at again").wait_for()
    session.commit()  # a fresh snapshot: what the server wrote
    assert session.query(PositionCheck).one().answers == {"preferred": "r2"}
