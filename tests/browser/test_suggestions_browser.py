"""Machine suggestions in Chromium, by keyboard: ``shown`` puts the judge's verdict on the task
page; ``after_answer`` reveals it in place once the expert submits (htmx), they revise by
keyboard, and the revision after the reveal is recorded; "Keep my answer" goes on."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, pair_rows, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from annotate.models import Judgment, JudgmentRevision

pytestmark = pytest.mark.browser


def rows() -> list[dict]:
    found = pair_rows(2)
    for row in found:
        row["suggestion"] = {
            "preferred": "r1",
            "model": "judge-llm",
            "score": 0.9,
            "rationale": "Reply **one** is more precise.",
        }
    return found


def start(page, make_user, make_project, import_rows, session, policy: str, slug: str):
    expert = make_user("expert")
    project = make_project(slug, members=[(expert, "expert")])
    project.suggestions = policy
    import_rows(project, rows())
    email = expert.email
    session.commit()
    sign_in(page, email, PASSWORD)
    page.goto(f"/p/{slug}")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    expect(page.locator("#task")).to_be_focused()


def test_after_answer_reveals_then_records_the_revision(page, make_user, make_project, import_rows, session):
    start(page, make_user, make_project, import_rows, session, "after_answer", "sug-after")
    expect(page.locator("[data-suggestion]")).to_have_count(0)
    url = page.url
    order = page.evaluate("() => Array.from(document.querySelectorAll('input[name=preferred]')).map(e => e.value)")
    page.keyboard.press(str(order.index("r2") + 1))  # against the judge's verdict (r1)
    page.keyboard.press("Control+Enter")
    panel = page.locator("[data-suggestion]")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("judge-llm")
    assert page.url == url, "the expert stays on the task they answered"
    # The judge says the first item response is better; whichever letter that is here.
    order = page.evaluate("() => Array.from(document.querySelectorAll('input[name=preferred]')).map(e => e.value)")
    letter = "AB"[order.index("r1")]
    expect(panel).to_contain_text(f"Response {letter} is better")
    # Revise by keyboard to the suggestion's choice.
    page.locator("#task").focus()
    page.keyboard.press(str(order.index("r1") + 1))
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Your changes are saved")).to_be_visible()
    session.rollback()
    judgment = session.scalars(select(Judgment)).one()
    assert judgment.answers == {"preferred": "r1"}
    assert judgment.suggestion["revised"] is True
    revision = session.scalars(select(JudgmentRevision)).one()
    assert revision.reason == "after-suggestion"
    assert revision.answers == {"preferred": "r2"}
    # Keep my answer: on to the next task.
    page.get_by_role("button", name="Keep my answer: next task").press("Enter")
    page.wait_for_url(lambda u: u != url)
    expect(page.locator("[data-suggestion]")).to_have_count(0)


def test_shown_is_on_the_page_while_judging(page, make_user, make_project, import_rows, session):
    start(page, make_user, make_project, import_rows, session, "shown", "sug-shown")
    panel = page.locator("[data-suggestion]")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("A machine's opinion")
    panel.locator("summary").click()
    expect(panel.locator(".content strong")).to_have_text("one")
