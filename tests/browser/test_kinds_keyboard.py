"""Complete a task of each kind with the keyboard only, in Debian's Chromium, and keep a
screenshot of each kind's page (test-artifacts/kind-*.png)."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, screenshot, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from annotate.models import Assignment, Judgment

pytestmark = pytest.mark.browser


def start(page, make_user, make_project, import_rows, template: str, rows: list[dict], slug: str, session):
    """A project of ``template`` with ``rows``; an expert signed in on its first task."""
    expert = make_user("expert")
    project = make_project(slug, template=template, members=[(expert, "expert")])
    import_rows(project, rows)
    email = expert.email
    session.commit()  # end the test's read transaction: its snapshot would hide the server's writes
    sign_in(page, email, PASSWORD)
    page.goto(f"/p/{slug}")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    page.wait_for_selector("[data-kind]")
    # The workbench focuses a task it swapped in (htmx:load); keys pressed before that would race it.
    expect(page.locator("#task")).to_be_focused()
    return project


def focused(page) -> str:
    """A short description of the focused element, for assertions that say where focus is."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '')"
        " + (e.dataset && e.dataset.response ? '[' + e.dataset.response + ']' : '')"
        " + (e.hasAttribute('data-span-find') ? '[find]' : '')"
        " + (e.hasAttribute('data-span-comment') ? '[comment]' : ''); }"
    )


def submitted(page, session, url: str) -> tuple[Judgment, Assignment]:
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: u != url)
    session.rollback()  # a fresh snapshot that sees the server's commit
    judgment = session.scalars(select(Judgment)).one()
    return judgment, session.get(Assignment, judgment.assignment_id)


def items(k: int, n: int = 2, contents: list[str] | None = None) -> list[dict]:
    return [
        {
            "id": f"it-{i}",
            "prompt": [{"role": "user", "content": "What is the capital of Australia?"}],
            "responses": [
                {
                    "id": f"r{j + 1}",
                    "content": (contents[j] if contents else f"Response {j + 1}: it is city number {j + 1}."),
                }
                for j in range(k)
            ],
        }
        for i in range(n)
    ]


def test_pairwise_multi_criteria_by_keyboard(page, make_user, make_project, import_rows, session):
    start(
        page,
        make_user,
        make_project,
        import_rows,
        "pairwise-multi-criteria",
        items(2, contents=["Canberra is the capital.", "Sydney is the capital."]),
        "kb-pair",
        session,
    )
    url = page.url
    page.keyboard.press("d")  # the diff view opens
    assert page.is_visible(".diff-body")
    assert page.locator(".diff-body del").count() >= 1
    screenshot(page, "kind-pairwise")
    page.keyboard.press("1")
    page.keyboard.press("w")  # "Clearly better"
    assert page.is_checked("input[name=strength][value='Clearly better']")
    page.keyboard.press("Tab")  # first criterion row
    assert focused(page) == "input[name=criterion-helpfulness]"
    page.keyboard.press("Space")  # A
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")  # B
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # tie
    page.keyboard.press("Tab")
    assert focused(page) == "textarea[name=rationale]"
    page.keyboard.type("A names the right city; B confidently names the wrong one.")
    judgment, assignment = submitted(page, session, url)
    a, b = assignment.display_order
    assert judgment.answers == {
        "preferred": a,
        "strength": "Clearly better",
        "criteria": {"helpfulness": a, "correctness": b, "safety": "tie"},
        "rationale": "A names the right city; B confidently names the wrong one.",
    }
    assert page.dialogs == []


def test_ranking_by_keyboard(page, make_user, make_project, import_rows, session):
    start(page, make_user, make_project, import_rows, "ranking", items(3), "kb-rank", session)
    url = page.url
    page.keyboard.press("j")  # focus the first card (display position 1: call it X)
    x = page.evaluate("document.activeElement.dataset.response")
    page.keyboard.press("3")  # X to rank 3; Y and Z stay unranked and the list does not move
    assert page.evaluate("document.activeElement.dataset.response") == x
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # X moved to the bottom: the order on screen is the ranking, Y 1, Z 2, X 3
    order = page.eval_on_selector_all(".rank-card", "cards => cards.map(c => c.dataset.response)")
    assert order[2] == x
    ranks = page.eval_on_selector_all("[data-rank]", "s => s.map(e => e.value)")
    assert ranks == ["1", "2", "3"]
    page.keyboard.press("k")  # focus Z
    z = page.evaluate("document.activeElement.dataset.response")
    page.keyboard.press("1")  # Z ties with Y at rank 1
    screenshot(page, "kind-ranking")
    judgment, assignment = submitted(page, session, url)
    y = order[0]
    top, bottom = judgment.answers["ranking"]
    assert sorted(top) == sorted([y, z])
    assert bottom == [x]
    assert x == assignment.display_order[0]


