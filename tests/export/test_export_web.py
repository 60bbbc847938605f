"""The export pages and the API: streamed downloads, access, CSRF, background folder exports
with progress, their files, and provenance records."""

from __future__ import annotations

import re
import time

import orjson
import pytest
from sqlalchemy import func, select

from annotate.models import ExportRecord, ProjectRole, Role
from annotate.projects.services import add_member


@pytest.fixture
def researcher_project(build, session, make_user):
    project = build("pairwise")
    researcher = make_user(Role.RESEARCHER)
    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    return project, researcher


def rows_of(data: bytes) -> list[dict]:
    return [orjson.loads(line) for line in data.splitlines()]


def test_download_streams_with_options_and_is_recorded(web, researcher_project, session):
    project, researcher = researcher_project
    web.login(researcher.email)
    response = web.post(
        f"/p/{project.slug}/export",
        data={"format": "trl", "unit": "judgment", "exclude_expert": "expert-00000063"},
        buffered=False,
    )
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{project.slug}-trl.jsonl"'
    rows = rows_of(response.get_data())
    assert {r["expert"] for r in rows} == {"expert-00000061", "expert-00000062"}
    session.commit()  # a fresh snapshot: the stream recorded its end after the test's last read
    record = session.scalar(select(ExportRecord).where(ExportRecord.id == int(response.headers["X-Export-Id"])))
    assert record.channel == "web"
    assert record.user_id == researcher.id
    assert record.status.value == "complete"
    assert record.row_count == len(rows)
    assert record.options["exclude_experts"] == ["expert-00000063"]
    assert record.sha256
    assert record.summary["left_out"]["judgment: expert excluded"] == 3


def test_who_may_export(app, client, researcher_project, make_user, session):
    from helpers import Browserless

    project, _researcher = researcher_project
    url = f"/p/{project.slug}/export"
    assert client.get(url + "?format=raw").status_code in (302, 303)  # anonymous: to the sign-in page
    outsider = make_user(Role.RESEARCHER)
    expert = make_user(Role.EXPERT)
    add_member(session, project, expert, ProjectRole.EXPERT)
    session.commit()
    for email in (outsider.email, expert.email):
        web = Browserless(app.test_client())
        web.login(email)
        assert web.get(url + "?format=raw").status_code == 404
        assert web.post(url, data={"format": "raw"}).status_code == 404
        assert web.get(f"/p/{project.slug}/exports").status_code == 404
        assert web.post(f"/p/{project.slug}/exports", data={"format": "trl"}).status_code == 404
    assert session.scalar(select(ExportRecord.id)) is None


def test_bad_options_are_a_400_page_naming_the_field(web, researcher_project):
    project, researcher = researcher_project
    web.login(researcher.email)
    response = web.post(f"/p/{project.slug}/export", data={"format": "trl", "since": "soon"})
    assert response.status_code == 400
    assert "since: &#39;soon&#39; is not an ISO date" in response.text


