"""Review and adjudication through the pages: real HTTP through the Flask test client, CSRF, scoping."""

from __future__ import annotations

import re

import pytest
from helpers import Browserless
from sqlalchemy import select

from annotate.assign.services import claim_next, skip_assignment, submit_judgment
from annotate.db import begin_write
from annotate.models import Assignment, Judgment, ReviewState


def signed_in(app, user) -> Browserless:
    web = Browserless(app.test_client())
    web.login(user.email)
    return web


def judge(session, project, expert, answers):
    begin_write(session)
    lease = claim_next(session, project, expert)
    judgment, _ = submit_judgment(session, lease, project, answers)
    session.commit()
    return judgment


def test_review_round_trip_through_the_pages(app, reviewed, session, make_token):
    project, (alice, _bob), rita, _ada = reviewed()
    judgment = judge(session, project, alice, {"preferred": "r1", "rationale": "<b>A</b> is shorter"})
    reviewer = signed_in(app, rita)

    page = reviewer.get(f"/review/p/{project.slug}")
    assert page.status_code == 200
    assert "Waiting for review" in page.text
    assert "rev-0" in page.text
    claimed = reviewer.post(f"/review/p/{project.slug}/next")
    assert claimed.status_code == 303
    assert claimed.headers["Location"].endswith(f"/review/judgments/{judgment.id}")
    shown = reviewer.get(f"/review/judgments/{judgment.id}")
    assert "Response A" in shown.text
    assert "&lt;b&gt;A&lt;/b&gt; is shorter" in shown.text  # expert text is escaped
    seen = re.search(r'name="seen" value="([^"]+)"', shown.text).group(1)

    refused = reviewer.post(f"/review/judgments/{judgment.id}", {"verdict": "reject", "comment": "", "seen": seen})
    assert refused.status_code == 409
    assert "Say what the expert should change before returning it." in refused.text
    sent_back = reviewer.post(
        f"/review/judgments/{judgment.id}",
        {"verdict": "reject", "comment": "Check the <i>facts</i> in B.", "seen": seen},
    )
    assert sent_back.status_code == 303
    assert session.get(Judgment, judgment.id).review_state is ReviewState.REJECTED

    expert = signed_in(app, alice)
    returned = expert.get("/review/returned")
    assert "Check the &lt;i&gt;facts&lt;/i&gt; in B." in returned.text
    assert f"/tasks/{judgment.assignment_id}" in returned.text
    # The expert revises (here through the API, which calls the same service as the task page)
    # and the judgment is pending review again.
    revised = app.test_client().post(
        f"/api/v1/assignments/{judgment.assignment_id}/judgment",
        json={"answers": {"preferred": "r2", "rationale": "B checks out"}},
        headers={"Authorization": f"Bearer {make_token(alice)}"},
    )
    assert revised.status_code == 200, revised.text
    session.expire_all()
    assert session.get(Judgment, judgment.id).review_state is ReviewState.PENDING
    assert "Nothing has been returned" in expert.get("/review/returned").text
    assert f"/review/judgments/{judgment.id}" in reviewer.get(f"/review/p/{project.slug}").text


def test_a_rejected_judgment_can_be_revised_on_the_task_page(app, reviewed, session):
    project, (alice, _bob), rita, _ada = reviewed()
    judgment = judge(session, project, alice, {"preferred": "r1"})
    reviewer = signed_in(app, rita)
    assert (
        reviewer.post(f"/review/judgments/{judgment.id}", {"verdict": "reject", "comment": "look again"}).status_code
        == 303
    )
    expert = signed_in(app, alice)
    revised = expert.post(f"/tasks/{judgment.assignment_id}/judgment", {"preferred": "r2"})
    assert revised.status_code in (200, 303), revised.status_code
    session.expire_all()
    assert session.get(Judgment, judgment.id).review_state is ReviewState.PENDING


def test_fix_and_accept_through_the_page(app, reviewed, session):
    project, (alice, _bob), rita, _ada = reviewed()
    judgment = judge(session, project, alice, {"preferred": "r1"})
    reviewer = signed_in(app, rita)
    response = reviewer.post(f"/review/judgments/{judgment.id}", {"verdict": "fix", "preferred": "nonsense"})
    assert response.status_code == 422
    assert "Choose A, B or Tie." in response.text
    response = reviewer.post(
        f"/review/judgments/{judgment.id}", {"verdict": "fix", "preferred": "tie", "comment": "equal"}
    )
    assert response.status_code == 303
    session.expire_all()
    fixed = session.get(Judgment, judgment.id)
    assert fixed.answers == {"preferred": "tie"}
    assert fixed.review_state is ReviewState.ACCEPTED
    assert [r.answers for r in fixed.revisions] == [{"preferred": "r1"}]
    history = reviewer.get(f"/review/judgments/{judgment.id}").text
    assert "review-fix by <bdi>Rita Reviewer</bdi>" in history
    assert "fix by <bdi>Rita Reviewer</bdi>" in history


