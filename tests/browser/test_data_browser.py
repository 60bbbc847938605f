"""The researcher's data browser in Chromium: search, open an item with its judgments in each
expert's letters, and accept judgments in bulk through the confirm page."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, item_row, screenshot, sign_in, spend
from sqlalchemy import select

from annotate.assign.services import claim_next, submit_judgment
from annotate.models import Judgment, ReviewState

pytestmark = pytest.mark.browser


@pytest.fixture
def project_with_judgments(make_user, make_project, import_rows, session):
    researcher = make_user("researcher", email="res@example.org", name="Rita Researcher")
    ann, bob = make_user("expert", name="Ann"), make_user("expert", name="Bob")
    project = make_project(
        "derm",
        title="Dermatology answers",
        overlap=2,
        members=[(researcher, "researcher"), (ann, "expert"), (bob, "expert")],
    )
    import_rows(
        project,
        [
            item_row(
                0,
                "I have a mole that changed colour over the last month. Should I worry?",
                "A mole that **changes colour** should be checked by a dermatologist soon: use the ABCDE rule "
                "(asymmetry, border, colour, diameter, evolution).",
                "Moles change all the time; it is nothing to worry about.",
                models=("derm-llm-2", "base-7b"),
                metadata={"source": "clinic-forum", "topic": "melanoma"},
                suggestion={"preferred": "r1", "judge": "llm-judge-v1"},
            ),
            *[item_row(i, f"Eczema question {i}", "Moisturise.", "Ignore it.") for i in range(1, 4)],
        ],
    )
    for expert, order, answer, seconds in ((ann, ["r1", "r2"], "r1", 48), (bob, ["r2", "r1"], "r1", 95)):
        assignment = claim_next(session, project, expert)
        assignment.display_order = order
        spend(session, assignment, seconds)
        submit_judgment(session, assignment, project, {"preferred": answer})
        session.commit()
    return project


def test_search_open_an_item_and_read_every_judgment(page, project_with_judgments, session):
    sign_in(page, "res@example.org", PASSWORD)
    page.goto("/p/derm/items")
    assert page.locator("table.browse-table tbody tr").count() == 4
    page.fill("#q", "melanoma")
    page.press("#q", "Enter")
    page.wait_for_url("**/p/derm/items?q=melanoma*")
    rows = page.locator("table.browse-table tbody tr")
    assert rows.count() == 1
    assert "in progress" not in rows.first.inner_text()
    page.click("text=it-0")
    page.wait_for_url("**/p/derm/items/*")
    cards = page.locator("article.judgment-card")
    assert cards.count() == 2
    # The same answer (r1) in each expert's letters: Ann saw it as A, Bob as B.
    assert "Response A" in cards.nth(0).locator("dl.answers").inner_text()
    assert "Response B" in cards.nth(1).locator("dl.answers").inner_text()
    assert "Active 1 min 35 s" in cards.nth(1).inner_text()
    assert "llm-judge-v1" in page.inner_text("main")
    page.locator("article.judgment-card").nth(1).locator("summary:has-text('saw it')").click()
    seen = cards.nth(1).locator("fieldset[disabled] input[name=preferred]:checked")
    assert seen.count() == 1
    assert "B is better" in seen.locator("xpath=..").inner_text()  # Bob saw r1 second
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("article.judgment-card").nth(1).locator("summary:has-text('saw it')").click()
    screenshot(page, "item-page", docs="screenshot-item.png")
    assert page.dialogs == []


def test_bulk_accept_through_the_confirm_page(page, project_with_judgments, session):
    sign_in(page, "res@example.org", PASSWORD)
    page.goto("/p/derm/judgments")
    boxes = page.locator("input[name=id]")
    assert boxes.count() == 2
    boxes.nth(0).check()
    page.click("button:has-text('Accept…')")
    page.wait_for_url("**/p/derm/judgments/review")
    assert page.inner_text("h1") == "Accept 1 judgment?"
    assert session.scalar(select(Judgment.id).where(Judgment.review_state == ReviewState.ACCEPTED)) is None
    page.fill("#comment", "Good call")
    page.click("button:has-text('Accept 1 judgment')")
    page.wait_for_url("**/p/derm/judgments")
    assert "Accepted 1 judgment." in page.inner_text("main")
    screenshot(page, "browse-judgments-accepted")
    session.commit()  # end the test session's read snapshot
    states = session.scalars(select(Judgment.review_state).order_by(Judgment.id)).all()
    assert sorted(s.value for s in states) == ["accepted", "pending"]
