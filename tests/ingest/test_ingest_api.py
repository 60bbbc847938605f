"""POST /api/v1/projects/<slug>/items: JSON rows or an uploaded file; researchers only."""

from __future__ import annotations

import gzip
import io

import orjson
from helpers import pair_rows
from sqlalchemy import func, select

from annotate.models import Item


def count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Item))


def test_json_rows_import_and_reimport_counts_duplicates(client, session, make_user, make_project, make_token):
    researcher = make_user("researcher")
    make_project("api-in", members=[(researcher, "researcher")])
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    response = client.post("/api/v1/projects/api-in/items", json={"items": pair_rows(3)}, headers=headers)
    assert response.status_code == 201, response.json
    assert (response.json["batch"]["new"], response.json["batch"]["shape"]) == (3, "canonical")
    again = client.post("/api/v1/projects/api-in/items", json=pair_rows(3), headers=headers)
    assert (again.json["batch"]["new"], again.json["batch"]["duplicate"]) == (0, 3)
    assert count(session) == 3


def test_a_bad_row_is_422_with_location_and_path_and_nothing_kept(client, session, make_user, make_project, make_token):
    researcher = make_user("researcher")
    make_project("api-bad", members=[(researcher, "researcher")])
    rows = pair_rows(3)
    rows[2]["responses"][1]["content"] = None
    response = client.post(
        "/api/v1/projects/api-bad/items", json=rows, headers={"Authorization": f"Bearer {make_token(researcher)}"}
    )
    assert response.status_code == 422
    assert response.json["location"] == "items[2]"
    assert response.json["problems"] == [{"path": "responses[1].content", "message": "expected a string, got null"}]
    assert count(session) == 0


def test_file_upload_gzip_and_unknown_type(client, session, make_user, make_project, make_token):
    researcher = make_user("researcher")
    make_project("api-file", members=[(researcher, "researcher")])
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    body = gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(4)))
    response = client.post(
        "/api/v1/projects/api-file/items", data={"file": (io.BytesIO(body), "../../etc/x.jsonl.gz")}, headers=headers
    )
    assert response.status_code == 201, response.json
    assert response.json["batch"]["new"] == 4
    assert response.json["batch"]["source"] == "x.jsonl.gz"
    bad = client.post("/api/v1/projects/api-file/items", data={"file": (io.BytesIO(b"x"), "evil.pkl")}, headers=headers)
    assert bad.status_code == 415
    assert "unsupported file type" in bad.json["error"]


def test_only_researchers_of_the_project(client, session, make_user, make_project, make_token):
    expert, outsider = make_user("expert"), make_user("researcher")
    make_project("api-guard", members=[(expert, "expert")])
    for user in (expert, outsider):
        response = client.post(
            "/api/v1/projects/api-guard/items",
            json=pair_rows(1),
            headers={"Authorization": f"Bearer {make_token(user)}"},
        )
        assert response.status_code == 404
    assert client.post("/api/v1/projects/api-guard/items", json=pair_rows(1)).status_code == 401
    assert count(session) == 0


def test_options_skip_invalid_and_formats_limited_to_files(client, session, make_user, make_project, make_token):
    researcher = make_user("researcher")
    make_project("api-opt", members=[(researcher, "researcher")])
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    rows = pair_rows(3)
    rows[1]["prompt"] = None
    response = client.post(
        "/api/v1/projects/api-opt/items", json={"items": rows, "options": {"skip_invalid": True}}, headers=headers
    )
    assert response.status_code == 201
    assert response.json["batch"]["skipped"] == 1
    assert response.json["skipped"] == [
        {"location": "items[1]", "error": "prompt: expected a string or a list of messages, got null"}
    ]
    body = b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(1))
    hub = client.post(
        "/api/v1/projects/api-opt/items",
        data={"file": (io.BytesIO(body), "x.jsonl"), "format": "hf-hub"},
        headers=headers,
    )
    assert hub.status_code == 422
    assert "unknown format 'hf-hub'" in hub.json["error"]
    assert count(session) == 2
