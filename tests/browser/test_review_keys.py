"""Review and adjudication by keyboard, with a "?" overlay like the task page; a researcher sees
what waits for adjudication and acts on it; adjudication is switched on in Settings (issue 13, point 7)."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, pair_rows, screenshot, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from annotate.assign.services import claim_next, submit_judgment
from annotate.db import begin_write
from annotate.models import Judgment, Project, ReviewState

pytestmark = pytest.mark.browser


def judge(session, project, expert, answers):
    begin_write(session)
    submit_judgment(session, claim_next(session, project, expert), project, answers)
    session.commit()


def test_a_reviewer_works_by_keys_with_a_help_overlay(page, make_user, make_project, import_rows, session):
    alice = make_user("expert")
    make_user("expert", email="rita-keys@example.org")
    rita = session.scalar(select(type(alice)).where(type(alice).email == "rita-keys@example.org"))
    project = make_project("keys-rev", members=[(alice, "expert"), (rita, "reviewer")])
    import_rows(project, pair_rows(1))
    judge(session, project, alice, {"preferred": "r1"})
    sign_in(page, "rita-keys@example.org", PASSWORD)
    page.goto("/review/p/keys-rev")
    page.click("button:has-text('Review next')")
    page.wait_for_url("**/review/judgments/*")
    page.locator("#main").focus()
    page.keyboard.press("?")
    overlay = page.locator("#review .help-body")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("Accept the judgment")
    expect(overlay).to_contain_text("Reject it and return it to the expert")
    screenshot(page, "review-keys")
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
    page.keyboard.press("f")  # Fix and accept opens; the kind's keys now reach its form
    expect(page.locator("details.fix")).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    page.locator("details.fix > summary").press("f")  # and closes
    expect(page.locator("details.fix form.answer")).to_be_hidden()
    page.keyboard.press("m")
    expect(page.locator("#comment")).to_be_focused()
    page.keyboard.type("Say why A is better.")
    page.keyboard.press("Tab")  # out of the comment box, onto Accept
    page.keyboard.press("r")  # reject, with the comment
    page.wait_for_url("**/review/p/keys-rev?empty=reviews")
    session.rollback()
    judgment = session.scalars(select(Judgment)).one()
    assert judgment.review_state is ReviewState.REJECTED


def test_an_adjudicator_breaks_a_tie_by_keys(page, make_user, make_project, import_rows, session):
    alice, bob = make_user("expert"), make_user("expert")
    rob = make_user("expert", email="rob-keys@example.org")
    project = make_project("keys-adj", overlap=2, members=[(alice, "expert"), (bob, "expert"), (rob, "reviewer")])
    project.adjudication_threshold = 100
    session.commit()
    import_rows(project, pair_rows(1))
    judge(session, project, alice, {"preferred": "r1"})
    judge(session, project, bob, {"preferred": "r2"})
    sign_in(page, "rob-keys@example.org", PASSWORD)
    page.goto("/review/p/keys-adj")
    page.click("button:has-text('Adjudicate next')")
    page.wait_for_url("**/review/adjudications/*")
    page.locator("#main").focus()
    page.keyboard.press("?")
    expect(page.locator("#adjudicate .help-body")).to_contain_text("Submit the tie-breaking judgment")
    page.keyboard.press("?")
    page.keyboard.press("2")  # the second response shown, by the kind's key
    assert page.locator("input[name=preferred]:checked").count() == 1
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/review/p/keys-adj?empty=adjudications")
    session.rollback()
    assert session.scalar(select(Judgment.expert_id).where(Judgment.adjudication.is_(True))) == rob.id


def test_a_researcher_switches_adjudication_on_and_sees_what_waits(page, make_user, make_project, import_rows, session):
    alice, bob = make_user("expert"), make_user("expert")
    make_user("researcher", email="rae-keys@example.org")
    rae = session.scalar(select(type(alice)).where(type(alice).email == "rae-keys@example.org"))
    project = make_project("keys-res", overlap=2, members=[(alice, "expert"), (bob, "expert"), (rae, "researcher")])
    import_rows(project, pair_rows(1))
    sign_in(page, "rae-keys@example.org", PASSWORD)
    page.goto("/review/p/keys-res")
    expect(page.locator("#adjudications")).to_contain_text("Adjudication is off")
    page.click("#adjudications a:has-text('Settings')")
    page.wait_for_url("**/settings")
    page.fill("#adjudication_threshold", "100")
    page.locator("form:has(#adjudication_threshold) button[type=submit]").first.click()
    page.wait_for_load_state()
    session.rollback()
    assert session.get(Project, project.id).adjudication_threshold == 100
    judge(session, project, alice, {"preferred": "r1"})
    judge(session, project, bob, {"preferred": "r2"})
    page.goto("/review/p/keys-res")
    waiting = page.locator("#adjudications")
    expect(waiting).to_contain_text("item-0")
    waiting.get_by_role("button", name="Adjudicate the first one").click()
    page.wait_for_url("**/review/adjudications/*")
