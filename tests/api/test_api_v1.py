"""API v1: bearer tokens, claim -> submit -> export -> stats, idempotency, validation paths, scoping."""

from __future__ import annotations

import orjson
import pytest
from helpers import pair_rows
from sqlalchemy import func, select

from annotate.models import ExportRecord, Judgment


@pytest.fixture
def setup(make_user, make_project, make_token, import_rows):
    expert = make_user("expert")
    researcher = make_user("researcher")
    project = make_project("api-proj", overlap=1, members=[(expert, "expert"), (researcher, "researcher")])
    import_rows(project, pair_rows(3))
    return {
        "project": project,
        "expert": {"Authorization": f"Bearer {make_token(expert)}"},
        "researcher": {"Authorization": f"Bearer {make_token(researcher)}"},
    }


def claim(client, headers, slug="api-proj"):
    return client.post(f"/api/v1/projects/{slug}/assignments", headers=headers)


def test_claim_returns_the_item_in_display_order_with_schema(client, setup):
    response = claim(client, setup["expert"])
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {"assignment", "item", "template", "answer_schema"}
    assert set(body["assignment"]) >= {"id", "expires_at"}
    assert body["item"]["id"] == "item-0"  # import order
    assert [r["id"] for r in body["item"]["responses"]] == body["assignment"]["display_order"]
    assert sorted(body["assignment"]["display_order"]) == ["r1", "r2"]
    assert body["template"]["kind"] == "pairwise"
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(body["answer_schema"])
    assert validator.is_valid({"preferred": "r1"})
    assert validator.is_valid({"preferred": "tie"})
    assert not validator.is_valid({"preferred": "r9"})
    assert not validator.is_valid({})


def test_claim_again_returns_the_same_lease(client, setup):
    first = claim(client, setup["expert"]).get_json()
    second = claim(client, setup["expert"]).get_json()
    assert first["assignment"]["id"] == second["assignment"]["id"]


def test_submit_is_idempotent_and_204_when_done(client, setup, session):
    for _ in range(3):
        assignment = claim(client, setup["expert"]).get_json()["assignment"]
        url = f"/api/v1/assignments/{assignment['id']}/judgment"
        payload = {"answers": {"preferred": "r2", "rationale": "clearer"}}
        first = client.post(url, json=payload, headers=setup["expert"])
        again = client.post(url, json=payload, headers=setup["expert"])
        assert first.status_code == 201
        assert again.status_code == 200
        assert first.get_json()["judgment"]["id"] == again.get_json()["judgment"]["id"]
    assert claim(client, setup["expert"]).status_code == 204
    assert session.scalar(select(func.count()).select_from(Judgment)) == 3


def test_editing_a_submitted_judgment_keeps_history(client, setup, session):
    assignment = claim(client, setup["expert"]).get_json()["assignment"]
    url = f"/api/v1/assignments/{assignment['id']}/judgment"
    client.post(url, json={"answers": {"preferred": "r1"}}, headers=setup["expert"])
    edited = client.post(url, json={"answers": {"preferred": "tie"}}, headers=setup["expert"])
    assert edited.status_code == 200
    judgment = session.scalar(select(Judgment))
    assert judgment.answers == {"preferred": "tie"}
    assert [r.answers for r in judgment.revisions] == [{"preferred": "r1"}]


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"answers": {"preferred": "r9"}}, "answers.preferred"),
        ({"answers": {}}, "answers"),
        ({"answers": {"preferred": "r1", "color": "blue"}}, "answers"),
        ({"answers": {"preferred": "r1", "rationale": 5}}, "answers.rationale"),
        ({"answers": "r1"}, "answers"),
        ({}, "answers"),
    ],
)
def test_invalid_answers_are_422_with_the_json_path(client, setup, session, payload, path):
    assignment = claim(client, setup["expert"]).get_json()["assignment"]
    response = client.post(f"/api/v1/assignments/{assignment['id']}/judgment", json=payload, headers=setup["expert"])
    assert response.status_code == 422
    problems = response.get_json()["problems"]
    assert problems
    assert problems[0]["path"] == path
    assert session.scalar(select(func.count()).select_from(Judgment)) == 0


