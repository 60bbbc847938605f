"""Gold items in the queue and the qualification test, through the real claim and submit paths,
the task pages and the API: gating, feedback with the expected answer, retakes, tags, settings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from helpers import item_row

from annotate.assign.services import NotQualified, claim_next, submit_judgment
from annotate.db import utcnow
from annotate.models import Item, Project, Qualification, QualificationStatus, Role


def _rows(gold: int, plain: int) -> list[dict]:
    rows = [
        item_row(
            i,
            f"Gold question {i}?",
            "Right answer.",
            "Wrong answer.",
            gold={"preferred": "r1", "explanation": f"Because {i}."},
        )
        for i in range(gold)
    ]
    return rows + [item_row(100 + i, f"Real question {i}?", "One.", "Two.") for i in range(plain)]


@pytest.fixture
def world(session, make_user, make_project, import_rows):
    expert = make_user(Role.EXPERT, email="ex@example.org")
    researcher = make_user(Role.RESEARCHER, email="lead@example.org")
    project = make_project("screened", overlap=1, members=[(expert, "expert"), (researcher, "researcher")])
    import_rows(project, _rows(gold=4, plain=3))
    return project, expert, researcher


def _configure(session, project: Project, **values) -> Project:
    project = session.get(Project, project.id)
    for name, value in values.items():
        setattr(project, name, value)
    session.commit()
    return project


def _answer(session, project, expert, preferred_gold: str, preferred_other: str = "r1"):
    """Claim and answer one task: gold items with ``preferred_gold``; returns the item."""
    assignment = claim_next(session, project, expert)
    assert assignment is not None
    item = session.get(Item, assignment.item_id)
    answer = preferred_gold if item.gold else preferred_other
    submit_judgment(session, assignment, project, {"preferred": answer})
    session.commit()
    return item


def test_gold_rate_mixes_gold_items_past_their_overlap(session, world, make_user):
    project, expert, _ = world
    project = _configure(session, project, gold_rate=1.0)
    other = make_user(Role.EXPERT)
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    add_member(session, project, other, ProjectRole.EXPERT)
    session.commit()
    first = [_answer(session, project, expert, "r1") for _ in range(4)]
    assert all(item.gold for item in first)  # every claim a gold item while any is left
    second = [_answer(session, project, other, "r2") for _ in range(4)]
    assert {i.id for i in second} == {i.id for i in first}  # overlap 1, yet both had every gold item
    assert not _answer(session, project, expert, "r1").gold  # gold exhausted: the regular queue
    assert session.get(Item, first[0].id).assigned_count == 2


def test_without_a_gold_rate_gold_items_are_ordinary(session, world):
    project, expert, _ = world
    items = [_answer(session, project, expert, "r1") for _ in range(7)]
    assert [i.external_id for i in items] == [f"it-{i}" for i in (0, 1, 2, 3, 100, 101, 102)]


def test_a_failed_qualification_refuses_claims_with_the_reason(session, world, web, client, make_token):
    project, expert, _ = world
    project = _configure(session, project, qualification_size=2, qualification_threshold=1.0)
    first = _answer(session, project, expert, "r1")
    second = _answer(session, project, expert, "r2")
    assert first.gold
    assert second.gold
    attempt = session.query(Qualification).one()
    assert (attempt.status, attempt.correct, attempt.answered) == (QualificationStatus.FAILED, 1, 2)
    with pytest.raises(NotQualified, match=r"did not pass .* \(1 of 2 right; 100% needed\)"):
        claim_next(session, project, expert)
    session.rollback()
    # The web: the claim goes to the qualification page, which says why and shows the expected answers.
    web.login(expert.email)
    response = web.post(f"/p/{project.slug}/next")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/p/{project.slug}/qualification")
    page = web.get(f"/p/{project.slug}/qualification").text
    alert = re.search(r'<p class="field-error" role="alert"[^>]*>([^<]*)</p>', page)
    assert alert
    assert "did not pass this project" in alert.group(1)
    assert "Expected" in page
    assert "Because" in page
    assert "Not right" in page
    assert "Response A" in page or "Response B" in page  # the letters the expert saw, not ids
    assert "Take the test" not in page
    # The API: 403 with the same words, and eligibility says it too.
    headers = {"Authorization": f"Bearer {make_token(expert)}"}
    refused = client.post(f"/api/v1/projects/{project.slug}/assignments", headers=headers)
    assert refused.status_code == 403
    assert "did not pass this project's qualification test" in refused.get_json()["error"]
    assert refused.get_json()["qualification_url"].endswith(f"/p/{project.slug}/qualification")
    eligibility = client.get(f"/api/v1/projects/{project.slug}/eligibility", headers=headers).get_json()
    assert "did not pass" in eligibility["refusal"]


def test_passing_opens_the_real_queue(session, world, web):
    project, expert, _ = world
    project = _configure(session, project, qualification_size=2, qualification_threshold=0.5)
    web.login(expert.email)
    task = web.post(f"/p/{project.slug}/next", follow_redirects=True).text
    assert "Qualification test: question 1 of 2." in task
    assert _answer(session, project, expert, "r1").gold
    assert _answer(session, project, expert, "r2").gold
    assert session.query(Qualification).one().status is QualificationStatus.PASSED
    taken = [_answer(session, project, expert, "r1") for _ in range(5)]  # the rest of the queue, gold or not
    assert sum(not i.gold for i in taken) == 3
    assert len(session.query(Qualification).one().item_ids) == 2  # no more test questions


def test_retake_after_the_wait_on_unseen_questions(session, world):
    project, expert, _ = world
    project = _configure(
        session, project, qualification_size=2, qualification_threshold=1.0, qualification_retake_hours=24
    )
    seen = {_answer(session, project, expert, "r2").id for _ in range(2)}
    with pytest.raises(NotQualified, match="You can take it again from"):
        claim_next(session, project, expert)
    session.rollback()
    attempt = session.query(Qualification).one()
    attempt.finished_at = utcnow() - timedelta(hours=25)
    session.commit()
    retaken = {_answer(session, project, expert, "r1").id for _ in range(2)}
    assert not retaken & seen
    attempts = session.query(Qualification).order_by(Qualification.attempt).all()
    assert [(a.attempt, a.status) for a in attempts] == [
        (1, QualificationStatus.FAILED),
        (2, QualificationStatus.PASSED),
    ]


def test_a_test_passed_under_a_tag_counts_in_another_project(session, world, make_project, import_rows):
    project, expert, _ = world
    project = _configure(session, project, qualification_size=1, qualification_threshold=1.0, qualification_tag="derm")
    assert _answer(session, project, expert, "r1").gold
    other = make_project("screened-too", overlap=1, members=[(expert, "expert")])
    import_rows(other, _rows(gold=2, plain=1))
    other = _configure(session, other, qualification_size=1, qualification_tag="derm")
    _answer(session, other, expert, "r1")  # a task, and no test: qualified already
    assert session.query(Qualification).filter_by(project_id=other.id).count() == 0
    third = make_project("screened-three", overlap=1, members=[(expert, "expert")])
    import_rows(third, _rows(gold=2, plain=1))
    third = _configure(session, third, qualification_size=1, qualification_tag="law")
    _answer(session, third, expert, "r1")  # another tag: this one's test
    assert session.query(Qualification).filter_by(project_id=third.id).count() == 1


def test_researchers_see_who_passed_failed_or_is_pending(session, world, web, make_user):
    project, expert, researcher = world
    project = _configure(session, project, qualification_size=1, qualification_threshold=1.0)
    _answer(session, project, expert, "r2")
    web.login(researcher.email)
    page = web.get(f"/p/{project.slug}/quality").text
    standings = page[page.index("Who is qualified") :]
    assert "ex@example.org" in standings
    assert "failed" in standings
    assert "0 of 1" in standings


def test_settings_form_shows_each_problem_next_to_its_field(session, world, web):
    project, _expert, researcher = world
    web.login(researcher.email)
    bad = web.post(
        f"/p/{project.slug}/quality/settings",
        {"gold_rate": "150%", "qualification_size": "zero", "qualification_threshold": "0.8"},
    )
    assert bad.status_code == 422
    assert 'id="q-gold_rate-problem"' in bad.text
    assert 'role="alert"' in bad.text
    assert "Qualification questions: a whole number from 1 to 1000" in bad.text
    assert session.get(Project, project.id).gold_rate is None  # nothing half-saved
    good = web.post(
        f"/p/{project.slug}/quality/settings",
        {
            "gold_rate": "10%",
            "qualification_size": "3",
            "qualification_threshold": "75%",
            "qualification_retake_hours": "",
        },
    )
    assert good.status_code == 303
    saved = session.get(Project, project.id)
    assert (saved.gold_rate, saved.qualification_size, saved.qualification_threshold) == (0.1, 3, 0.75)
    assert saved.qualification_retake_hours is None
