"""Time measured by the server, in Chromium: a real idle gap does not count; a paste into a rationale
is recorded and flagged; two tabs never count a second twice; neither the page's own requests nor
the API can inflate the time. The heartbeat period and idle gap are lowered (settings) so that
real silences take seconds, not minutes."""

from __future__ import annotations

import time
from itertools import pairwise
from urllib.parse import urlsplit

import pytest
from helpers import PASSWORD, api_call, pair_rows, screenshot, sign_in
from sqlalchemy import select

from annotate.models import ActivityInterval, Judgment

pytestmark = pytest.mark.browser

PASTE = "Response B is correct: the dose is weight-based, and A ignores the renal adjustment entirely. " * 3


@pytest.fixture
def quick(app):
    """Heartbeats every half second; two seconds of silence close an interval."""
    app.config.update(HEARTBEAT_SECONDS=0.5, IDLE_GAP_SECONDS=2)
    return app


@pytest.fixture
def working(quick, page, make_user, make_project, import_rows, session):
    expert = make_user("expert", email="clock@example.org")
    project = make_project("clock", members=[(expert, "expert")])
    import_rows(project, pair_rows(4))
    session.commit()
    sign_in(page, "clock@example.org", PASSWORD)
    return expert


def start_task(page) -> int:
    page.goto("/p/clock")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    return int(page.url.rsplit("/", 1)[1])


def act(page, seconds: float) -> None:
    """Move the pointer now and then for ``seconds``: someone reading and working."""
    end = time.monotonic() + seconds
    x = 100
    while time.monotonic() < end:
        x = 100 + (x + 37) % 400
        page.mouse.move(x, 300)
        page.wait_for_timeout(150)


def read(session, stmt):
    """Rows as the live server committed them; detached, so that reading their attributes later
    opens no transaction (whose snapshot would hide what the server writes next)."""
    try:
        rows = session.scalars(stmt).all()
        session.expunge_all()
        return rows
    finally:
        session.rollback()


def judgment_of(session, assignment_id: int) -> Judgment:
    [judgment] = read(session, select(Judgment).where(Judgment.assignment_id == assignment_id))
    return judgment


def test_a_real_idle_gap_does_not_count(working, page, session):
    began = time.monotonic()  # before the task page: its first heartbeat is part of the time
    task = start_task(page)
    act(page, 2.5)
    page.wait_for_timeout(4000)  # no key, no pointer, no scroll: twice the idle gap
    act(page, 2.0)
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url.endswith(f"/tasks/{task}") is False)
    wall = time.monotonic() - began

    judgment = judgment_of(session, task)
    assert judgment.interval_count == 2
    assert 3 <= judgment.active_seconds <= wall - 4 + 2 * 0.5 + 1  # the silence is not counted
    assert page.locator("[data-clock]").inner_text() != ""  # the next task's clock is running
    assert page.dialogs == []


def test_a_paste_into_a_rationale_is_recorded_and_flagged(working, page, session):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    task = start_task(page)
    page.evaluate("text => navigator.clipboard.writeText(text)", PASTE)
    rationale = page.locator("textarea[name=rationale]")
    rationale.click()
    page.keyboard.type("Note: ")
    page.keyboard.press("Control+V")
    assert rationale.input_value() == "Note: " + PASTE
    act(page, 1.0)
    page.get_by_text("B is better").click()
    rationale.press("Control+Enter")
    page.wait_for_url(lambda url: url.endswith(f"/tasks/{task}") is False)

    judgment = judgment_of(session, task)
    field = judgment.signals["fields"]["rationale"]
    assert (field["typed"], field["pasted"], field["pastes"], field["paste_sizes"]) == (6, len(PASTE), 1, [len(PASTE)])
    assert field["first_key_ms"] is not None
    assert judgment.signals["interactions"] > 0
    assert judgment.flags["mostly_pasted"]["value"] == round(len(PASTE) / (len(PASTE) + 6), 3)
    assert "idle_submit" not in judgment.flags


def test_two_tabs_never_count_the_same_second_twice(working, page, session):
    began = time.monotonic()  # every interval of the test lies after this...
    start_task(page)
    other = page.context.new_page()
    other.goto("/p/clock")  # the project's page: its instructions, counted as their own activity
    end = time.monotonic() + 5
    while time.monotonic() < end:  # both tabs in use, turn and turn about
        for tab in (page, other):
            tab.mouse.move(200 + int(time.monotonic() * 10) % 300, 250)
            tab.wait_for_timeout(120)
    page.wait_for_timeout(800)  # the last heartbeats land
    other.close()
    wall = time.monotonic() - began  # ...and before this

    rows = read(session, select(ActivityInterval).order_by(ActivityInterval.started_at))
    assert {r.activity.value for r in rows} == {"task", "instructions"}  # both tabs were counted...
    for earlier, later in pairwise(rows):
        assert later.started_at >= earlier.ended_at  # ...one after the other, never both at once
    assert sum(r.ms for r in rows) / 1000 <= wall + 0.5  # the first interval reaches back one period at most


def test_neither_the_page_nor_the_api_can_inflate_time(working, page, session, live_server, make_token):
    token = make_token(working)  # before the page's heartbeats start writing beside this session
    began = time.monotonic()
    task = start_task(page)
    burst = """async (target) => {
      const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
      const url = document.querySelector('[data-heartbeat]').dataset.heartbeatUrl;
      const answers = [];
      for (let i = 0; i < 30; i++) {
        const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                                    body: JSON.stringify({activity: 'task', target, since_ms: 1e12})});
        answers.push(r.status);
      }
      return answers;
    }"""
    assert set(page.evaluate(burst, task)) == {200}
    # An old page's field, or a forged one, is not read: the form has no duration to give.
    page.evaluate(
        """() => { const f = document.querySelector('#task form.answer'); const i = document.createElement('input');
                   i.type = 'hidden'; i.name = 'active_seconds'; i.value = '86400'; f.appendChild(i); }"""
    )
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url.endswith(f"/tasks/{task}") is False)
    wall = time.monotonic() - began
    judgment = judgment_of(session, task)
    assert judgment.active_seconds <= wall + 0.5 + 1  # one heartbeat period back at most
    screenshot(page, "timekeeping-next-task")

    # The API: the same clock, the same limits.
    status, claimed = api_call(live_server, token, "/api/v1/projects/clock/assignments")
    assert status == 201
    started = time.monotonic()
    for _ in range(10):
        beat = {"activity": "task", "target": claimed["assignment"]["id"], "since_ms": 10**12}
        assert api_call(live_server, token, "/api/v1/heartbeats", beat)[0] == 200
    body = {"answers": {"preferred": "r1"}, "active_seconds": 10**6}
    assert api_call(live_server, token, urlsplit(claimed["judgment_url"]).path, body)[0] == 201
    api_judgment = judgment_of(session, claimed["assignment"]["id"])
    assert api_judgment.active_seconds <= time.monotonic() - started + 0.5 + 1
