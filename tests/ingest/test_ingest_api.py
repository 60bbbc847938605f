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


# -- Prefer: respond-async: the import as a job of the task queue ---------------------------
# (Here the queue runs each job in the request that queues it, after the commit; tests/jobs
# runs the same route against a real worker process.)

ASYNC = {"Prefer": "respond-async"}


def test_async_json_rows_answer_202_and_the_import_is_followed_to_complete(
    client, session, make_user, make_project, make_token
):
    researcher = make_user("researcher")
    make_project("api-async", members=[(researcher, "researcher")])
    headers = {"Authorization": f"Bearer {make_token(researcher)}", **ASYNC}
    response = client.post("/api/v1/projects/api-async/items", json={"items": pair_rows(5)}, headers=headers)
    assert response.status_code == 202, response.json
    state = response.json["import"]
    assert response.headers["Location"] == state["url"] == f"/api/v1/projects/api-async/imports/{state['id']}"
    assert state["source"] == "request-body.jsonl"
    followed = client.get(state["url"], headers=headers)
    assert followed.status_code == 200
    assert followed.json["import"]["status"] == "complete"
    assert (followed.json["import"]["new"], followed.json["import"]["rows"]) == (5, 5)
    assert count(session) == 5
    listed = client.get("/api/v1/projects/api-async/imports", headers=headers)
    assert [i["id"] for i in listed.json["imports"]] == [state["id"]]
    # A second import, whose row is bad: the list shows each with its own job's outcome.
    rows = pair_rows(1, prefix="late")
    rows[0]["prompt"] = None
    second = client.post("/api/v1/projects/api-async/items", json=rows, headers=headers).json["import"]
    listed = client.get("/api/v1/projects/api-async/imports", headers=headers).json["imports"]
    assert [(i["id"], i["status"], i["attempts"]) for i in listed] == [
        (second["id"], "failed", 1),
        (state["id"], "complete", 1),
    ]


def test_async_file_with_a_bad_row_fails_with_the_line_and_path_and_keeps_nothing(
    client, session, make_user, make_project, make_token
):
    researcher = make_user("researcher")
    make_project("api-async-bad", members=[(researcher, "researcher")])
    headers = {"Authorization": f"Bearer {make_token(researcher)}", **ASYNC}
    rows = pair_rows(3)
    rows[1]["responses"][0]["content"] = 7
    body = b"".join(orjson.dumps(r) + b"\n" for r in rows)
    response = client.post(
        "/api/v1/projects/api-async-bad/items", data={"file": (io.BytesIO(body), "rows.jsonl")}, headers=headers
    )
    assert response.status_code == 202, response.json
    state = client.get(response.headers["Location"], headers=headers).json["import"]
    assert state["status"] == "failed"
    assert "rows.jsonl" in state["error"]
    assert "line 2" in state["error"]
    assert "responses[0].content" in state["error"]
    assert count(session) == 0


def test_async_skip_invalid_reports_the_skipped_rows(client, session, make_user, make_project, make_token):
    researcher = make_user("researcher")
    make_project("api-async-skip", members=[(researcher, "researcher")])
    headers = {"Authorization": f"Bearer {make_token(researcher)}", **ASYNC}
    rows = pair_rows(3)
    rows[2]["prompt"] = None
    response = client.post(
        "/api/v1/projects/api-async-skip/items",
        json={"items": rows, "options": {"skip_invalid": True}},
        headers=headers,
    )
    state = client.get(response.headers["Location"], headers=headers).json["import"]
    assert (state["status"], state["new"], state["skipped"]) == ("complete", 2, 1)
    assert state["problems"][0]["location"].endswith("line 3")


def test_import_states_are_for_the_projects_researchers_only(client, session, make_user, make_project, make_token):
    researcher, expert, other = make_user("researcher"), make_user("expert"), make_user("researcher")
    make_project("api-async-own", members=[(researcher, "researcher"), (expert, "expert")])
    make_project("api-async-other", members=[(other, "researcher")])
    mine = {"Authorization": f"Bearer {make_token(researcher)}", **ASYNC}
    url = client.post("/api/v1/projects/api-async-own/items", json=pair_rows(1), headers=mine).headers["Location"]
    for user in (expert, other):
        headers = {"Authorization": f"Bearer {make_token(user)}"}
        assert client.get(url, headers=headers).status_code == 404
        assert client.get("/api/v1/projects/api-async-own/imports", headers=headers).status_code == 404
    # Another project's import id under this project's slug is not found either.
    theirs = {"Authorization": f"Bearer {make_token(other)}", **ASYNC}
    other_url = client.post("/api/v1/projects/api-async-other/items", json=pair_rows(1), headers=theirs).headers[
        "Location"
    ]
    batch_id = other_url.rsplit("/", 1)[1]
    assert client.get(f"/api/v1/projects/api-async-own/imports/{batch_id}", headers=mine).status_code == 404
    assert client.get(url).status_code == 401
    bad_limit = client.get("/api/v1/projects/api-async-own/imports?limit=0", headers=mine)
    assert (bad_limit.status_code, bad_limit.json["field"]) == (400, "limit")
