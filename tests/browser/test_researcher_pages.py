"""A researcher in Chromium: live Markdown preview, creating a project, inviting, the live progress widget."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, screenshot, sign_in, spend
from sqlalchemy import select

from annotate.models import Batch, Item, Project
from annotate.projects import counters

pytestmark = pytest.mark.browser


def test_create_project_with_live_preview_then_invite(page, make_user, session):
    make_user("researcher", email="res@example.org")
    sign_in(page, "res@example.org", PASSWORD)
    page.click("nav.mainnav >> text=Manage")
    page.click("main >> text=New project")
    page.wait_for_url("**/projects/new")
    page.fill("#slug", "browser-proj")
    page.fill("#title", "Browser project")
    page.locator("#instructions").press_sequentially("Pick the **safer** reply <script>alert(1)</script>", delay=5)
    page.wait_for_selector("#instructions-preview strong")
    assert page.inner_text("#instructions-preview strong") == "safer"
    assert page.locator("#instructions-preview script").count() == 0
    screenshot(page, "project-new-preview")
    page.click("text=Create project")
    page.wait_for_url("**/p/browser-proj/settings")
    assert "Created project Browser project" in page.inner_text("main")
    assert session.scalar(select(Project.title).where(Project.slug == "browser-proj")) == "Browser project"

    page.click("nav.tabs >> text=Members")
    page.fill("#email", "invitee@example.org")
    page.click("form.row-form button:has-text('Add')")
    link = page.input_value("input[aria-label='Invitation link']")
    assert "/invite/" in link
    screenshot(page, "project-members-invite")
    assert page.dialogs == []


def test_progress_widget_updates_itself(page, make_user, make_project, session):
    researcher, expert = make_user("researcher", email="watch@example.org"), make_user("expert")
    project = make_project("live", title="Live", members=[(researcher, "researcher"), (expert, "expert")])
    batch = Batch(project_id=project.id, source="t", format="jsonl")
    session.add(batch)
    session.flush()
    item = Item(
        project_id=project.id,
        batch_id=batch.id,
        external_id="x",
        content_hash="0" * 64,
        prompt=[{"role": "user", "content": "q"}],
        responses=[{"id": "r1", "content": "a"}, {"id": "r2", "content": "b"}],
    )
    session.add(item)
    session.flush()
    counters.rebuild(session, project.id)  # an item written by hand: count it
    session.commit()
    sign_in(page, "watch@example.org", PASSWORD)
    page.goto("/p/live/progress")
    complete = page.locator("dt:has-text('Complete') + dd")
    assert complete.inner_text() == "0"
    # The expert judges it (through the assignment engine, which keeps the progress counters).
    from annotate.assign.services import claim_next, submit_judgment

    assignment = claim_next(session, project, expert)
    spend(session, assignment, 42)
    submit_judgment(session, assignment, project, {"preferred": "r1"})
    session.commit()
    # The widget polls every 5 s and replaces itself: no reload.
    from playwright.sync_api import expect

    expect(complete).to_have_text("1", timeout=12_000)
    assert page.locator("#progress").count() == 1
    screenshot(page, "project-progress")
