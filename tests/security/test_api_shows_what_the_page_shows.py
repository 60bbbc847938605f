"""Experts see through the API exactly what their pages show (issue 12, hole 10): no model
names or other keys of a response or prompt turn the task page hides, no metadata, and not
who reviewed their judgment. Every API endpoint is either called here as an expert (or a
reviewer, a project role experts hold) or listed as researcher-only, so a new endpoint must
be classified before the suite passes."""

from __future__ import annotations

import orjson
import pytest
from helpers import Browserless

SECRETS = ("model-secret-a", "model-secret-b", "label-secret", "source-secret", "meta-secret", "gold-secret")
REVIEWER_EMAIL = "quiet-reviewer-secret@example.org"

EXPERT_ENDPOINTS = {
    "api.claim",
    "api.judgment",
    "api.skip",
    "api.eligibility",
    "api.returned",
    "api.review_queue",
    "api.review_next",
    "api.review",
    "api.adjudication_next",
    "api.heartbeats",
}
RESEARCHER_ONLY = {
    "api.export": "the researcher's dataset, model names included",
    "api.project_stats": "project counts for researchers",
    "api.import_items": "researchers import",
    "api.imports": "researchers follow their imports (sources, row counts, errors quoting rows)",
    "api.import_status": "researchers follow their imports (sources, row counts, errors quoting rows)",
    "api.priority": "researchers set batch priority",
    "api.skipped": "researchers read skip reasons",
    "api.browse_items": "the data browser's items, model names included",
    "api.browse_judgments": "the data browser's judgments of every expert",
    "api.timesheets_json": "everyone's hours and pay",
    "api.quality": "every expert's scores and agreement, the models' leaderboard",
    "api.webhooks": "the project's webhook endpoints",
    "api.add_webhook": "researchers register webhooks (the answer holds the signing secret)",
    "api.update_webhook": "researchers pause webhooks",
    "api.remove_webhook": "researchers remove webhooks",
    "api.webhook_deliveries": "the webhook delivery log",
    "api.resend_delivery": "researchers send deliveries again",
}
# Endpoints with no data at all, for anyone.
PUBLIC = {"api.openapi": "the API's OpenAPI document: routes and schemas, no data"}


def _row(n: int) -> dict:
    return {
        "id": f"item-{n}",
        "prompt": [{"role": "user", "content": f"Shown prompt {n}", "source": "source-secret"}],
        "responses": [
            {"id": "r1", "content": f"Shown answer one {n}", "model": "model-secret-a", "label": "label-secret"},
            {"id": "r2", "content": f"Shown answer two {n}", "model": "model-secret-b"},
        ],
        "metadata": {"note": "meta-secret"},
        "gold": {"preferred": "r1", "why": "gold-secret"},
    }


@pytest.fixture
def setup(session, make_user, make_project, make_token, import_rows):
    expert = make_user("expert")
    reviewer = make_user("expert", email=REVIEWER_EMAIL)  # no name: pages would show the email
    researcher = make_user("researcher")
    project = make_project(
        "shown", overlap=1, members=[(expert, "expert"), (reviewer, "reviewer"), (researcher, "researcher")]
    )
    import_rows(project, [_row(n) for n in range(3)])
    return {
        "expert": expert,
        "reviewer": reviewer,
        "e": {"Authorization": f"Bearer {make_token(expert)}"},
        "r": {"Authorization": f"Bearer {make_token(reviewer)}"},
    }


def _clean(name: str, response) -> dict:
    text = response.get_data(as_text=True)
    for secret in (*SECRETS, REVIEWER_EMAIL):
        assert secret not in text, f"{name} shows {secret!r}"
    return orjson.loads(text) if text else {}


def test_every_api_endpoint_is_classified(app):
    api = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert api == EXPERT_ENDPOINTS | set(RESEARCHER_ONLY) | set(PUBLIC), "classify the new endpoint in this file"
    assert all(RESEARCHER_ONLY.values())
    assert all(PUBLIC.values())


def test_the_api_shows_an_expert_what_the_task_page_shows(app, client, setup):
    e, r = setup["e"], setup["r"]
    called = set()

    claimed = _clean("claim", client.post("/api/v1/projects/shown/assignments", headers=e))
    called.add("api.claim")
    assert {t["content"] for t in claimed["item"]["prompt"]} == {"Shown prompt 0"}
    assert [set(resp) for resp in claimed["item"]["responses"]] == [{"id", "content"}] * 2
    assert {t.keys() >= {"role", "content"} for t in claimed["item"]["prompt"]} == {True}
    assignment_id = claimed["assignment"]["id"]

    # The task page shows the same and hides the same.
    web = Browserless(app.test_client())
    web.login(setup["expert"].email)
    page = web.get(f"/tasks/{assignment_id}").get_data(as_text=True)
    for shown in ("Shown prompt 0", "Shown answer one 0", "Shown answer two 0"):
        assert shown in page
    for secret in SECRETS:
        assert secret not in page

    _clean("eligibility", client.get("/api/v1/projects/shown/eligibility", headers=e))
    called.add("api.eligibility")
    beat = {"activity": "task", "target": assignment_id}
    assert set(_clean("heartbeats", client.post("/api/v1/heartbeats", json=beat, headers=e))) == {
        "counted",
        "opened",
        "seconds",
    }
    called.add("api.heartbeats")
    submitted = _clean(
        "judgment",
        client.post(f"/api/v1/assignments/{assignment_id}/judgment", json={"answers": {"preferred": "r1"}}, headers=e),
    )
    called.add("api.judgment")
    assert submitted["judgment"]["answers"] == {"preferred": "r1"}

    second = _clean("claim", client.post("/api/v1/projects/shown/assignments", headers=e))
    _clean(
        "skip", client.post(f"/api/v1/assignments/{second['assignment']['id']}/skip", json={"reason": "x"}, headers=e)
    )
    called.add("api.skip")

    # The reviewer (an expert with the project's reviewer role) sees what the review page shows.
    _clean("review_queue", client.get("/api/v1/projects/shown/reviews", headers=r))
    called.add("api.review_queue")
    claimed_review = client.post("/api/v1/projects/shown/reviews/next", headers=r)
    body = claimed_review.get_json()
    for secret in SECRETS:
        assert secret not in claimed_review.get_data(as_text=True), f"review_next shows {secret!r}"
    called.add("api.review_next")
    assert [set(resp) for resp in body["item"]["responses"]] == [{"id", "content"}] * 2
    rejected = client.post(
        f"/api/v1/judgments/{body['judgment']['id']}/review",
        json={"verdict": "reject", "comment": "Please say why."},
        headers=r,
    )
    assert rejected.status_code == 201
    called.add("api.review")

    # The expert whose judgment came back learns the verdict and comment, not who wrote them.
    returned = _clean("returned", client.get("/api/v1/me/returned", headers=e))
    called.add("api.returned")
    assert [row["review"]["comment"] for row in returned["returned"]] == ["Please say why."]
    assert "reviewer" not in returned["returned"][0]["review"]
    page = web.get("/review/returned").get_data(as_text=True)
    assert "Please say why." in page
    assert REVIEWER_EMAIL not in page

    adjudication = client.post("/api/v1/projects/shown/adjudications/next", headers=r)
    assert adjudication.status_code in (201, 204)
    _clean("adjudication_next", adjudication)
    called.add("api.adjudication_next")
    assert called == EXPERT_ENDPOINTS