def test_ranking_by_drag_and_drop(page, make_user, make_project, import_rows, session):
    start(page, make_user, make_project, import_rows, "ranking", items(3), "drag-rank", session)
    url = page.url
    first = page.eval_on_selector_all(".rank-card", "cards => cards.map(c => c.dataset.response)")
    page.drag_and_drop(
        f".rank-card[data-response={first[0]}] .handle", f".rank-card[data-response={first[2]}] .rank-body"
    )
    order = page.eval_on_selector_all(".rank-card", "cards => cards.map(c => c.dataset.response)")
    assert order == [first[1], first[2], first[0]]
    judgment, _ = submitted(page, session, url)
    assert judgment.answers["ranking"] == [[first[1]], [first[2]], [first[0]]]


CAPITAL = "🌏 The capital is Sydney, on the coast.\nIt has a harbour."


def test_critique_by_keyboard(page, make_user, make_project, import_rows, session):
    start(page, make_user, make_project, import_rows, "critique", items(1, contents=[CAPITAL]), "kb-crit", session)
    url = page.url
    page.keyboard.press("c")
    assert focused(page) == "textarea[name=critique-r1]"
    page.keyboard.type("Names the wrong city as the capital.")
    for _ in range(3):
        page.keyboard.press("Shift+Tab")  # Add span, comment, find
    assert focused(page) == "input[find]"
    page.keyboard.type("Sydney")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "select"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page) == "input[comment]"
    page.keyboard.type("The capital is Canberra")
    page.keyboard.press("Enter")  # adds the span; does not submit
    assert page.locator("[data-span-list] li").count() == 1
    assert page.url == url
    page.keyboard.press("Tab")  # Add span button
    page.keyboard.press("Tab")  # the new span's Remove button
    page.keyboard.press("Tab")  # critique
    assert not page.is_visible("textarea[name=rewrite-r1]")  # the rewrite starts closed: the response shows once
    page.keyboard.press("Tab")  # the rewrite's summary
    page.keyboard.press("w")  # opens the rewrite, which starts from the response's text
    assert focused(page) == "textarea[name=rewrite-r1]"
    assert page.input_value("textarea[name=rewrite-r1]") == CAPITAL
    assert page.locator(".diff-body").count() == 0  # nothing changed yet: no diff
    page.keyboard.press("Control+a")
    page.keyboard.type("🌏 The capital is Canberra, inland.\nIt has a lake.")
    page.wait_for_selector(".diff-body ins.diff-ins")  # the server's word diff arrived
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # score 1
    page.keyboard.press("ArrowRight")  # score 2
    screenshot(page, "kind-critique")
    judgment, _ = submitted(page, session, url)
    entry = judgment.answers["critiques"]["r1"]
    start_at = CAPITAL.index("Sydney")
    assert entry["spans"] == [
        {
            "start": start_at,
            "end": start_at + 6,
            "label": "Factual error",
            "comment": "The capital is Canberra",
            "text": "Sydney",
        }
    ]
    assert entry["rewrite"] == "🌏 The capital is Canberra, inland.\nIt has a lake."
    assert entry["score"] == 2
    assert entry["critique"] == "Names the wrong city as the capital."


def test_critique_span_by_mouse_selection_counts_code_points(page, make_user, make_project, import_rows, session):
    start(page, make_user, make_project, import_rows, "critique", items(1, contents=[CAPITAL]), "sel-crit", session)
    raw = page.locator("[data-raw-text]")
    # Select "harbour" in the raw text the way a mouse would (a DOM range).
    page.evaluate(
        """() => { const pre = document.querySelector('[data-raw-text]'); const node = pre.firstChild;
                   const at = node.data.indexOf('harbour'); const r = document.createRange();
                   r.setStart(node, at); r.setEnd(node, at + 7);
                   const s = getSelection(); s.removeAllRanges(); s.addRange(r); }"""
    )
    raw.focus()
    page.keyboard.press("s")
    value = page.input_value("input[name=spans-r1]")
    assert '"text":"harbour"' in value
    assert f'"start":{CAPITAL.index("harbour")}' in value  # code points: the emoji counts once


def test_rubric_by_keyboard(page, make_user, make_project, import_rows, session):
    start(page, make_user, make_project, import_rows, "rubric", items(2), "kb-rubric", session)
    url = page.url
    for value in ("4", "2", "5", "3"):  # one response's card at a time: A helpfulness, accuracy; then B
        page.keyboard.press("j")
        page.keyboard.press(value)
    screenshot(page, "kind-rubric")
    judgment, assignment = submitted(page, session, url)
    a, b = assignment.display_order
    assert judgment.answers == {"scores": {a: {"helpfulness": 4, "accuracy": 2}, b: {"helpfulness": 5, "accuracy": 3}}}
