"""The researcher's template pages: list, view, upload (file or pasted JSON), with
validation errors that name the JSON path, versioning, authorization and CSRF."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from helpers import PASSWORD
from sqlalchemy import func, select

from annotate.models import Project, TaskTemplate
from annotate.projects.services import create_project

TEMPLATE = {
    "kind": "rubric",
    "version": 1,
    "title": "Derm rubric",
    "config": {
        "criteria": [
            {
                "id": "accuracy",
                "label": "Accuracy",
                "scale": {"min": 1, "max": 3, "anchors": {"1": "Wrong", "3": "Right"}},
            }
        ]
    },
}


@pytest.fixture
def researcher(make_user, web):
    user = make_user("researcher")
    web.login(user.email, PASSWORD)
    return user


def upload(web, name, document=None, *, text=None, file=None):
    data = {
        "name": name,
        "json": text if text is not None else (json.dumps(document) if document is not None and file is None else ""),
    }
    if file is not None:
        data["file"] = (io.BytesIO(file), "../../etc/evil.json")
    return web.post("/templates/upload", data=data, content_type="multipart/form-data")


def count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(TaskTemplate))


def test_pasted_template_is_stored_listed_and_shown(web, researcher, session):
    response = upload(web, "derm-rubric", TEMPLATE)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/templates/derm-rubric?version=1")
    row = session.scalars(select(TaskTemplate)).one()
    assert (row.name, row.version, row.kind, row.uploaded_by_id) == ("derm-rubric", 1, "rubric", researcher.id)
    listing = web.get("/templates").text
    assert "derm-rubric" in listing
    assert "uploaded" in listing
    assert "helpsteer" in listing
    page = web.get("/templates/derm-rubric")
    assert page.status_code == 200
    assert "Derm rubric" in page.text
    assert "Go to the next score" in page.text


def test_uploaded_file_name_is_never_used(web, researcher, session, app):
    response = upload(web, "from-file", file=json.dumps(TEMPLATE).encode())
    assert response.status_code == 303
    assert session.scalars(select(TaskTemplate.name)).all() == ["from-file"]
    assert not (Path(app.config["TEMPLATES_DIR"]) / "from-file.json").exists()


@pytest.mark.parametrize(
    ("name", "document", "text", "where"),
    [
        ("bad-json", None, '{"kind": "rubric",\n  "version": }', "line 2"),
        ("no-kind", {k: v for k, v in TEMPLATE.items() if k != "kind"}, None, "&#39;kind&#39; is required"),
        (
            "bad-scale",
            {**TEMPLATE, "config": {"criteria": [{"id": "a", "label": "A", "scale": {"min": 5, "max": 1}}]}},
            None,
            "<code>config.criteria[0].scale.max</code>: must be greater than min (5)",
        ),
        ("bad-kind", {**TEMPLATE, "kind": "essay"}, None, "<code>kind</code>"),
        (
            "bad-key",
            {**TEMPLATE, "config": {**TEMPLATE["config"], "keys": {"next_cell": "k"}}},
            None,
            "<code>config.keys.next_cell</code>: &#39;k&#39; is also the key for previous_cell",
        ),
        ("Bad Name", TEMPLATE, None, "<code>name</code>"),
        ("../../etc", TEMPLATE, None, "<code>name</code>"),
        ("helpsteer", TEMPLATE, None, "shipped template file"),
        ("empty", None, "", "<code>json</code>"),
    ],
)
def test_bad_uploads_are_refused_with_the_path(web, researcher, session, name, document, text, where):
    response = upload(web, name, document, text=text)
    assert response.status_code == 422
    assert where in response.text, response.text[response.text.find("not saved") :][:800]
    assert count(session) == 0
    # What the researcher typed is kept for correction.
    if text:
        assert "version" in response.text


def test_new_versions_must_increase(web, researcher, session):
    assert upload(web, "derm", TEMPLATE).status_code == 303
    again = upload(web, "derm", TEMPLATE)
    assert again.status_code == 422
    assert "must be greater than 1" in again.text
    assert upload(web, "derm", {**TEMPLATE, "version": 2, "title": "Derm rubric v2"}).status_code == 303
    assert count(session) == 2
    assert "Derm rubric v2" in web.get("/templates/derm").text
    assert "Derm rubric</bdi></h1>" in web.get("/templates/derm?version=1").text
    assert "2 versions" in web.get("/templates").text


def test_project_from_an_uploaded_template_snapshots_it(web, researcher, session, app):
    assert upload(web, "derm", TEMPLATE).status_code == 303
    session.rollback()  # see the upload's commit
    # As in a view or a CLI command: create_project finds uploads through the app context.
    with app.app_context():
        project = create_project(
            session, "derm-project", template_name="derm", templates_dir=Path(app.config["TEMPLATES_DIR"])
        )
        session.commit()
    # A later version does not change the project's snapshot.
    upload(web, "derm", {**TEMPLATE, "version": 2, "title": "Changed"})
    session.expire_all()
    project = session.get(Project, project.id)
    assert project.template["title"] == "Derm rubric"
    assert project.template_version == 1


def test_experts_cannot_see_or_upload_templates(make_user, web, session):
    expert = make_user("expert")
    web.login(expert.email, PASSWORD)
    assert web.get("/templates").status_code == 403
    assert upload(web, "x", TEMPLATE).status_code == 403
    assert count(session) == 0


def test_signed_out_users_are_sent_to_login(client):
    response = client.get("/templates")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_upload_needs_the_csrf_token(web, researcher, session):
    response = web.client.post("/templates/upload", data={"name": "x", "json": json.dumps(TEMPLATE)})
    assert response.status_code == 400
    assert count(session) == 0


def test_unknown_template_is_404(web, researcher):
    assert web.get("/templates/nope").status_code == 404
