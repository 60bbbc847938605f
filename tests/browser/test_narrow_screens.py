"""Phones and narrow windows (issue 13, point 4): at 390x844 no page scrolls sideways, the
top navigation stays reachable, and the rubric grid becomes one card per response."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, screenshot, sign_in
from sqlalchemy import select

from annotate.assign.services import claim_next, submit_judgment
from annotate.db import begin_write
from annotate.models import ProjectMember

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG = (
    "A long reply with a table, code and a very long word: "
    + "supercalifragilistic" * 6
    + "\n\n"
    + (
        "| dose | frequency | route | notes |\n|---|---|---|---|\n"
        "| 500 mg | every 8 hours | oral | with food, not with milk |\n\n"
        "```python\nprint('a line of code that is much longer than a phone screen is wide, "
        "to be scrolled inside its box')\n```"
    )
)


def rows(k: int, n: int = 2) -> list[dict]:
    return [
        {
            "id": f"item-{i}",
            "prompt": [{"role": "user", "content": "What is the dose? " + "https://example.org/" + "x" * 80}],
            "responses": [{"id": f"r{j + 1}", "content": f"Reply {j + 1}. {LONG}"} for j in range(k)],
        }
        for i in range(n)
    ]


def judge(session, project, expert, answers):
    begin_write(session)
    submit_judgment(session, claim_next(session, project, expert), project, answers)
    session.commit()


TASKS = {
    "pairwise": 2,
    "pairwise-multi-criteria": 2,
    "ranking": 4,
    "critique": 2,
    "rubric": 3,
    "ultrafeedback": 4,
}


def arrange(name: str, make_user, make_project, import_rows, session) -> tuple[str, str]:
    """(email to sign in with, the page's address) for the page called ``name``."""
    expert = make_user("expert", email="phone-expert@example.org")
    if name.startswith("task-"):
        template = name.removeprefix("task-")
        project = make_project("phone", template=template, members=[(expert, "expert")])
        import_rows(project, rows(TASKS[template]))
        begin_write(session)
        lease = claim_next(session, project, expert)
        session.commit()
        return expert.email, f"/tasks/{lease.id}"
    other = make_user("expert")
    staff = make_user("researcher", email="phone-staff@example.org")
    project = make_project("phone", overlap=2, members=[(expert, "expert"), (other, "expert"), (staff, "reviewer")])
    import_rows(project, rows(2))
    if name == "adjudication":
        project.adjudication_threshold = 100
        session.commit()
    judge(session, project, expert, {"preferred": "r1", "rationale": "A " + "because" * 30})
    judge(session, project, other, {"preferred": "r2"})
    if name == "history":
        return expert.email, "/p/phone/history"
    if name == "review":
        return staff.email, "/review/p/phone"
    if name == "adjudication":
        return staff.email, "/review/p/phone"
    member = session.scalar(select(ProjectMember).where(ProjectMember.user_id == staff.id))
    member.role = member.role.__class__("researcher")
    session.commit()
    pages = {
        "progress": "/p/phone/progress",
        "import": "/p/phone/import",
        "export": "/p/phone/exports",
        "items": "/p/phone/items",
        "judgments": "/p/phone/judgments",
    }
    return staff.email, pages[name]


PAGES = [f"task-{t}" for t in TASKS] + [
    "review",
    "adjudication",
    "history",
    "progress",
    "import",
    "export",
    "items",
    "judgments",
]


@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(name, browser, live_server, make_user, make_project, import_rows, session):
    email, url = arrange(name, make_user, make_project, import_rows, session)
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, email, PASSWORD)
        page.goto(url)
        if name == "review":
            page.click("button:has-text('Review next')")
            page.wait_for_url("**/review/judgments/*")
        if name == "adjudication":
            page.click("button:has-text('Adjudicate next')")
            page.wait_for_url("**/review/adjudications/*")
        page.wait_for_load_state("networkidle")
        screenshot(page, f"phone-{name}", docs="screenshot-phone.png" if name == "task-pairwise" else None)
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391
                 && e.checkVisibility()).slice(0, 5).map(e => e.tagName + '.' + e.className)"""
        )
        assert width <= PHONE["width"], (width, wide)
        # The top navigation stays reachable: every link and the sign-out button on screen.
        for link in page.locator("header.topbar a, header.topbar button").all():
            box = link.bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]
        if name == "task-rubric":
            cards = page.locator("[data-rubric-card]")
            assert cards.count() == TASKS["rubric"]
            first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
            assert second["y"] >= first["y"] + first["height"] - 1  # one card under the other
            assert first["width"] <= PHONE["width"]
        if name in ("items", "judgments"):
            # One card per row with every cell the screen's width, not a table squeezed to a word per line.
            cell = page.locator("td[data-label=Item]").first.bounding_box()
            assert cell is not None
            assert cell["width"] > PHONE["width"] * 0.6
    finally:
        context.close()
