"""Every refusal is visible (issue 13, point 1), in Chromium: validation, a conflict, a server
error and a lost connection each show a message in the expert's words, next to the field where
one applies, in a role=alert element that has the focus; what was typed stays. Without
JavaScript the same words come back with the page."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, pair_rows, screenshot, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from annotate.assign.services import skip_assignment
from annotate.db import begin_write
from annotate.models import Assignment, Judgment

pytestmark = pytest.mark.browser


def on_first_task(page, make_user, make_project, import_rows, session, template: str, slug: str, rows=None):
    expert = make_user("expert")
    project = make_project(slug, template=template, members=[(expert, "expert")])
    import_rows(project, rows or pair_rows(2))
    email = expert.email
    session.commit()
    sign_in(page, email, PASSWORD)
    page.goto(f"/p/{slug}")
    page.get_by_role("button", name="Start judging").click()
    page.wait_for_url("**/tasks/*")
    expect(page.locator("#task")).to_be_focused()
    return project


def focused_alert(page, begins: str) -> str:
    """Wait until the focused element is a role=alert message whose text begins with ``begins``
    (the page script moves focus once the swap has settled); return its text."""
    page.wait_for_function(
        """begins => { const e = document.activeElement;
                      return e && e.getAttribute('role') === 'alert' && e.textContent.trim().startsWith(begins); }""",
        arg=begins,
        timeout=5000,
    )
    return page.evaluate("document.activeElement.textContent").strip()


def test_missing_choice_and_short_rationale_are_shown_next_to_their_fields(
    page, make_user, make_project, import_rows, session
):
    on_first_task(page, make_user, make_project, import_rows, session, "pairwise-multi-criteria", "ref-pair")
    url = page.url
    page.fill("textarea[name=rationale]", "A is better")
    page.get_by_role("button", name="Submit").click()
    choice = page.locator("fieldset.choice").first.locator("[role=alert]")
    expect(choice).to_have_text("Choose A, B or Tie.")
    assert focused_alert(page, "Choose") == "Choose A, B or Tie."
    assert page.url == url
    assert page.input_value("textarea[name=rationale]") == "A is better"
    assert "answers" not in page.inner_text("#task")  # no JSON paths, no schema terms
    assert "is required" not in page.inner_text("#task")
    rationale = page.locator("#task .field:has(textarea[name=rationale]) [role=alert]")
    expect(rationale).to_have_text("Write a rationale of at least 30 characters.")
    screenshot(page, "refusal-pairwise")

    # Choices made, rationale still short: only the rationale is refused, and what was chosen stays.
    page.keyboard.press("1")
    page.keyboard.press("q")
    for name in ("helpfulness", "correctness", "safety"):
        page.locator(f"input[name=criterion-{name}][value=tie]").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("fieldset.choice [role=alert]")).to_have_count(0)
    assert focused_alert(page, "Write") == "Write a rationale of at least 30 characters."
    assert page.locator("input[name=preferred]:checked").count() == 1
    assert page.input_value("textarea[name=rationale]") == "A is better"
    session.rollback()
    assert session.scalar(select(Judgment)) is None


def test_an_empty_rubric_cell_is_named_in_that_cell(page, make_user, make_project, import_rows, session):
    rows = [
        {"id": "r-0", "prompt": "Q?", "responses": [{"id": "r1", "content": "One"}, {"id": "r2", "content": "Two"}]}
    ]
    on_first_task(page, make_user, make_project, import_rows, session, "rubric", "ref-rubric", rows)
    for name in ("score-r1-helpfulness", "score-r1-accuracy", "score-r2-helpfulness"):
        page.locator(f"input[name={name}][value='3']").check()
    page.get_by_role("button", name="Submit").click()
    cell = page.locator("[data-rubric-cell]:has(input[name=score-r2-accuracy]) [role=alert]")
    expect(cell).to_contain_text("Choose a score for “Accuracy” of Response")
    focused_alert(page, "Choose a score for “Accuracy”")
    assert page.locator("[data-rubric-cell] [role=alert]").count() == 1
    assert page.is_checked("input[name=score-r1-accuracy][value='3']")


def test_a_conflict_a_server_error_and_a_lost_connection_are_each_said(
    page, make_user, make_project, import_rows, session
):
    on_first_task(page, make_user, make_project, import_rows, session, "pairwise", "ref-errors")
    assignment_id = int(page.url.rsplit("/", 1)[1])
    page.fill("textarea[name=rationale]", "kept whatever happens")
    page.locator("input[name=preferred]").first.check()

    # A server error: the page stays, the answer stays, the alert says so and has the focus.
    page.route("**/judgment", lambda route: route.fulfill(status=500, body="<!doctype html><title>x</title>boom"))
    page.get_by_role("button", name="Submit").click()
    alert = page.locator("#page-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("something went wrong on the server (error 500)")
    focused_alert(page, "Not done")
    assert page.input_value("textarea[name=rationale]") == "kept whatever happens"
    page.unroute("**/judgment")

    # No connection at all.
    page.route("**/judgment", lambda route: route.abort())
    page.get_by_role("button", name="Submit").click()
    expect(alert).to_contain_text("the server cannot be reached")
    focused_alert(page, "Not sent")
    assert page.input_value("textarea[name=rationale]") == "kept whatever happens"
    page.unroute("**/judgment")

    # A conflict (the task was skipped from another tab meanwhile): the server's refusal is swapped in.
    session.rollback()
    begin_write(session)
    skip_assignment(session, session.get(Assignment, assignment_id), "Outside my expertise")
    session.commit()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#task [role=alert]").first).to_contain_text("You skipped this task")
    focused_alert(page, "You skipped this task")
    expect(alert).to_be_hidden()


def test_without_javascript_the_same_words_come_back_with_the_page(
    browser, live_server, make_user, make_project, import_rows, session
):
    expert = make_user("expert")
    project = make_project("ref-nojs", template="pairwise", members=[(expert, "expert")])
    import_rows(project, pair_rows(1))
    email = expert.email
    session.commit()
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, email, PASSWORD)
        page.goto("/p/ref-nojs")
        page.get_by_role("button", name="Start judging").click()
        page.wait_for_url("**/tasks/*")
        page.fill("textarea[name=rationale]", "typed without scripts")
        page.get_by_role("button", name="Submit").click()
        page.wait_for_load_state()
        expect(page.locator("fieldset.choice [role=alert]")).to_have_text("Choose A, B or Tie.")
        assert page.input_value("textarea[name=rationale]") == "typed without scripts"
    finally:
        context.close()


def test_a_reviewer_who_rejects_without_a_comment_is_told_at_the_comment_box(
    page, make_user, make_project, import_rows, session
):
    from annotate.assign.services import claim_next, submit_judgment

    alice = make_user("expert")
    rita = make_user("expert", email="rita-ref@example.org")
    project = make_project("ref-rev", members=[(alice, "expert"), (rita, "reviewer")])
    import_rows(project, pair_rows(1))
    begin_write(session)
    submit_judgment(session, claim_next(session, project, alice), project, {"preferred": "r1"})
    session.commit()
    sign_in(page, "rita-ref@example.org", PASSWORD)
    page.goto("/review/p/ref-rev")
    page.click("button:has-text('Review next')")
    page.wait_for_url("**/review/judgments/*")
    page.click("button:has-text('Reject and return to the expert')")
    message = page.locator("form.verdict [role=alert]")
    expect(message).to_have_text("Say what the expert should change before returning it.")
    focused_alert(page, "Say what the expert should change before returning it.")
    page.fill("#comment", "B is safer.")
    page.click("button:has-text('Reject and return to the expert')")
    page.wait_for_url("**/review/p/ref-rev?empty=reviews")
