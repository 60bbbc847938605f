"""API v1 for review and adjudication: bearer tokens, JSON errors with paths, scoping."""

from __future__ import annotations

from sqlalchemy import select

from annotate.assign.services import claim_next, submit_judgment
from annotate.db import begin_write
from annotate.models import Judgment, ReviewState


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def judge(session, project, expert, answers):
    begin_write(session)
    judgment, _ = submit_judgment(session, claim_next(session, project, expert), project, answers)
    session.commit()
    return judgment


def test_review_round_trip_through_the_api(client, reviewed, make_token, session):
    project, (alice, _bob), rita, _ada = reviewed()
    judgment = judge(session, project, alice, {"preferred": "r1"})
    rita_h, alice_h = bearer(make_token(rita)), bearer(make_token(alice))

    queue = client.get(f"/api/v1/projects/{project.slug}/reviews", headers=rita_h)
    assert [row["judgment_id"] for row in queue.get_json()["pending"]] == [judgment.id]
    held = client.post(f"/api/v1/projects/{project.slug}/reviews/next", headers=rita_h)
    assert held.status_code == 201
    body = held.get_json()
    assert body["judgment"]["answers"] == {"preferred": "r1"}
    assert body["item"]["id"] == "rev-0"

    url = f"/api/v1/judgments/{judgment.id}/review"
    bad = client.post(url, json={"verdict": "maybe"}, headers=rita_h)
    assert bad.status_code == 422
    assert bad.get_json()["problems"][0]["path"] == "verdict"
    no_comment = client.post(url, json={"verdict": "reject"}, headers=rita_h)
    assert no_comment.status_code == 409
    assert "comment" in no_comment.get_json()["error"]
    bad_fix = client.post(url, json={"verdict": "fix", "answers": {"preferred": "r7"}}, headers=rita_h)
    assert bad_fix.status_code == 422
    assert bad_fix.get_json()["problems"][0]["path"].startswith("answers")
    rejected = client.post(
        url,
        json={"verdict": "reject", "comment": "why A?", "seen_updated_at": body["judgment"]["updated_at"]},
        headers=rita_h,
    )
    assert rejected.status_code == 201
    assert rejected.get_json()["judgment"]["review_state"] == "rejected"

    returned = client.get("/api/v1/me/returned", headers=alice_h).get_json()["returned"]
    assert [(r["judgment_id"], r["review"]["comment"]) for r in returned] == [(judgment.id, "why A?")]
    revised = client.post(returned[0]["judgment_url"], json={"answers": {"preferred": "r2"}}, headers=alice_h)
    assert revised.status_code == 200
    fixed = client.post(url, json={"verdict": "fix", "answers": {"preferred": "tie"}}, headers=rita_h)
    assert fixed.status_code == 201
    session.expire_all()
    final = session.get(Judgment, judgment.id)
    assert final.answers == {"preferred": "tie"}
    assert final.review_state is ReviewState.ACCEPTED
    assert [r.reason for r in final.revisions] == ["revision", "review-fix"]
    assert client.post(f"/api/v1/projects/{project.slug}/reviews/next", headers=rita_h).status_code == 204


def test_review_api_is_scoped(client, reviewed, make_user, make_project, make_token, session):
    project, (alice, bob), _rita, _ada = reviewed()
    judgment = judge(session, project, alice, {"preferred": "r1"})
    stranger = make_user("expert")
    make_project("other", members=[(stranger, "reviewer")])
    for user in (bob, stranger):
        headers = bearer(make_token(user))
        assert client.get(f"/api/v1/projects/{project.slug}/reviews", headers=headers).status_code == 404
        assert client.post(f"/api/v1/projects/{project.slug}/reviews/next", headers=headers).status_code == 404
        assert (
            client.post(
                f"/api/v1/judgments/{judgment.id}/review", json={"verdict": "accept"}, headers=headers
            ).status_code
            == 404
        )
        assert client.post(f"/api/v1/projects/{project.slug}/adjudications/next", headers=headers).status_code == 404
    assert client.get(f"/api/v1/projects/{project.slug}/reviews").status_code == 401
    session.expire_all()
    assert session.get(Judgment, judgment.id).review_state is ReviewState.PENDING


def test_adjudication_through_the_api(client, reviewed, make_token, session):
    project, (alice, bob), _rita, ada = reviewed(n=1, overlap=2, adjudication_threshold=100)
    judge(session, project, alice, {"preferred": "r1"})
    judge(session, project, bob, {"preferred": "r2"})
    ada_h = bearer(make_token(ada))
    claimed = client.post(f"/api/v1/projects/{project.slug}/adjudications/next", headers=ada_h)
    assert claimed.status_code == 201
    body = claimed.get_json()
    assert sorted(j["answers"]["preferred"] for j in body["earlier_judgments"]) == ["r1", "r2"]
    submitted = client.post(body["judgment_url"], json={"answers": {"preferred": "r2"}}, headers=ada_h)
    assert submitted.status_code == 201
    assert client.post(f"/api/v1/projects/{project.slug}/adjudications/next", headers=ada_h).status_code == 204
    session.expire_all()
    assert session.scalar(select(Judgment.expert_id).where(Judgment.adjudication.is_(True))) == ada.id
