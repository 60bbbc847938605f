"""The expert's pages stay consistent (issue 13, points 2, 3, 5, 6), in Chromium."""

from __future__ import annotations

import contextlib

import pytest
from helpers import PASSWORD, pair_rows, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

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


def card_order(page) -> list[str]:
    return page.eval_on_selector_all(".rank-card", "cards => cards.map(c => c.dataset.response)")


def test_ranking_by_keys_changes_only_the_ranked_response(page, make_user, make_project, import_rows, session):
    rows = [
        {
            "id": "rank-0",
            "prompt": "Order these.",
            "responses": [{"id": f"r{j}", "content": f"Reply number {j}."} for j in range(1, 5)],
        }
    ]
    on_first_task(page, make_user, make_project, import_rows, session, "ranking", "ui-rank", rows)
    url = page.url
    w, x, y, z = shown = card_order(page)
    ranks = lambda: page.eval_on_selector_all("[data-rank]", "s => s.map(e => e.value)")  # noqa: E731
    page.keyboard.press("j")  # focus W
    page.keyboard.press("2")  # W 2; nobody else gets a rank
    assert ranks() == ["2", "", "", ""]
    page.keyboard.press("j")  # X
    page.keyboard.press("1")
    assert ranks() == ["2", "1", "", ""]  # W keeps 2: no rank is shifted, no tie invented
    assert card_order(page) == shown  # and the list did not re-sort under the focus
    assert page.evaluate("document.activeElement.dataset.response") == x
    page.keyboard.press("j")  # Y
    page.keyboard.press("4")
    page.keyboard.press("j")  # Z
    page.keyboard.press("2")  # Z ties with W: a tie the expert made
    assert ranks() == ["2", "1", "4", "2"]
    assert "Tied with" in page.inner_text("[data-ranking-status]")
    page.keyboard.press("k")  # back to Y, which changes its mind
    page.keyboard.press("3")
    assert ranks() == ["2", "1", "3", "2"]
    assert card_order(page) == shown
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: u != url)
    session.rollback()
    judgment = session.scalars(select(Judgment)).one()
    top, tied, last = judgment.answers["ranking"]
    assert (top, sorted(tied), last) == ([x], sorted([w, z]), [y])


def test_a_late_draft_save_never_shows_on_the_next_task(page, make_user, make_project, import_rows, session):
    on_first_task(page, make_user, make_project, import_rows, session, "pairwise", "ui-late")
    first = page.url
    held = []
    # The autosave of the first task is held on the way (a slow network) until the next task is shown.
    page.route("**/draft", lambda route: held.append(route))
    page.fill("textarea[name=rationale]", "typed just before submitting")
    page.wait_for_function("() => document.querySelector('[data-draft-status]').dataset.state === 'saving'")
    # The page says "saving" as it sends; Playwright hands the request to our route a moment later.
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)  # lets Playwright deliver the route event
    assert len(held) == 1
    page.locator("input[name=preferred]").first.check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda u: u != first)
    page.wait_for_selector("#task[data-cleared]")
    page.unroute("**/draft")
    with contextlib.suppress(Exception):  # already aborted by the page: the better outcome
        held[0].continue_()  # the old save arrives now, after the submit
    page.wait_for_timeout(1500)
    status = page.inner_text("#task [data-draft-status]")
    assert "Not saved" not in status
    assert "submitted" not in status
    session.rollback()
    assert session.scalar(select(Assignment.status).where(Assignment.id == int(first.rsplit("/", 1)[1]))).value == (
        "submitted"
    )


def test_reviewer_returned_and_history_use_the_letters_the_expert_saw(
    page, make_user, make_project, import_rows, session
):
    from annotate.assign.services import claim_next, submit_judgment
    from annotate.db import begin_write

    alice = make_user("expert", email="alice-letters@example.org")
    rita = make_user("expert", email="rita-letters@example.org")
    project = make_project("ui-letters", members=[(alice, "expert"), (rita, "reviewer")])
    import_rows(project, pair_rows(1))
    begin_write(session)
    lease = claim_next(session, project, alice)
    lease.display_order = ["r2", "r1"]  # Alice saw the second response first: her A is r2
    submit_judgment(session, lease, project, {"preferred": "r2", "rationale": "A is safer"})
    session.commit()
    task_url = f"/tasks/{lease.id}"

    sign_in(page, "rita-letters@example.org", PASSWORD)
    page.goto("/review/p/ui-letters")
    page.click("button:has-text('Review next')")
    page.wait_for_url("**/review/judgments/*")
    first = page.locator("#review .responses .response").first
    expect(first.locator("h3")).to_have_text("Response A")
    expect(first).to_contain_text("Answer two to 0")  # r2 is A, as Alice saw it
    assert "Response A" in page.inner_text("dl.answers")  # her preference reads as A
    page.fill("#comment", "B is vague, but A skips the dosage.")
    page.click("button:has-text('Reject and return to the expert')")
    page.wait_for_url("**/review/p/ui-letters?empty=reviews")
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/login*")

    sign_in(page, "alice-letters@example.org", PASSWORD)
    expect(page.locator("nav.mainnav a", has_text="Returned")).to_contain_text("1")
    page.click("nav.mainnav a:has-text('Returned')")
    page.wait_for_url("**/review/returned")
    returned = page.inner_text("#returned")
    assert "Preferred: Response A" in returned
    assert "A Answer two to 0" in returned
    page.click(f"#returned a[href='{task_url}']")
    page.wait_for_url(f"**{task_url}")
    expect(page.locator(".returned-note")).to_contain_text("B is vague, but A skips the dosage.")
    expect(page.locator("#task .responses .response").first).to_contain_text("Answer two to 0")

    page.goto("/p/ui-letters/history")
    history = page.inner_text("#history")
    assert "Preferred: Response A" in history
    assert "A Answer two to 0" in history
    assert "B Answer one to 0" in history
    assert "r1" not in history
    assert "r2" not in history


def test_critique_shows_each_response_once_and_the_diff_only_after_a_change(
    page, make_user, make_project, import_rows, session
):
    text = "The capital of Australia is Sydney."
    rows = [
        {
            "id": "crit-0",
            "prompt": "What is the capital of Australia?",
            "responses": [{"id": "r1", "content": text}, {"id": "r2", "content": "Context reply: Canberra."}],
        }
    ]
    # legal-critique critiques the first response only; the other is context.
    on_first_task(page, make_user, make_project, import_rows, session, "legal-critique", "ui-crit", rows)
    visible_copies = page.evaluate(
        """t => [...document.querySelectorAll('#task *')].filter(e => e.checkVisibility()
              && e.children.length === 0 && (e.value !== undefined ? e.value : e.textContent).trim() === t)
              .map(e => e.tagName + '.' + e.className)""",
        text,
    )
    assert len(visible_copies) == 1, visible_copies
    assert page.locator(".diff-body").count() == 0
    # Context after the response being critiqued.
    assert page.evaluate(
        """() => { const block = document.querySelector('[data-critique]');
                   const context = document.querySelector('.context-responses');
                   return !!context
                       && !!(block.compareDocumentPosition(context) & Node.DOCUMENT_POSITION_FOLLOWING); }"""
    )
    rewrite = page.locator("textarea[name=rewrite-r1]")
    if not rewrite.is_visible():
        page.click("details.rewrite summary")
    assert rewrite.input_value() == text  # the rewrite starts from the response's text
    rewrite.fill("The capital of Australia is Canberra.")
    expect(page.locator(".diff-body ins.diff-ins")).to_contain_text("Canberra")
