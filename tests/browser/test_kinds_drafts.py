"""Drafts of the kinds whose state lives partly outside plain fields (ranking order,
critique spans) come back intact after a reload, in Chromium."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def open_task(page, make_user, make_project, import_rows, session, template, rows, slug):
    expert = make_user("expert")
    project = make_project(slug, template=template, members=[(expert, "expert")])
    import_rows(project, rows)
    email = expert.email
    session.commit()  # the live server writes next
    sign_in(page, email, PASSWORD)
    page.goto(f"/p/{slug}")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    page.wait_for_selector("[data-kind]")
    # The workbench focuses a task it swapped in (htmx:load); keys pressed before that would race it.
    expect(page.locator("#task")).to_be_focused()


def test_ranking_order_is_restored_after_reload(page, make_user, make_project, import_rows, session):
    rows = [{"id": "d", "prompt": "Q?", "responses": [{"id": f"r{i}", "content": f"Answer {i}"} for i in (1, 2, 3)]}]
    open_task(page, make_user, make_project, import_rows, session, "ranking", rows, "draft-rank")
    page.keyboard.press("j")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # first card to the bottom
    order = page.eval_on_selector_all(".rank-card", "cs => cs.map(c => c.dataset.response)")
    page.wait_for_selector("[data-draft-status][data-state=saved]")
    page.reload()
    page.wait_for_selector("[data-kind]")
    page.wait_for_function("document.querySelector('[data-draft-status]').textContent.includes('restored')")
    assert page.eval_on_selector_all(".rank-card", "cs => cs.map(c => c.dataset.response)") == order
    assert page.eval_on_selector_all("[data-rank]", "s => s.map(e => e.value)") == ["1", "2", "3"]


def test_critique_spans_are_restored_after_reload(page, make_user, make_project, import_rows, session):
    rows = [{"id": "d", "prompt": "Q?", "responses": [{"id": "r1", "content": "The capital is Sydney."}]}]
    open_task(page, make_user, make_project, import_rows, session, "critique", rows, "draft-crit")
    page.fill("input[data-span-find]", "Sydney")
    page.press("input[data-span-find]", "Enter")
    assert page.locator("[data-span-list] li").count() == 1
    page.fill("textarea[name=critique-r1]", "The capital is Canberra, not Sydney.")
    page.wait_for_selector("[data-draft-status][data-state=saved]")
    page.reload()
    page.wait_for_selector("[data-kind]")
    page.wait_for_function("document.querySelector('[data-draft-status]').textContent.includes('restored')")
    assert page.locator("[data-span-list] li").count() == 1
    assert "Sydney" in page.inner_text("[data-span-list]")