def test_folder_export_in_the_background_with_progress(web, researcher_project, session):
    project, researcher = researcher_project
    web.login(researcher.email)
    page = web.get(f"/p/{project.slug}/exports")
    assert page.status_code == 200
    assert "trl-kto" in page.text
    assert "No exports yet" in page.text
    refused = web.client.post(f"/p/{project.slug}/exports", data={"format": "trl"})
    assert refused.status_code == 400, "the form needs its CSRF token"
    started = web.post(f"/p/{project.slug}/exports", data={"format": "reward", "form": "jsonl", "license": "mit"})
    assert started.status_code == 303
    status_url = started.headers["Location"]
    deadline = time.monotonic() + 60
    while True:
        fragment = web.get(status_url, headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        assert "<html" not in fragment.text
        if 'data-status="running"' not in fragment.text:
            break
        assert 'hx-trigger="every 1s"' in fragment.text
        assert time.monotonic() < deadline, "the background export did not finish"
        time.sleep(0.2)
    assert 'data-status="complete"' in fragment.text, fragment.text
    assert "hx-trigger" not in fragment.text, "a finished export stops polling"
    record = session.scalar(select(ExportRecord).order_by(ExportRecord.id.desc()))
    assert record.format == "reward"
    assert record.channel == "web"
    assert record.row_count == 3
    data = web.get(f"{status_url}/files/data/train.jsonl")
    assert data.status_code == 200
    assert len(rows_of(data.get_data())) == 3
    manifest = orjson.loads(web.get(f"{status_url}/files/manifest.json").get_data())
    assert manifest["files"]["data/train.jsonl"]["sha256"] == record.files["data/train.jsonl"]["sha256"]
    card = web.get(f"{status_url}/files/README.md").text
    assert "license: mit" in card
    assert web.get(f"{status_url}/files/../../etc/passwd").status_code == 404
    assert web.get(f"{status_url}/files/data/other.jsonl").status_code == 404
    listing = web.get(f"/p/{project.slug}/exports").text
    assert f">{record.id}</a>" in listing
    assert "reward" in listing


def test_an_export_of_another_project_is_not_found(web, researcher_project, build, session):
    project, researcher = researcher_project
    other = build("ranking")
    record = ExportRecord(project_id=other.id, format="ranking", channel="cli", tool_version="x")
    session.add(record)
    session.commit()
    web.login(researcher.email)
    assert web.get(f"/p/{project.slug}/exports/{record.id}").status_code == 404
    assert web.get(f"/p/{other.slug}/exports/{record.id}").status_code == 404


def test_api_export_streams_with_options(client, researcher_project, make_token, session):
    project, researcher = researcher_project
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    response = client.get(f"/api/v1/projects/{project.slug}/export?format=battles", headers=headers)
    assert response.status_code == 200
    rows = rows_of(response.get_data())
    assert len(rows) == 12
    assert {r["winner"] for r in rows} >= {"tie", "tie (bothbad)"}
    response = client.get(f"/api/v1/projects/{project.slug}/export?format=trl&aggregation=unanimous", headers=headers)
    assert [r["id"] for r in rows_of(response.get_data())] == ["p4"]
    record = session.scalar(select(ExportRecord).order_by(ExportRecord.id.desc()))
    assert record.channel == "api"
    assert record.options["aggregation"] == "unanimous"


def test_api_errors_are_json_with_the_field(client, researcher_project, make_token, make_user, session):
    project, researcher = researcher_project
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    response = client.get(f"/api/v1/projects/{project.slug}/export?format=trl&min_agreement=high", headers=headers)
    assert response.status_code == 400
    assert response.json == {"error": "min_agreement: 'high' is not a number", "field": "min_agreement"}
    expert = make_user(Role.EXPERT)
    add_member(session, project, expert, ProjectRole.EXPERT)
    session.commit()
    denied = client.get(
        f"/api/v1/projects/{project.slug}/export", headers={"Authorization": f"Bearer {make_token(expert)}"}
    )
    assert denied.status_code == 404


def test_a_get_to_the_download_url_records_nothing_and_a_post_needs_its_token(web, researcher_project, session):
    """A same-origin GET (an old link, or media src="/p/<slug>/export?…" in content) starts no export."""
    project, researcher = researcher_project
    web.login(researcher.email)
    response = web.get(f"/p/{project.slug}/export?format=raw&since=2026-01-01")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/p/{project.slug}/exports?")
    assert "since=2026-01-01" in response.headers["Location"]
    refused = web.client.post(f"/p/{project.slug}/export", data={"format": "raw"})
    assert refused.status_code == 400, "the download form needs its CSRF token"
    assert session.scalar(select(ExportRecord.id)) is None


def wait_for(web, status_url):
    deadline = time.monotonic() + 60
    while 'data-status="running"' in (fragment := web.get(status_url, headers={"HX-Request": "true"}).text):
        assert time.monotonic() < deadline, "the background export did not finish"
        time.sleep(0.2)
    return fragment


def test_a_folder_export_downloads_as_one_zip_that_load_dataset_reads(web, researcher_project, tmp_path, monkeypatch):
    import io
    import zipfile

    from datasets import load_dataset

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    project, researcher = researcher_project
    web.login(researcher.email)
    started = web.post(f"/p/{project.slug}/exports", data={"format": "trl", "form": "parquet"})
    status_url = started.headers["Location"]
    page = wait_for(web, status_url)
    assert 'data-status="complete"' in page
    assert f'href="{status_url}/archive"' in page
    archive = web.get(f"{status_url}/archive")
    assert archive.status_code == 200
    assert archive.headers["Content-Disposition"].endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(archive.get_data())) as zf:
        names = zf.namelist()
        top = {n.split("/")[0] for n in names}
        assert len(top) == 1, names  # one folder
        zf.extractall(tmp_path / "unzipped")
    folder = tmp_path / "unzipped" / top.pop()
    assert {"README.md", "manifest.json", "data/train.parquet"} <= {
        p.relative_to(folder).as_posix() for p in folder.rglob("*")
    }
    ds = load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == 3
    assert web.get(f"/p/{project.slug}/exports/999/archive").status_code == 404


