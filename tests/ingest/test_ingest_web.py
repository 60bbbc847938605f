"""The researcher's import flow over real HTTP: upload -> preview -> confirm -> background
import with polled progress -> summary; limits, access and failures."""

from __future__ import annotations

import io
import re
import time

import orjson
from helpers import pair_rows
from sqlalchemy import func, select

from annotate.models import Batch, Item


def jsonl(rows) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def upload(web, slug, files):
    data = {"file": [(io.BytesIO(body), name) for name, body in files], "csrf_token": web.token}
    return web.client.post(f"/p/{slug}/import", data=data, content_type="multipart/form-data")


def wait_done(web, url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = web.get(url, headers={"HX-Request": "true"})
        assert page.status_code == 200
        if "every 1s" not in page.text:
            return page
        time.sleep(0.2)
    raise AssertionError("the import did not finish")


def researcher_web(web, make_user, make_project, slug):
    researcher = make_user("researcher")
    project = make_project(slug, members=[(researcher, "researcher")])
    web.login(researcher.email)
    return project


def test_upload_preview_confirm_and_progress(web, session, make_user, make_project):
    researcher_web(web, make_user, make_project, "web-in")
    rows = [{"prompt": f"q{i}?", "chosen": f"good {i}", "rejected": f"bad {i}", "source": "unit"} for i in range(7)]
    response = upload(web, "web-in", [("../../secret/prefs.jsonl", jsonl(rows))])
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    page = web.get(preview_url)
    assert page.status_code == 200
    assert "trl" in page.text
    assert ">7<" in page.text
    assert "good 0" in page.text
    assert "q0?" in page.text
    assert "prefs.jsonl" in page.text
    assert "hx-disable" in page.text
    # Confirm: the import runs outside the request; the page polls until it is done.
    started = web.post(preview_url, {})
    assert started.status_code == 303
    done = wait_done(web, started.headers["Location"])
    assert "Complete" in done.text
    assert "New items" in done.text
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 7
    batch = session.scalar(select(Batch))
    assert (batch.source, batch.rows_new, batch.status.value) == ("prefs.jsonl", 7, "complete")


def test_mapping_in_the_form_and_rows_known_to_fail_are_refused_before_importing(web, session, make_user, make_project):
    researcher_web(web, make_user, make_project, "web-map")
    rows = [{"question": f"q{i}", "a": f"x{i}", "b": f"y{i}", "uid": f"u{i}"} for i in range(3)]
    rows.append({"question": "q3", "a": "x3", "b": None, "uid": "u3"})
    preview_url = upload(web, "web-map", [("odd.jsonl", jsonl(rows))]).headers["Location"]
    page = web.get(preview_url)
    assert "not recognised" in page.text
    mapped = web.get(preview_url, query_string={"map_prompt": "question", "map_responses": "a,b", "map_id": "uid"})
    assert "mapping" in mapped.text
    assert "x0" in mapped.text
    assert "1 of 4 rows would fail" in mapped.text
    assert "line 4: b: expected a string, got null" in mapped.text
    assert re.search(r'id="import-button"[^>]* disabled', mapped.text)
    # A form sent anyway (no script, an old page) is refused with the same words; nothing starts.
    refused = web.post(preview_url, {"map_prompt": "question", "map_responses": "a,b", "map_id": "uid"})
    assert refused.status_code == 422
    assert "1 row would fail, so nothing would be imported" in refused.text
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Batch)) == 0
    # Skipping them: the other three are imported, the fourth listed.
    started = web.post(
        preview_url, {"map_prompt": "question", "map_responses": "a,b", "map_id": "uid", "skip_invalid": "on"}
    )
    done = wait_done(web, started.headers["Location"])
    assert "Complete" in done.text
    assert "line 4" in done.text
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 3


def test_a_blank_cell_in_a_required_column_is_an_error_not_an_empty_response(web, session, make_user, make_project):
    researcher_web(web, make_user, make_project, "web-blank")
    body = b"question,a,b\nq0,x0,y0\nq1,x1,\nq2,x2,   \n"
    preview_url = upload(web, "web-blank", [("blank.csv", body)]).headers["Location"]
    mapped = web.get(preview_url, query_string={"map_prompt": "question", "map_responses": "a,b"})
    assert "2 of 3 rows would fail" in mapped.text
    assert "line 3: responses[1].content: is blank: every response needs text (or media)" in mapped.text


