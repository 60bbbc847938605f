"""The captions export's folder form: a WebVTT file per judgment beside the data, listed in the
manifest, named safely whatever the item id; and WebVTT's own rules."""

from __future__ import annotations

import orjson

from annotate.export.captions import file_stem
from annotate.export.webvtt import vtt_time, webvtt


def test_folder_form_writes_a_webvtt_file_per_judgment(build, session, runner, tmp_path):
    project = build("caption")
    session.commit()
    folder = tmp_path / "caps"
    result = runner.invoke(args=["export", project.slug, "--format", "captions", "--out", f"{folder}/"])
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in (folder / "data" / "train.jsonl").read_bytes().splitlines()]
    assert len(rows) == 3
    files = sorted(p.name for p in (folder / "captions").iterdir())
    assert len(files) == 3
    # The id "clip/1 <tone>" made safe, told apart by its hash; never a path separator or "<".
    first = file_stem(rows[0]) + ".vtt"
    assert first in files
    assert first.startswith("clip_1_tone-")
    assert first.endswith(".expert-00000061.vtt")
    assert all("/" not in name and "<" not in name for name in files)
    vtt = (folder / "captions" / first).read_text(encoding="utf-8")
    assert vtt == (
        "WEBVTT\n\n"
        "NOTE clip/1 <tone> captioned by expert-00000061\n\n"
        "1\n00:00:00.000 --> 00:00:01.500\n<v Sound>[low tone]\n\n"
        "2\n00:00:01.500 --> 00:00:03.000\n<v Speech>Higher - -&gt; &amp; &lt;louder&gt;\nstill\n"
    )
    long_one = (folder / "captions" / (file_stem(rows[2]) + ".vtt")).read_text(encoding="utf-8")
    assert "00:01:01.500 --> 01:02:05.125" in long_one
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert {f"captions/{name}" for name in files} <= set(manifest["files"])
    assert manifest["counts"]["rows"] == 3
    assert manifest["counts"]["abstains"] == 1


def test_the_jsonl_form_writes_no_sidecar(build, session, runner, tmp_path):
    project = build("caption")
    session.commit()
    out = tmp_path / "caps.jsonl"
    result = runner.invoke(args=["export", project.slug, "--format", "captions", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "captions").exists()


def test_webvtt_times_and_cues():
    assert vtt_time(0) == "00:00:00.000"
    assert vtt_time(3725.1254) == "01:02:05.125"
    assert webvtt([{"start": 1, "end": 2, "text": "a\r\n\r\nb", "label": ""}]) == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\na\nb\n"
    )


def test_the_web_folder_export_lists_and_serves_the_webvtt_files(build, session, make_user, web, tmp_path):
    import io
    import zipfile

    from sqlalchemy import select

    from annotate.models import ExportRecord, ProjectRole, Role
    from annotate.projects.services import add_member

    project = build("caption")
    researcher = make_user(Role.RESEARCHER)
    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    web.login(researcher.email)
    assert "captions" in web.get(f"/p/{project.slug}/exports").text  # offered for a caption project
    started = web.post(f"/p/{project.slug}/exports", data={"format": "captions", "form": "jsonl"})
    assert started.status_code == 303
    session.commit()
    record = session.scalar(select(ExportRecord).order_by(ExportRecord.id.desc()))
    assert record.status.value == "complete", record.error
    vtts = sorted(name for name in record.files if name.endswith(".vtt"))
    assert len(vtts) == 3
    assert all(name.startswith("captions/") for name in vtts)
    served = web.get(f"{started.headers['Location']}/files/{vtts[0]}")
    assert served.status_code == 200
    assert served.get_data().startswith(b"WEBVTT\n")
    archive = web.get(f"{started.headers['Location']}/archive")
    assert archive.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(archive.get_data())).namelist()
    assert sum(name.endswith(".vtt") for name in names) == 3
