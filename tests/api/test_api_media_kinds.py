"""Rating and captioning through the API: the item's media as the task page shows it, answers
checked by the same path as the page (422 with the JSON path), good ones recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from annotate.models import Judgment

CLIP = {"type": "video", "src": "https://cdn.example.org/clip.mp4", "duration": 8}


@pytest.fixture
def expert_on(make_user, make_project, make_token, import_rows):
    def make(template: str, media: dict | None = None) -> dict:
        expert = make_user("expert")
        project = make_project(template, template=template, members=[(expert, "expert")])
        response = {"id": "r1", "content": "", "model": "secret-model"}
        if media:
            response["media"] = media
        import_rows(project, [{"id": "x", "prompt": "Look.", "responses": [response]}])
        return {"slug": project.slug, "headers": {"Authorization": f"Bearer {make_token(expert)}"}}

    return make


def claim(client, who) -> dict:
    response = client.post(f"/api/v1/projects/{who['slug']}/assignments", headers=who["headers"])
    assert response.status_code == 201
    return response.get_json()


def submit(client, who, assignment_id: int, answers):
    url = f"/api/v1/assignments/{assignment_id}/judgment"
    return client.post(url, json={"answers": answers}, headers=who["headers"])


def test_captions_by_api(client, expert_on, session):
    who = expert_on("video-caption", CLIP)
    body = claim(client, who)
    assert body["item"]["responses"][0]["media"] == CLIP
    assert "model" not in body["item"]["responses"][0]
    aid = body["assignment"]["id"]
    late = {"segments": [{"start": 1, "end": 9.5, "text": "Too late.", "label": "Speech"}]}
    refused = submit(client, who, aid, late)
    assert refused.status_code == 422
    assert refused.get_json()["problems"][0]["path"] == "answers.segments[0].end"
    overlapping = {
        "segments": [
            {"start": 1, "end": 3, "text": "One.", "label": "Speech"},
            {"start": 2, "end": 4, "text": "Two.", "label": "Sound"},
        ]
    }
    assert submit(client, who, aid, overlapping).get_json()["problems"][0]["path"] == "answers.segments[1].start"
    assert session.scalar(select(func.count()).select_from(Judgment)) == 0
    good = {"segments": [{"start": 1, "end": 3, "text": "One.", "label": "Speech"}]}
    assert submit(client, who, aid, good).status_code in (200, 201)


def test_rating_by_api(client, expert_on):
    who = expert_on("thumbs")
    aid = claim(client, who)["assignment"]["id"]
    refused = submit(client, who, aid, {"rating": 5})
    assert refused.status_code == 422
    assert refused.get_json()["problems"][0]["path"] == "answers.rating"
    assert submit(client, who, aid, {"rating": "down", "rationale": "Wrong."}).status_code in (200, 201)


def test_researchers_see_captions_and_ratings_in_the_browser_and_review(client, expert_on, session, make_user, web):
    from annotate.models import Project, ProjectRole, Role
    from annotate.projects.services import add_member

    shown = {}
    for template, media, answers in (
        (
            "video-caption",
            CLIP,
            {"segments": [{"start": 1, "end": 3, "text": "Hello & <b>bye</b>", "label": "Speech"}]},
        ),
        ("likert-helpfulness", None, {"rating": 6, "criteria": {"accuracy": 5, "safety": 5}}),
    ):
        who = expert_on(template, media)
        body = claim(client, who)
        assert submit(client, who, body["assignment"]["id"], answers).status_code in (200, 201)
        shown[template] = who["slug"]
    researcher = make_user(Role.RESEARCHER)
    for slug in shown.values():
        add_member(
            session, session.scalar(select(Project).where(Project.slug == slug)), researcher, ProjectRole.RESEARCHER
        )
    session.commit()
    web.login(researcher.email)
    judgment_ids = {j.project_id: j.id for j in session.scalars(select(Judgment))}
    for template, slug in shown.items():
        project = session.scalar(select(Project).where(Project.slug == slug))
        item_page = web.get(
            f"/p/{slug}/items/{session.scalar(select(Judgment.item_id).where(Judgment.project_id == project.id))}"
        )
        assert item_page.status_code == 200, template
        review = web.get(f"/review/judgments/{judgment_ids[project.id]}")
        assert review.status_code == 200, template
        if template == "video-caption":
            for page in (item_page, review):
                assert "Hello &amp; &lt;b&gt;bye&lt;/b&gt;</textarea>" in page.text  # escaped, never markup
                assert "<b>bye</b>" not in page.text
        else:
            assert 'value="6" checked' in review.text