def test_verdicts_need_the_csrf_token(app, reviewed, session):
    project, (alice, _bob), rita, _ada = reviewed()
    judgment = judge(session, project, alice, {"preferred": "r1"})
    reviewer = signed_in(app, rita)
    response = reviewer.client.post(f"/review/judgments/{judgment.id}", data={"verdict": "accept"})
    assert response.status_code == 400
    session.expire_all()
    assert session.get(Judgment, judgment.id).review_state is ReviewState.PENDING


def test_adjudication_through_the_pages(app, reviewed, session):
    project, (alice, bob), _rita, ada = reviewed(n=1, overlap=2, adjudication_threshold=100)
    judge(session, project, alice, {"preferred": "r1", "rationale": "A is right"})
    judge(session, project, bob, {"preferred": "r2", "rationale": "B is right"})
    adjudicator = signed_in(app, ada)
    queue = adjudicator.get(f"/review/p/{project.slug}")
    assert "Adjudicate next" in queue.text
    assert "Review next" not in queue.text
    claimed = adjudicator.post(f"/review/p/{project.slug}/adjudicate")
    assert claimed.status_code == 303
    page = adjudicator.get(claimed.headers["Location"])
    assert "The experts disagreed" in page.text
    assert "A is right" in page.text
    assert "B is right" in page.text
    assert alice.email not in page.text
    assert bob.email not in page.text
    done = adjudicator.post(claimed.headers["Location"], {"preferred": "r1"})
    assert done.status_code == 303
    assert "empty=adjudications" in done.headers["Location"]
    session.expire_all()
    tie_breaker = session.scalar(select(Judgment).where(Judgment.adjudication.is_(True)))
    assert tie_breaker.expert_id == ada.id
    assert tie_breaker.answers == {"preferred": "r1"}


def test_skipped_items_page_for_researchers(app, reviewed, make_user, session):
    project, (alice, bob), rita, ada = reviewed(n=1)
    for expert, reason in ((alice, "<script>alert(1)</script>"), (bob, "not my field"), (ada, "unsure")):
        begin_write(session)
        skip_assignment(session, claim_next(session, project, expert), reason)
        session.commit()
    researcher = make_user("researcher")
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    page = signed_in(app, researcher).get(f"/review/p/{project.slug}/skipped")
    assert page.status_code == 200
    assert "<strong>stuck</strong>" in page.text
    assert "not my field" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text
    # Reviewers are not researchers: the page does not exist for them.
    assert signed_in(app, rita).get(f"/review/p/{project.slug}/skipped").status_code == 404


@pytest.mark.parametrize("who", ["expert", "outsider", "other_reviewer"])
def test_review_pages_are_scoped(app, reviewed, make_user, make_project, session, who):
    project, (alice, bob), _rita, _ada = reviewed(n=1, overlap=2, adjudication_threshold=100)
    judgment = judge(session, project, alice, {"preferred": "r1"})
    judge(session, project, bob, {"preferred": "r2"})
    if who == "expert":
        user = bob
    elif who == "outsider":
        user = make_user("researcher")
    else:
        user = make_user("expert")
        make_project("elsewhere", members=[(user, "reviewer")])
    web = signed_in(app, user)
    assert web.get(f"/review/p/{project.slug}").status_code == 404
    assert web.post(f"/review/p/{project.slug}/next").status_code == 404
    assert web.post(f"/review/p/{project.slug}/adjudicate").status_code == 404
    assert web.get(f"/review/judgments/{judgment.id}").status_code == 404
    assert web.post(f"/review/judgments/{judgment.id}", {"verdict": "accept"}).status_code == 404
    assert web.get(f"/review/p/{project.slug}/skipped").status_code == 404
    session.expire_all()
    assert session.get(Judgment, judgment.id).review_state is ReviewState.PENDING


def test_nobody_opens_another_adjudicators_lease(app, reviewed, session):
    project, (alice, bob), rita, ada = reviewed(n=1, overlap=2, adjudication_threshold=100)
    judge(session, project, alice, {"preferred": "r1"})
    judge(session, project, bob, {"preferred": "r2"})
    claimed = signed_in(app, ada).post(f"/review/p/{project.slug}/adjudicate")
    url = claimed.headers["Location"]
    other = signed_in(app, rita)
    assert other.get(url).status_code == 404
    assert other.post(url, {"preferred": "r1"}).status_code == 404
    assert session.scalar(select(Assignment).where(Assignment.expert_id == rita.id)) is None
