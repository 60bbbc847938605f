"""The task page shell in Chromium, keyboard only: help overlay, instructions, skip with a reason,
submit; and the layout at 200% zoom."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, pair_rows, screenshot, sign_in
from playwright.sync_api import expect
from sqlalchemy import func, select

from annotate.models import Assignment, AssignmentStatus, Judgment

pytestmark = pytest.mark.browser


@pytest.fixture
def expert_on_task(page, make_user, make_project, import_rows, session):
    expert = make_user("expert", email="shell@example.org")
    project = make_project(
        "shell", title="Shell", members=[(expert, "expert")], instructions="Read **both** replies in full."
    )
    import_rows(project, pair_rows(3))
    session.commit()  # end the arranging transaction: the live server writes next
    sign_in(page, "shell@example.org", PASSWORD)
    page.goto("/p/shell")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    return page


def test_panels_skip_and_submit_by_keyboard(expert_on_task, session):
    page = expert_on_task
    help_panel = page.locator("details[data-panel=help]")
    page.keyboard.press("?")
    assert help_panel.evaluate("d => d.open")
    assert page.locator(".help-body").is_visible()
    assert page.locator(".help-body kbd", has_text="Ctrl+Enter").count() == 1
    screenshot(page, "workbench-help-overlay")
    page.keyboard.press("Escape")
    assert not help_panel.evaluate("d => d.open")

    page.keyboard.press("i")
    instructions = page.locator("details[data-panel=instructions] .panel-body")
    assert instructions.is_visible()
    assert "Read both replies in full." in instructions.inner_text()
    page.keyboard.press("i")
    assert not instructions.is_visible()

    # Skip: the key opens the form with focus on the first reason; Space picks it, Enter sends.
    first_url = page.url
    page.keyboard.press("x")
    assert page.evaluate("document.activeElement.name") == "reason"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("not my field")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url != first_url and "/tasks/" in url)
    assert "Skipped. Here is the next task." in page.locator("#task").inner_text()
    reasons = session.scalars(select(Assignment.skip_reason).where(Assignment.status == AssignmentStatus.SKIPPED)).all()
    session.rollback()  # end the read so the live server can write
    assert reasons == ["Outside my expertise: not my field"]

    # Submit the next one: a kind key then Ctrl+Enter; the third task arrives without a reload.
    second_url = page.url
    page.evaluate("window.__sameDocument = true")
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url != second_url and "/tasks/" in url)
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#task")).to_be_focused()  # focus follows the new task (waits for the swap to settle)
    judged = session.scalar(select(func.count()).select_from(Judgment))
    session.rollback()
    assert judged == 1
    assert page.dialogs == []


def test_usable_at_200_percent_zoom(expert_on_task):
    """A 1280x900 laptop screen at 200% zoom is a 640x450 CSS-pixel viewport: nothing may scroll sideways."""
    page = expert_on_task
    page.set_viewport_size({"width": 640, "height": 450})
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    submit = page.locator("form.answer button[type=submit]")
    submit.scroll_into_view_if_needed()
    assert submit.is_visible()
    # Focus is visible: the focused control gets an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    screenshot(page, "workbench-task-200-percent")