def test_only_formats_of_the_projects_kind_are_offered(web, build, session, make_user):
    project = build("rubric")
    researcher = make_user(Role.RESEARCHER)
    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    web.login(researcher.email)
    page = web.get(f"/p/{project.slug}/exports").text
    offered = set(re.findall(r'<option value="([a-z-]+)"[^>]*>\1: ', page))
    assert "rubric" in offered
    assert "raw" in offered
    assert not offered & {"trl", "trl-kto", "reward", "hh-rlhf", "ranking", "critique"}
    # And the default download is one that applies (not trl).
    download = web.post(f"/p/{project.slug}/export")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("application/x-ndjson")


def test_an_export_with_no_rows_says_why_instead_of_an_empty_file(web, researcher_project, session):
    project, researcher = researcher_project
    web.login(researcher.email)
    before = session.scalar(select(func.count()).select_from(ExportRecord))
    empty = web.post(
        f"/p/{project.slug}/export",
        data={"format": "trl", "accepted_only": "1", "since": "2001-01-01", "until": "2001-01-02"},
    )
    assert empty.status_code == 422
    assert empty.headers["Content-Type"].startswith("text/html")
    assert 'role="alert">Nothing to export as trl' in empty.text
    started = web.post(
        f"/p/{project.slug}/exports",
        data={"format": "trl", "form": "jsonl", "since": "2001-01-01", "until": "2001-01-02"},
    )
    assert started.status_code == 400
    assert "Nothing to export as trl" in started.text
    session.commit()
    assert session.scalar(select(func.count()).select_from(ExportRecord)) == before, "nothing recorded"


def test_the_check_says_what_is_left_out_as_the_cli_does(web, researcher_project, session):
    project, researcher = researcher_project
    web.login(researcher.email)
    page = web.get(f"/p/{project.slug}/export/check?format=trl")
    assert page.status_code == 200
    check = page.text.split('id="export-check"')[1].split("</div>")[0]
    assert "<strong>trl</strong>: 3 rows" in check
    assert "item: the experts call it a tie: 1" in check
    assert "ties among the judgments read" in check
    session.commit()
    assert session.scalar(select(func.count()).select_from(ExportRecord)) == 0, "a check records nothing"


def test_sft_prompt_completion_from_the_web_form_and_the_api(web, client, build, make_user, make_token, session):
    project = build("demonstration")
    researcher = make_user(Role.RESEARCHER)
    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    web.login(researcher.email)
    page = web.get(f"/p/{project.slug}/exports").text
    assert 'name="prompt_completion"' in page
    assert 'value="sft"' in page
    response = web.post(f"/p/{project.slug}/export", data={"format": "sft", "prompt_completion": "1"})
    assert response.status_code == 200, response.text
    rows = rows_of(response.get_data())
    assert len(rows) == 3
    assert all(row["completion"][0]["role"] == "assistant" and "messages" not in row for row in rows)
    headers = {"Authorization": f"Bearer {make_token(researcher)}"}
    api = client.get(f"/api/v1/projects/{project.slug}/export?format=sft", headers=headers)
    assert all(row["messages"][-1]["role"] == "assistant" for row in rows_of(api.get_data()))
    split = client.get(f"/api/v1/projects/{project.slug}/export?format=sft&prompt_completion=1", headers=headers)
    assert [row["completion"] for row in rows_of(split.get_data())] == [row["completion"] for row in rows]
    bad = client.get(f"/api/v1/projects/{project.slug}/export?format=sft&prompt_completion=maybe", headers=headers)
    assert bad.status_code == 400
    assert bad.json["field"] == "prompt_completion"
