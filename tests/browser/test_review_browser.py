"""A reviewer and an adjudicator in Chromium: reject with a comment, fix and accept, break a tie;
hostile model output and expert text never run."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, screenshot, sign_in
from sqlalchemy import select

from annotate.assign.services import claim_next, submit_judgment
from annotate.db import begin_write
from annotate.models import Judgment, ProjectMember, ReviewState

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="alert(1)"> <script>alert(2)</script>'


def rows(n: int) -> list[dict]:
    return [
        {
            "id": f"q-{i}",
            "prompt": [{"role": "user", "content": f"Question {i}? {HOSTILE}"}],
            "responses": [{"id": "r1", "content": f"One {HOSTILE}"}, {"id": "r2", "content": "Two"}],
        }
        for i in range(n)
    ]


def judge(session, project, expert, answers):
    begin_write(session)
    submit_judgment(session, claim_next(session, project, expert), project, answers)
    session.commit()


def test_reviewer_rejects_then_fixes(page, make_user, make_project, import_rows, session):
    alice, bob = make_user("expert", email="alice@example.org"), make_user("expert", email="bob@example.org")
    rita = make_user("expert", email="rita@example.org", name="Rita")
    project = make_project("rev", members=[(alice, "expert"), (bob, "expert"), (rita, "reviewer")])
    import_rows(project, rows(2))
    judge(session, project, alice, {"preferred": "r1", "rationale": HOSTILE})
    judge(session, project, bob, {"preferred": "r2"})

    sign_in(page, "rita@example.org", PASSWORD)
    page.goto("/review/p/rev")
    page.click("button:has-text('Review next')")
    page.wait_for_url("**/review/judgments/*")
    # Letters as the expert saw them (the display order is random, headings are upper-cased).
    assert "response a" in page.inner_text("#review").lower()
    page.fill("#comment", "Why A? B answers the question.")
    page.click("button:has-text('Reject and return to the expert')")
    # The next judgment in the queue opens (bob's, on item q-1); wait for it, not the old page.
    page.locator(".task-head", has_text="item q-1").wait_for()
    page.click("details.fix summary")
    page.check("details.fix input[name=preferred][value=tie]")
    screenshot(page, "review-fix")
    page.locator("details.fix button[type=submit]:visible").first.click()
    page.wait_for_url("**/review/p/rev?empty=reviews")
    assert "No judgment is waiting for review" in page.inner_text("main")
    assert page.dialogs == []

    session.expire_all()
    states = dict(session.execute(select(Judgment.expert_id, Judgment.review_state)).all())
    assert states == {alice.id: ReviewState.REJECTED, bob.id: ReviewState.ACCEPTED}
    assert session.scalar(select(Judgment.answers).where(Judgment.expert_id == bob.id)) == {"preferred": "tie"}


def test_adjudicator_breaks_a_tie(page, make_user, make_project, import_rows, session):
    alice, bob = make_user("expert"), make_user("expert")
    ada = make_user("expert", email="ada@example.org")
    project = make_project("adj", overlap=2, members=[(alice, "expert"), (bob, "expert"), (ada, "expert")])
    project.adjudication_threshold = 100
    session.scalar(select(ProjectMember).where(ProjectMember.user_id == ada.id)).adjudicator = True
    session.commit()
    import_rows(project, rows(1))
    judge(session, project, alice, {"preferred": "r1", "rationale": "A is " + HOSTILE})
    judge(session, project, bob, {"preferred": "r2", "rationale": "B is right"})

    sign_in(page, "ada@example.org", PASSWORD)
    page.goto("/review/p/adj")
    page.click("button:has-text('Adjudicate next')")
    page.wait_for_url("**/review/adjudications/*")
    earlier = page.inner_text("section.earlier")
    assert "B is right" in earlier
    assert "<script>" in earlier
    screenshot(page, "adjudicate")
    page.check("input[name=preferred][value=r2]")
    page.locator("form.answer button[type=submit]:visible").first.click()
    page.wait_for_url("**/review/p/adj?empty=adjudications")
    assert page.dialogs == []
    session.expire_all()
    assert session.scalar(select(Judgment.expert_id).where(Judgment.adjudication.is_(True))) == ada.id
