"""Media sources a viewer's browser would fetch (issue 12, hole 9, the import half): only files
next to the source, this project's own stored names and https URLs of some host are kept;
anything that would make the browser send a same-origin GET is refused, naming row and field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from annotate.models import Item

DIGEST = "ab" * 32


def _item(src: str, n: int = 0) -> dict:
    return {
        "id": f"m{n}",
        "prompt": [{"role": "user", "content": "What is shown?", "media": {"type": "image", "src": src}}],
        "responses": [{"id": "r1", "content": "A"}, {"id": "r2", "content": "B"}],
    }


@pytest.fixture
def api(client, make_user, make_project, make_token):
    researcher = make_user("researcher")
    project = make_project("media-src", members=[(researcher, "researcher")])
    other = make_project("other-src", members=[(researcher, "researcher")])
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}

    def post(items, slug="media-src"):
        return client.post(f"/api/v1/projects/{slug}/items", json={"items": items}, headers=headers)

    return post, project, other


@pytest.mark.parametrize(
    "src",
    [
        "/media/../p/media-src/export?format=raw",
        "/p/media-src/export?format=raw",
        "/media/1/../../logout",
        "//evil.example/x.png",
        "/media/{pid}/" + DIGEST + ".png?download=1",
        "/media/{pid}/" + DIGEST + ".png#x",
        "/media/{pid}/scan.png",
        "http://cdn.example.org/x.png",
        "https://user:pw@cdn.example.org/x.png",
        "https:///x.png",
        "https://cdn.example.org/a b.png",
        "https://cdn.example.org\\@evil/x.png",
        "javascript:alert(1)//x.png",
        "data:image/png;base64,AAAA",
    ],
)
def test_a_source_that_is_not_ours_or_https_is_refused_naming_row_and_field(api, session, src):
    post, project, _other = api
    src = src.replace("{pid}", str(project.id))
    response = post([_item("https://cdn.example.org/fine.png", 0), _item(src, 1)])
    assert response.status_code == 422, response.json
    assert response.json["location"] == "items[1]"
    assert "prompt[0].media.src" in response.json["error"]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 0


def test_another_projects_stored_name_is_refused(api):
    post, _project, other = api
    response = post([_item(f"/media/{other.id}/{DIGEST}.png")])
    assert response.status_code == 422
    assert "another project's media" in response.json["error"]


def test_https_urls_and_the_projects_own_stored_names_are_kept(api, session):
    post, project, _other = api
    own = f"/media/{project.id}/{DIGEST}.png"
    response = post([_item("https://cdn.example.org/x.png?size=2", 0), _item(own, 1)])
    assert response.status_code == 201, response.json
    session.rollback()
    srcs = sorted(i.prompt[0]["media"]["src"] for i in session.scalars(select(Item)))
    assert srcs == sorted([own, "https://cdn.example.org/x.png?size=2"])
