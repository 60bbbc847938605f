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
