"""The assignment engine's API routes and CLI commands: skip, priority, skipped items, adjudication settings."""

from __future__ import annotations

from helpers import pair_rows
from sqlalchemy import select

from annotate.models import Batch, Item, Project, ProjectMember


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_skip_through_the_api_needs_a_reason_and_reaches_the_researcher(client, team, make_user, make_token, session):
    project, (alice, bob) = team(n=1, k=2)
    researcher = make_user("researcher")
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    alice_h, bob_h, res_h = bearer(make_token(alice)), bearer(make_token(bob)), bearer(make_token(researcher))
    lease = client.post(f"/api/v1/projects/{project.slug}/assignments", headers=alice_h).get_json()["assignment"]
    missing = client.post(f"/api/v1/assignments/{lease['id']}/skip", json={"reason": " "}, headers=alice_h)
    assert missing.status_code == 422
    assert missing.get_json()["problems"][0]["path"] == "reason"
    # Nobody skips somebody else's task.
    assert (
        client.post(f"/api/v1/assignments/{lease['id']}/skip", json={"reason": "x"}, headers=bob_h).status_code == 404
    )
    skipped = client.post(f"/api/v1/assignments/{lease['id']}/skip", json={"reason": "needs a lawyer"}, headers=alice_h)
    assert skipped.status_code == 200
    assert skipped.get_json()["assignment"]["status"] == "skipped"
    assert client.post(f"/api/v1/projects/{project.slug}/assignments", headers=alice_h).status_code == 204
    report = client.get(f"/api/v1/projects/{project.slug}/skipped", headers=res_h)
    assert report.status_code == 200
    (row,) = report.get_json()["skipped"]
    assert row["reasons"] == ["needs a lawyer"]
    assert row["remaining"] == 1
    assert not row["stuck"]
    # Experts do not see the researcher's report.
    assert client.get(f"/api/v1/projects/{project.slug}/skipped", headers=alice_h).status_code == 404


def test_priority_through_the_api(client, team, make_user, make_token, import_rows, session):
    project, (alice, _bob) = team(n=2, k=2)
    researcher = make_user("researcher")
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    import_rows(project, pair_rows(2, prefix="late"), name="late.jsonl")
    batch_id = session.scalar(select(Batch.id).where(Batch.project_id == project.id).order_by(Batch.id.desc()))
    res_h = bearer(make_token(researcher))
    bad = client.post(
        f"/api/v1/projects/{project.slug}/priority", json={"batch_id": "x", "priority": 1.5}, headers=res_h
    )
    assert bad.status_code == 422
    assert {p["path"] for p in bad.get_json()["problems"]} == {"batch_id", "priority"}
    huge = client.post(
        f"/api/v1/projects/{project.slug}/priority", json={"batch_id": batch_id, "priority": 10**7}, headers=res_h
    )
    assert huge.status_code == 422
    assert huge.get_json()["problems"] == [{"path": "priority", "message": "must be between -1000000 and 1000000"}]
    assert (
        client.post(f"/api/v1/projects/{project.slug}/priority", json={"batch_id": 999999}, headers=res_h).status_code
        == 404
    )
    alice_h = bearer(make_token(alice))
    assert (
        client.post(
            f"/api/v1/projects/{project.slug}/priority", json={"batch_id": batch_id}, headers=alice_h
        ).status_code
        == 404
    )
    done = client.post(
        f"/api/v1/projects/{project.slug}/priority", json={"batch_id": batch_id, "priority": 5}, headers=res_h
    )
    assert done.status_code == 200
    assert done.get_json()["items"] == 2
    claimed = client.post(f"/api/v1/projects/{project.slug}/assignments", headers=alice_h).get_json()
    assert claimed["item"]["id"].startswith("late-")


def test_eligibility_says_why_nothing_is_offered(client, team, make_token):
    project, (alice, _bob) = team(n=2, k=2, required_expertise=["law"])
    headers = bearer(make_token(alice))
    assert client.post(f"/api/v1/projects/{project.slug}/assignments", headers=headers).status_code == 204
    assert "law" in client.get(f"/api/v1/projects/{project.slug}/eligibility", headers=headers).get_json()["refusal"]


def test_cli_prioritize_and_skipped(runner, team, import_rows, session):
    project, (_alice, _bob) = team(n=1, k=2)
    import_rows(project, pair_rows(3, prefix="hot"), name="hot.jsonl")
    batch_id = session.scalar(select(Batch.id).where(Batch.project_id == project.id).order_by(Batch.id.desc()))
    result = runner.invoke(args=["projects", "prioritize", project.slug, "--batch", str(batch_id), "--priority", "7"])
    assert result.exit_code == 0, result.output
    assert f"batch {batch_id} of {project.slug}: 3 items now have priority 7" in result.output
    session.expire_all()
    assert sorted(session.scalars(select(Item.priority).where(Item.project_id == project.id))) == [0, 7, 7, 7]
    missing = runner.invoke(args=["projects", "prioritize", project.slug, "--batch", "424242"])
    assert missing.exit_code != 0
    assert "no batch 424242" in missing.output
    result = runner.invoke(args=["projects", "skipped", project.slug])
    assert result.exit_code == 0
    assert "has been skipped" in result.output


def test_cli_adjudication_settings(runner, team, session):
    project, (alice, _bob) = team(n=1, k=2)
    assert runner.invoke(args=["projects", "adjudication", project.slug]).exit_code != 0
    result = runner.invoke(args=["projects", "adjudication", project.slug, "--threshold", "100"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["projects", "adjudicator", project.slug, alice.email])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.scalar(select(Project.adjudication_threshold).where(Project.id == project.id)) == 100
    assert session.scalar(select(ProjectMember.adjudicator).where(ProjectMember.user_id == alice.id)) is True
    assert runner.invoke(args=["projects", "adjudicator", project.slug, "nobody@example.org"]).exit_code != 0


def test_fresh_claims_through_the_api_respect_the_cap(client, team, make_token):
    project, (alice, _bob) = team(n=5, k=2, max_active_leases=2)
    headers = bearer(make_token(alice))
    url = f"/api/v1/projects/{project.slug}/assignments"
    first = client.post(url, headers=headers).get_json()["assignment"]["id"]
    assert client.post(url, headers=headers).get_json()["assignment"]["id"] == first  # a retry resumes
    second = client.post(url + "?fresh=1", headers=headers)
    assert second.status_code == 201
    assert second.get_json()["assignment"]["id"] != first
    assert client.post(url + "?fresh=1", headers=headers).status_code == 204
    assert "limit" in client.get(f"/api/v1/projects/{project.slug}/eligibility", headers=headers).get_json()["refusal"]