def test_messages_speak_the_pages_language(web, session, make_user, make_project):
    researcher_web(web, make_user, make_project, "web-words")
    rows = [{"question": f"q{i}", "a": f"x{i}", "b": f"y{i}"} for i in range(2)]
    page = web.get(upload(web, "web-words", [("odd.jsonl", jsonl(rows))]).headers["Location"])
    assert "the shape of the rows was not recognised" in page.text
    # No command-line flag (--map, --skip-invalid) in the words the page shows: its text, not its
    # tags, whose attributes hold random tokens (the upload's, the CSRF token) that may contain "--".
    words = re.sub(r"<[^>]*>", " ", re.sub(r"<!--.*?-->", "", page.text.split("<main")[1], flags=re.S))
    assert "--" not in words, re.findall(r".{0,30}--.{0,30}", words)


def test_refusals_size_type_and_access(web, app, session, make_user, make_project):
    researcher_web(web, make_user, make_project, "web-guard")
    app.config["IMPORT_MAX_BYTES"] = 1000
    too_big = upload(web, "web-guard", [("big.jsonl", jsonl(pair_rows(40)))])
    assert too_big.status_code == 413
    assert "larger than the upload limit of 1,000 bytes" in too_big.text
    app.config["IMPORT_MAX_BYTES"] = 10_000_000
    pickle = upload(web, "web-guard", [("model.pkl", b"\x80\x04")])
    assert pickle.status_code == 400
    assert "unsupported file type" in pickle.text
    # Another researcher cannot see the project, its uploads or its imports.
    token_url = upload(web, "web-guard", [("ok.jsonl", jsonl(pair_rows(2)))]).headers["Location"]
    other = make_user("researcher")
    web.client.post("/logout", data={"csrf_token": web.token})
    web.login(other.email)
    assert web.get(token_url).status_code == 404
    assert web.get("/p/web-guard/import").status_code == 404
    # CSRF: a form post without the token is refused.
    assert web.client.post("/p/web-guard/import", data={}).status_code == 400


def test_an_interrupted_import_is_shown_as_such(web, session, make_user, make_project):
    from annotate.db import utcnow
    from annotate.models import BatchStatus

    project = researcher_web(web, make_user, make_project, "web-dead")
    batch = Batch(
        project_id=project.id,
        source="x.jsonl",
        format="jsonl",
        status=BatchStatus.RUNNING,
        worker="somehost:1",
        heartbeat_at=utcnow().replace(year=2020),
    )
    session.add(batch)
    session.commit()
    page = web.get(f"/p/web-dead/imports/{batch.id}")
    assert "Interrupted" in page.text
    assert "nothing from it was kept" in page.text
    assert re.search(r"every 1s", page.text) is None
    assert "interrupted" in web.get("/p/web-dead/import").text
    session.refresh(batch)
    assert batch.status is BatchStatus.RUNNING, "a GET writes nothing; the next import records the interruption"


def test_two_files_are_joined_in_the_web_flow(web, session, make_user, make_project):
    researcher_web(web, make_user, make_project, "web-join")
    a = orjson.dumps([{"instruction": f"q{i}", "output": f"a{i}", "generator": "model-a"} for i in range(3)])
    b = orjson.dumps([{"instruction": f"q{i}", "output": f"b{i}", "generator": "model-b"} for i in range(3)])
    preview_url = upload(web, "web-join", [("a.json", a), ("b.json", b)]).headers["Location"]
    page = web.get(preview_url)
    assert "a.json + b.json" in page.text
    assert "canonical" in page.text
    assert "b0" in page.text
    done = wait_done(web, web.post(preview_url, {"join": "instruction"}).headers["Location"])
    assert "Complete" in done.text
    session.rollback()
    items = session.scalars(select(Item).order_by(Item.id)).all()
    assert [[r["model"] for r in i.responses] for i in items] == [["model-a", "model-b"]] * 3
