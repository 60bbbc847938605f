"""A kind's own script and style reach the pages that show it, and only those, in Chromium:
after a full page load and after htmx swaps the task in; also for a kind from a package outside
annotate (tests/fixtures/kindplugin), judged by keyboard with nothing in annotate changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import PASSWORD, sign_in
from kind_plugin import TEMPLATE, installed
from playwright.sync_api import expect
from sqlalchemy import select

from annotate.kinds.uploads import upload_template
from annotate.models import Judgment

pytestmark = pytest.mark.browser


def rows(n: int = 2) -> list[dict]:
    return [
        {
            "id": f"it-{i}",
            "prompt": [{"role": "user", "content": "Which city is the capital of Australia?"}],
            "responses": [{"id": "r1", "content": "Canberra."}, {"id": "r2", "content": "Sydney."}],
        }
        for i in range(n)
    ]


def kind_files(page) -> set[str]:
    """The kind files (/static/kinds/...) the page has loaded as scripts and styles."""
    return set(
        page.evaluate(
            """() => [...document.querySelectorAll('script[src], link[rel=stylesheet]')]
                 .map(e => new URL(e.src || e.href).pathname)
                 .filter(p => p.startsWith('/static/kinds/'))"""
        )
    )


def test_a_kind_from_outside_annotate_is_judged_by_keyboard(page, app, make_user, make_project, import_rows, session):
    with installed():
        researcher, expert = make_user("researcher"), make_user("expert")
        upload_template(session, "pick-best", dict(TEMPLATE), Path(app.config["TEMPLATES_DIR"]), researcher)
        session.commit()
        project = make_project("picks", template="pick-best", members=[(expert, "expert")])
        import_rows(project, rows())
        sign_in(page, expert.email, PASSWORD)
        page.goto("/p/picks")
        # The page that starts its tasks brings its script (not its style), so keys work at once.
        assert kind_files(page) == {"/static/kinds/pick/pick.js"}
        page.get_by_role("button", name="Start judging").press("Enter")  # htmx swaps the task in
        page.wait_for_url("**/tasks/*")
        expect(page.locator("#task")).to_be_focused()
        first = page.url
        page.keyboard.press("s")  # the kind's own script: swap the sides
        expect(page.locator("[data-pick-sides]")).to_have_class("responses cols-2 pick-sides pick-swapped")
        # The kind's style came with the swapped-in task (kinds.js adds it; it may still be loading).
        page.wait_for_function("getComputedStyle(document.querySelector('.pick-swapped')).direction === 'rtl'")
        second = page.eval_on_selector_all("input[name=pick]", "inputs => inputs[1].value")  # B, as shown
        page.keyboard.press("2")
        page.keyboard.press("Control+Enter")
        page.wait_for_url(lambda u: u != first)
        session.rollback()
        judgment = session.scalars(select(Judgment)).one()
        assert judgment.answers == {"pick": second}

        # From a page without the kind, htmx swaps a task in: kinds.js loads the script then,
        # and keys pressed while it loads reach it.
        page.goto("/p/picks/history")
        assert kind_files(page) == set()
        page.get_by_role("link", name="Open").click()
        page.wait_for_url(first)
        page.wait_for_selector("[data-pick-sides]")
        page.keyboard.press("s")
        expect(page.locator("[data-pick-sides]")).to_have_class("responses cols-2 pick-sides pick-swapped")
        assert kind_files(page) == {"/static/kinds/pick/pick.js", "/static/kinds/pick/pick.css"}
        page.reload()  # a full page load brings the same files
        assert kind_files(page) == {"/static/kinds/pick/pick.js", "/static/kinds/pick/pick.css"}


def test_each_task_page_loads_its_own_kinds_files_only(page, make_user, make_project, import_rows, session):
    expert = make_user("expert")
    for slug, template in (("r", "ranking"), ("p", "pairwise")):
        project = make_project(slug, template=template, members=[(expert, "expert")])
        import_rows(project, rows() if template == "pairwise" else _three(rows()))
    sign_in(page, expert.email, PASSWORD)
    for slug, expected in (
        ("r", {"/static/kinds/ranking/ranking.js", "/static/kinds/ranking/ranking.css"}),
        ("p", {"/static/kinds/pairwise/pairwise.js", "/static/kinds/pairwise/pairwise.css"}),
    ):
        page.goto(f"/p/{slug}")
        page.get_by_role("button", name="Start judging").click()
        page.wait_for_url("**/tasks/*")
        page.wait_for_selector("[data-kind]")
        page.goto(page.url)  # and in a full page load
        assert kind_files(page) == expected


def _three(items: list[dict]) -> list[dict]:
    for item in items:
        item["responses"].append({"id": "r3", "content": "Melbourne."})
    return items