def test_tokens_are_required_and_checked(client, setup):
    assert claim(client, {}).status_code == 401
    assert claim(client, {"Authorization": "Bearer ann_nope"}).status_code == 401
    assert claim(client, {"Authorization": "Basic abc"}).status_code == 401
    assert claim(client, {}).headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_is_not_enough_for_the_api(web, setup, make_user):
    # The API reads bearer tokens only, so a signed-in browser cannot be tricked into API writes (CSRF).
    user = make_user("expert", email="cookie@example.org")
    web.login(user.email)
    assert web.client.post("/api/v1/projects/api-proj/assignments").status_code == 401


def test_scoping_other_projects_and_other_experts(client, setup, make_user, make_project, make_token):
    outsider = make_user("expert")
    make_project("other", members=[(outsider, "expert")])
    outsider_headers = {"Authorization": f"Bearer {make_token(outsider)}"}
    assert claim(client, outsider_headers).status_code == 404
    assert client.get("/api/v1/projects/api-proj/stats", headers=outsider_headers).status_code == 404
    assert client.get("/api/v1/projects/api-proj/export", headers=outsider_headers).status_code == 404
    assignment = claim(client, setup["expert"]).get_json()["assignment"]
    stolen = client.post(
        f"/api/v1/assignments/{assignment['id']}/judgment",
        json={"answers": {"preferred": "r1"}},
        headers=outsider_headers,
    )
    assert stolen.status_code == 404
    # Experts cannot export or read stats; researchers can.
    assert client.get("/api/v1/projects/api-proj/export", headers=setup["expert"]).status_code == 404
    assert client.get("/api/v1/projects/api-proj/stats", headers=setup["researcher"]).status_code == 200
    assert claim(client, outsider_headers, slug="no-such-project").status_code == 404


def test_export_streams_trl_and_records_provenance(client, setup, session):
    chosen_text = {}
    for _ in range(3):
        body = claim(client, setup["expert"]).get_json()
        shown_first = body["item"]["responses"][0]  # whatever the display order, pick what was shown first
        chosen_text[body["item"]["id"]] = shown_first["content"]
        client.post(
            f"/api/v1/assignments/{body['assignment']['id']}/judgment",
            json={"answers": {"preferred": shown_first["id"]}},
            headers=setup["expert"],
        )
    response = client.get("/api/v1/projects/api-proj/export?format=trl", headers=setup["researcher"])
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.is_streamed
    rows = [orjson.loads(line) for line in response.data.splitlines()]
    assert {r["id"]: r["chosen"][0]["content"] for r in rows} == chosen_text
    record = session.scalar(select(ExportRecord))
    assert (record.format, record.channel, record.row_count) == ("trl", "api", 3)
    assert len(record.sha256) == 64


def test_stats_match_the_cli(client, setup, runner):
    body = claim(client, setup["expert"]).get_json()
    client.post(
        f"/api/v1/assignments/{body['assignment']['id']}/judgment",
        json={"answers": {"preferred": "tie"}},
        headers=setup["expert"],
    )
    api = client.get("/api/v1/projects/api-proj/stats", headers=setup["researcher"]).get_json()
    cli = orjson.loads(runner.invoke(args=["stats", "api-proj", "--json"]).output)
    assert api == cli
    assert (api["items"], api["judgments"], api["complete_items"]) == (3, 1, 1)


def test_unknown_export_format_is_a_clear_400(client, setup):
    response = client.get("/api/v1/projects/api-proj/export?format=csv", headers=setup["researcher"])
    assert response.status_code == 400
    assert "unknown export format 'csv'" in response.get_json()["error"]


def test_bad_json_body_is_400(client, setup):
    assignment = claim(client, setup["expert"]).get_json()["assignment"]
    response = client.post(
        f"/api/v1/assignments/{assignment['id']}/judgment",
        data="not json",
        headers={**setup["expert"], "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "the request body must be a JSON object"
