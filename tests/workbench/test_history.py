"""The expert's own judgments: listed newest first, editable for a while, every edit kept."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from annotate.db import utcnow
from annotate.models import Judgment, JudgmentRevision, Review, ReviewState, ReviewVerdict

HX = {"HX-Request": "true"}


def judge(web, assignment_id, choice="r1"):
    response = web.post(
        f"/tasks/{assignment_id}/judgment", {"preferred": choice, "rationale": "first thoughts"}, headers=HX
    )
    assert response.status_code == 200, response.text
    return (
        int(re.search(r'data-assignment="(\d+)"', response.text).group(1))
        if 'data-assignment="' in response.text
        else None
    )


def test_history_lists_own_judgments_newest_first(signed_in, claimed, make_user, app):
    second = judge(signed_in, claimed, "r1")
    judge(signed_in, second, "tie")
    html = signed_in.get("/p/wb/history").text
    assert html.index("<code>item-1</code>") < html.index("<code>item-0</code>")
    assert "<strong>Preferred:</strong> tie" in html
    # The response is named by the letter the expert saw it under, never by its id.
    assert re.search(r"<strong>Preferred:</strong> Response [AB]<", html)
    assert "Preferred:</strong> r1" not in html
    assert f'href="/tasks/{claimed}"' in html
    fragment = signed_in.get("/p/wb/history", headers=HX)
    assert "<html" not in fragment.text
    assert 'id="history"' in fragment.text


def test_history_shows_only_the_experts_own_work(signed_in, claimed, make_user, app, project, session):
    from helpers import Browserless

    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    judge(signed_in, claimed)
    colleague = make_user("expert")
    add_member(session, project, colleague, ProjectRole.EXPERT)
    session.commit()
    other = Browserless(app.test_client())
    other.login(colleague.email)
    html = other.get("/p/wb/history").text
    assert "You have not judged anything in this project yet." in html


def test_history_of_a_project_one_is_not_in_is_a_404(claimed, make_user, app):
    from helpers import Browserless

    outsider = make_user("expert")
    other = Browserless(app.test_client())
    other.login(outsider.email)
    assert other.get("/p/wb/history").status_code == 404


def test_editing_keeps_the_previous_answer_as_a_revision(signed_in, claimed, session):
    judge(signed_in, claimed, "r1")
    page = signed_in.get(f"/tasks/{claimed}").text
    assert "You can change your answer; the previous one is kept." in page
    assert "first thoughts</textarea>" in page  # the form shows the submitted answer
    response = signed_in.post(
        f"/tasks/{claimed}/judgment", {"preferred": "r2", "rationale": "on reflection"}, headers=HX
    )
    assert response.status_code == 200
    assert f'data-assignment="{claimed}"' in response.text  # stays on the edited task
    assert "Your changes are saved" in response.text
    judgment = session.scalar(select(Judgment).where(Judgment.assignment_id == claimed))
    assert judgment.answers == {"preferred": "r2", "rationale": "on reflection"}
    revisions = session.scalars(select(JudgmentRevision).where(JudgmentRevision.judgment_id == judgment.id)).all()
    assert [r.answers for r in revisions] == [{"preferred": "r1", "rationale": "first thoughts"}]
    html = signed_in.get("/p/wb/history").text
    assert re.search(r"<td data-label=\"Edits\">1</td>", html)  # one edit


def test_old_or_reviewed_judgments_cannot_be_edited(signed_in, claimed, session):
    judge(signed_in, claimed, "r1")
    judgment = session.scalar(select(Judgment).where(Judgment.assignment_id == claimed))
    # As annotate.review.services records an acceptance: the review and the judgment's state.
    session.add(Review(judgment_id=judgment.id, verdict=ReviewVerdict.ACCEPT))
    judgment.review_state = ReviewState.ACCEPTED
    session.commit()
    page = signed_in.get(f"/tasks/{claimed}").text
    assert "A reviewer has accepted this judgment" in page
    assert '<fieldset disabled class="plain">' in page
    response = signed_in.post(f"/tasks/{claimed}/judgment", {"preferred": "r2"}, headers=HX)
    assert response.status_code == 409
    session.execute(Review.__table__.delete())
    session.execute(
        update(Judgment)
        .where(Judgment.id == judgment.id)
        .values(created_at=utcnow() - timedelta(days=8), review_state=ReviewState.PENDING)
    )
    session.commit()
    response = signed_in.post(f"/tasks/{claimed}/judgment", {"preferred": "r2"}, headers=HX)
    assert response.status_code == 409
    assert "for 7 days" in response.text
    session.expire_all()
    assert session.get(Judgment, judgment.id).answers["preferred"] == "r1"
