"""Judgments in the data browser: filters, bulk accept/reject behind a confirm page (one
transaction, a count first), and the API lists with the same filters and a ``next`` cursor."""

from __future__ import annotations

import re

import pytest
from helpers import item_row
from sqlalchemy import select

from annotate.models import Judgment, ProjectMember, Review, ReviewState, ReviewVerdict


def judgment_ids(page) -> list[int]:
    return [int(i) for i in re.findall(r'aria-label="Select judgment (\d+)"', page.text)]


@pytest.fixture
def judged(make_user, make_project, import_rows, judge, session):
    """Six items; Ann judged three (two for r1, one tie), Bob two (r2), one is untouched."""
    researcher = make_user("researcher", email="res@example.org")
    ann, bob = make_user("expert", email="ann@example.org"), make_user("expert", email="bob@example.org")
    project = make_project(
        "rev", members=[(researcher, "researcher"), (ann, "expert"), (bob, "expert")], randomize_order=False
    )
    import_rows(project, [item_row(i, f"Question {i} {'skin' if i < 3 else 'law'}", "a", "b") for i in range(6)])
    made = [
        judge(project, ann, {"preferred": "r1"}),
        judge(project, ann, {"preferred": "tie"}),
        judge(project, ann, {"preferred": "r1"}),
        judge(project, bob, {"preferred": "r2"}),
        judge(project, bob, {"preferred": "r2"}),
    ]
    pseudonyms = dict(session.execute(select(ProjectMember.user_id, ProjectMember.pseudonym)).all())
    return project, researcher, ann, bob, made, pseudonyms


def test_judgments_filter_by_expert_verdict_review_state_date_and_item(judged, browser_for, session):
    _project, researcher, ann, _bob, made, names = judged
    web = browser_for(researcher)
    every = judgment_ids(web.get("/p/rev/judgments"))
    assert every == sorted((j.id for j in made), reverse=True)  # newest first
    assert set(judgment_ids(web.get(f"/p/rev/judgments?expert={names[ann.id]}"))) == {j.id for j in made[:3]}
    assert judgment_ids(web.get("/p/rev/judgments?verdict=tie")) == [made[1].id]
    assert set(judgment_ids(web.get("/p/rev/judgments?verdict=preferred"))) == {
        made[0].id,
        made[2].id,
        made[3].id,
        made[4].id,
    }
    assert set(judgment_ids(web.get("/p/rev/judgments?q=skin"))) == {j.id for j in made[:3]}
    session.get(Judgment, made[0].id).review_state = ReviewState.ACCEPTED
    session.commit()
    assert made[0].id not in judgment_ids(web.get("/p/rev/judgments?review=pending"))
    # Accepted judgments are listed, but cannot be ticked for review.
    assert (
        f'value="{made[0].id}" aria-label="Select judgment {made[0].id}" disabled' in web.get("/p/rev/judgments").text
    )
    today = made[0].created_at.date().isoformat()
    assert len(judgment_ids(web.get(f"/p/rev/judgments?since={today}&until={today}"))) == 5
    assert judgment_ids(web.get("/p/rev/judgments?since=2001-01-01&until=2001-01-02")) == []
    bad = web.get("/p/rev/judgments?since=2026-12-31&until=2026-01-01")
    assert bad.status_code == 422
    assert 'id="until-problem">the end date is before the start date' in bad.text


def test_accept_everything_matching_a_filter_after_a_count(judged, browser_for, session):
    _project, researcher, _ann, bob, made, names = judged
    web = browser_for(researcher)
    form = {"expert": names[bob.id], "scope": "matching", "action": "accept"}
    confirm = web.post("/p/rev/judgments/review", form)
    assert confirm.status_code == 200
    assert "Accept 2 judgments?" in confirm.text
    # Nothing changed yet.
    assert session.scalars(select(Review)).all() == []
    done = web.post("/p/rev/judgments/review", {**form, "confirm": "1", "comment": "Clear wins"})
    assert done.status_code == 303
    assert f"expert={names[bob.id]}" in done.headers["Location"]
    assert "Accepted 2 judgments." in web.get(done.headers["Location"]).text
    states = dict(session.execute(select(Judgment.id, Judgment.review_state)).all())
    assert [states[j.id] for j in made] == [ReviewState.PENDING] * 3 + [ReviewState.ACCEPTED] * 2
    reviews = session.scalars(select(Review)).all()
    assert {(r.judgment_id, r.verdict, r.comment, r.reviewer_id) for r in reviews} == {
        (made[3].id, ReviewVerdict.ACCEPT, "Clear wins", researcher.id),
        (made[4].id, ReviewVerdict.ACCEPT, "Clear wins", researcher.id),
    }
    # Again: nothing left to review there.
    assert "Accept 0 judgments?" in web.post("/p/rev/judgments/review", form).text


