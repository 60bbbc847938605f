"""Signing out makes the browser forget the drafts it kept in localStorage (issue 12, hole 11):
the next person at a shared computer finds nothing of the last one's answers."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, pair_rows, sign_in

pytestmark = pytest.mark.browser


def _annotate_keys(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('annotate:'))")


def test_a_draft_kept_in_the_browser_is_gone_after_sign_out(page, make_user, make_project, import_rows, session):
    expert = make_user("expert", email="shared-pc@example.org")
    project = make_project("shared", members=[(expert, "expert")])
    import_rows(project, pair_rows(2))
    session.commit()  # end the arranging transaction: the live server writes next
    sign_in(page, "shared-pc@example.org", PASSWORD)
    page.goto("/p/shared")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    assignment_id = int(page.url.rsplit("/", 1)[1])
    page.keyboard.press("2")
    page.fill("textarea[name=rationale]", "my private reasoning")
    page.wait_for_selector("[data-draft-status][data-state=saved]")
    assert f"annotate:draft:{assignment_id}" in _annotate_keys(page)
    page.evaluate("localStorage.setItem('someone-else', 'kept')")  # not ours: Clear-Site-Data may drop it too

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?signed_out=1")
    page.wait_for_load_state("load")
    assert _annotate_keys(page) == []
    assert "You are signed out" in page.locator("main").inner_text()


def test_the_signed_out_page_clears_drafts_where_the_header_is_ignored(page, live_server):
    """The page's own script does the work where Clear-Site-Data is not honoured."""
    page.goto("/login")
    page.evaluate("localStorage.setItem('annotate:draft:7', JSON.stringify({client_saved_at: Date.now()}))")
    page.evaluate("localStorage.setItem('other-app', 'kept')")
    page.goto("/login")
    assert _annotate_keys(page) == ["annotate:draft:7"], "an ordinary sign-in page keeps them"
    page.goto("/login?signed_out=1")
    page.wait_for_load_state("load")
    assert _annotate_keys(page) == []
    assert page.evaluate("localStorage.getItem('other-app')") == "kept"
