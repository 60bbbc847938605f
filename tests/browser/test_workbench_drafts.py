"""Never lose work, in Chromium: autosave, restore after reload and in another tab, and a network drop."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, pair_rows, screenshot, sign_in
from sqlalchemy import select

from annotate.models import Draft

pytestmark = pytest.mark.browser


def server_fields(session, assignment_id: int) -> dict | None:
    """The stored draft's fields; the read transaction ends at once, so the live server can write."""
    try:
        return session.scalar(select(Draft.fields).where(Draft.assignment_id == assignment_id))
    finally:
        session.rollback()


def test_draft_survives_reload_another_tab_and_a_network_drop(page, make_user, make_project, import_rows, session):
    expert = make_user("expert", email="drafts@example.org")
    project = make_project("drafts", members=[(expert, "expert")])
    import_rows(project, pair_rows(2))
    session.commit()  # end the arranging transaction: the live server writes next
    sign_in(page, "drafts@example.org", PASSWORD)
    page.goto("/p/drafts")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    task_url = page.url
    assignment_id = int(task_url.rsplit("/", 1)[1])
    status = page.locator("[data-draft-status]")

    page.keyboard.press("2")
    page.fill("textarea[name=rationale]", "B explains the trade-off")
    page.wait_for_selector("[data-draft-status][data-state=saved]")
    assert "Draft saved" in status.inner_text()
    fields = server_fields(session, assignment_id)
    assert fields["rationale"] == ["B explains the trade-off"]
    chosen = fields["preferred"][0]

    # Reload: the same answer is back.
    page.reload()
    assert page.input_value("textarea[name=rationale]") == "B explains the trade-off"
    assert page.is_checked(f"input[name=preferred][value={chosen}]")
    assert "Draft restored" in status.inner_text()

    # Another tab (a fresh page, no local copy of its own in memory) gets it from the server.
    other = page.context.new_page()
    other.goto(task_url)
    assert other.input_value("textarea[name=rationale]") == "B explains the trade-off"
    other.close()

    # Network drop: the page says the draft is not saved, keeps it, and sends it when back online.
    page.context.set_offline(True)
    page.fill("textarea[name=rationale]", "B explains the trade-off; A is wrong about units")
    page.wait_for_selector("[data-draft-status][data-state=offline]")
    assert "Not saved" in status.inner_text()
    screenshot(page, "workbench-draft-offline")
    assert server_fields(session, assignment_id)["rationale"] == ["B explains the trade-off"]
    page.context.set_offline(False)
    page.wait_for_selector("[data-draft-status][data-state=saved]")
    assert server_fields(session, assignment_id)["rationale"] == ["B explains the trade-off; A is wrong about units"]

    # Submitting clears the draft on both sides.
    page.locator("textarea[name=rationale]").press("Control+Enter")
    page.wait_for_url(lambda url: url != task_url and "/tasks/" in url)
    assert server_fields(session, assignment_id) is None
    page.wait_for_selector("#task[data-cleared][tabindex='-1']")  # the page script has taken the new task in
    assert page.evaluate(f"localStorage.getItem('annotate:draft:{assignment_id}')") is None
    assert page.dialogs == []


def test_offline_edit_made_before_a_reload_is_restored_from_the_browser(
    page, make_user, make_project, import_rows, session
):
    """Typed while the server was unreachable, then reloaded: the browser's copy is restored and sent."""
    expert = make_user("expert", email="offline@example.org")
    project = make_project("offline", members=[(expert, "expert")])
    import_rows(project, pair_rows(1))
    session.commit()  # end the arranging transaction: the live server writes next
    sign_in(page, "offline@example.org", PASSWORD)
    page.goto("/p/offline")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    assignment_id = int(page.url.rsplit("/", 1)[1])
    # The server cannot be reached (the request fails), so the copy exists only in this browser.
    page.route("**/draft", lambda route: route.abort())
    page.fill("textarea[name=rationale]", "written on the train")
    page.wait_for_selector("[data-draft-status][data-state=offline]")
    assert server_fields(session, assignment_id) is None
    page.unroute("**/draft")
    page.reload()
    assert page.input_value("textarea[name=rationale]") == "written on the train"
    page.wait_for_selector("[data-draft-status][data-state=saved]")
    assert server_fields(session, assignment_id)["rationale"] == ["written on the train"]


def test_a_second_tab_is_told_when_the_first_one_changes_the_task(page, make_user, make_project, import_rows, session):
    expert = make_user("expert", email="tabs@example.org")
    project = make_project("tabs", members=[(expert, "expert")])
    import_rows(project, pair_rows(1))
    session.commit()  # end the arranging transaction: the live server writes next
    sign_in(page, "tabs@example.org", PASSWORD)
    page.goto("/p/tabs")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    other = page.context.new_page()
    other.goto(page.url)
    page.fill("textarea[name=rationale]", "typed in the first tab")
    page.wait_for_selector("[data-draft-status][data-state=saved]")
    other.wait_for_selector("[data-draft-status][data-state=conflict]")
    assert "changed in another tab" in other.inner_text("[data-draft-status]")
    other.close()
