"""Sign in and judge two pairwise tasks with the keyboard only, in Debian's Chromium."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, pair_rows, screenshot
from sqlalchemy import select

from annotate.models import Assignment, Judgment

pytestmark = pytest.mark.browser


def test_two_pairwise_tasks_by_keyboard(page, make_user, make_project, import_rows, session):
    expert = make_user("expert", email="keys@example.org")
    project = make_project("keys", title="Keyboard project", members=[(expert, "expert")])
    import_rows(project, pair_rows(3))
    session.commit()

    page.goto("/login")
    page.keyboard.type("keys@example.org")  # the email field has autofocus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    page.goto("/p/keys")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    screenshot(page, "pairwise-task")

    first_url = page.url
    page.locator("#task form.answer").wait_for()
    page.keyboard.press("2")
    assert page.is_checked("input[name=preferred][data-key='2']")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url != first_url and "/tasks/" in url)
    # The next task arrived without a full page load: htmx swapped the fragment in place.
    assert page.evaluate("document.querySelectorAll('#task').length") == 1

    second_url = page.url
    page.keyboard.press("3")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url != second_url)

    session.expire_all()
    judgments = session.scalars(select(Judgment).order_by(Judgment.id)).all()
    assert len(judgments) == 2
    first = session.get(Assignment, judgments[0].assignment_id)
    # Key 2 means "B is better": the response shown second, whatever the random order was.
    assert judgments[0].answers["preferred"] == first.display_order[1]
    assert judgments[1].answers["preferred"] == "tie"
    assert page.dialogs == []