def test_reject_the_ticked_ones_needs_one_comment_and_returns_them(judged, browser_for, session):
    _project, researcher, ann, _bob, made, _names = judged
    web = browser_for(researcher)
    picked = {"scope": "selected", "action": "reject"}
    data = {**picked, "id": [str(made[0].id), str(made[2].id)]}
    confirm = web.client.post("/p/rev/judgments/review", data={**data, "csrf_token": web.token})
    assert "Reject 2 judgments?" in confirm.text
    assert "goes back to its expert with your comment" in confirm.text
    refused = web.client.post(
        "/p/rev/judgments/review", data={**data, "confirm": "1", "comment": " ", "csrf_token": web.token}
    )
    assert refused.status_code == 422
    assert 'role="alert" id="bulk-error">comment: say what the experts should change' in refused.text
    assert session.scalars(select(Review)).all() == []
    done = web.client.post(
        "/p/rev/judgments/review", data={**data, "confirm": "1", "comment": "Cite a source", "csrf_token": web.token}
    )
    assert done.status_code == 303
    states = dict(session.execute(select(Judgment.id, Judgment.review_state)).all())
    assert states[made[0].id] is ReviewState.REJECTED
    assert states[made[2].id] is ReviewState.REJECTED
    assert states[made[1].id] is ReviewState.PENDING
    # Ann sees them returned, with the comment.
    returned = browser_for(ann).get("/review/returned")
    assert returned.text.count("Cite a source") == 2


def test_bulk_review_refusals_are_in_words(judged, browser_for):
    *_rest, _made, _names = judged
    web = browser_for(judged[1])
    none_ticked = web.post("/p/rev/judgments/review", {"scope": "selected", "action": "accept"})
    assert none_ticked.status_code == 422
    assert 'id="bulk-problem">Tick at least one judgment first' in none_ticked.text
    no_verdict = web.post("/p/rev/judgments/review", {"scope": "matching"})
    assert 'id="bulk-problem">Choose Accept or Reject.' in no_verdict.text


def test_a_reviewer_never_bulk_reviews_their_own_judgments(judged, browser_for, session):
    _project, researcher, _ann, _bob, made, _names = judged
    session.get(Judgment, made[0].id).expert_id = researcher.id  # a researcher who also judged one
    session.commit()
    web = browser_for(researcher)
    assert "Accept 4 judgments?" in web.post("/p/rev/judgments/review", {"scope": "matching", "action": "accept"}).text
    web.post("/p/rev/judgments/review", {"scope": "matching", "action": "accept", "confirm": "1"})
    assert session.get(Judgment, made[0].id).review_state is ReviewState.PENDING


def test_experts_cannot_bulk_review(judged, browser_for):
    _project, _researcher, ann, *_ = judged
    web = browser_for(ann)
    assert (
        web.post("/p/rev/judgments/review", {"scope": "matching", "action": "accept", "confirm": "1"}).status_code
        == 404
    )


# -- the API ---------------------------------------------------------------------------------


def test_api_lists_items_and_judgments_with_filters_and_a_next_cursor(judged, client, make_token):
    _project, researcher, _ann, bob, made, names = judged
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    first = client.get("/api/v1/projects/rev/items?limit=4", headers=headers)
    assert first.status_code == 200
    body = first.get_json()
    assert [i["id"] for i in body["items"]] == ["it-0", "it-1", "it-2", "it-3"]
    assert body["items"][0]["state"] == "complete"
    second = client.get(f"/api/v1/projects/rev/items?limit=4&cursor={body['next']}", headers=headers).get_json()
    assert [i["id"] for i in second["items"]] == ["it-4", "it-5"]
    assert second["next"] is None
    assert client.get(body["next_url"], headers=headers).get_json() == second
    searched = client.get("/api/v1/projects/rev/items?q=skin&state=complete", headers=headers).get_json()
    assert [i["id"] for i in searched["items"]] == ["it-0", "it-1", "it-2"]
    open_items = client.get("/api/v1/projects/rev/items?state=open", headers=headers).get_json()
    assert [i["id"] for i in open_items["items"]] == ["it-5"]

    judgments = client.get(f"/api/v1/projects/rev/judgments?expert={names[bob.id]}&limit=1", headers=headers).get_json()
    assert [j["id"] for j in judgments["judgments"]] == [made[4].id]
    assert judgments["judgments"][0]["expert"] == names[bob.id]
    assert judgments["judgments"][0]["answers"] == {"preferred": "r2"}
    rest = client.get(
        f"/api/v1/projects/rev/judgments?expert={names[bob.id]}&limit=1&cursor={judgments['next']}", headers=headers
    ).get_json()
    assert [j["id"] for j in rest["judgments"]] == [made[3].id]
    assert rest["next"] is None
    batch_state = client.get("/api/v1/projects/rev/judgments?q=law&state=complete", headers=headers).get_json()
    assert {j["id"] for j in batch_state["judgments"]} == {made[3].id, made[4].id}


def test_api_lists_refuse_bad_filters_with_the_parameter(judged, client, make_token):
    researcher = judged[1]
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    bad = client.get("/api/v1/projects/rev/items?state=done&limit=9999", headers=headers)
    assert bad.status_code == 400
    problems = {p["path"]: p["message"] for p in bad.get_json()["problems"]}
    assert problems == {
        "state": "choose one of open, in_progress, complete, disputed, skipped",
        "limit": "a number from 1 to 200",
    }


def test_api_lists_are_for_the_projects_researchers_only(judged, client, make_token):
    _project, _researcher, ann, *_ = judged
    assert client.get("/api/v1/projects/rev/items").status_code == 401
    headers = {"Authorization": f"Bearer {make_token(ann)}"}
    assert client.get("/api/v1/projects/rev/items", headers=headers).status_code == 404
    assert client.get("/api/v1/projects/rev/judgments", headers=headers).status_code == 404
