"""Audio and video are served with HTTP range requests (206, Content-Range, 416), so a player
can seek, and still only to the project's members; a WAV file's duration is read at import."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
from helpers import Browserless
from sqlalchemy import select

from annotate.ingest import import_file
from annotate.models import Item

TONE = Path(__file__).resolve().parents[1] / "fixtures" / "media" / "tone-3s.wav"


def import_clip(session, app, project, tmp_path: Path, media: dict) -> Item:
    (tmp_path / "clips").mkdir(exist_ok=True)
    shutil.copy(TONE, tmp_path / "clips" / "tone.wav")
    row = {
        "id": "clip-1",
        "prompt": "Caption this clip.",
        "responses": [{"id": "r1", "content": "", "media": media}],
    }
    source = tmp_path / "clips.jsonl"
    source.write_bytes(orjson.dumps(row) + b"\n")
    import_file(session, project, source, media_store=Path(app.instance_path) / "media")
    session.commit()
    return session.scalars(select(Item).where(Item.project_id == project.id)).one()


def signed_in(app, user) -> Browserless:
    web = Browserless(app.test_client())
    web.login(user.email)
    return web


def test_ranges_206_and_416_for_members_404_for_others(app, session, make_user, make_project, tmp_path):
    member, outsider = make_user("expert"), make_user("expert")
    project = make_project("clips", template="thumbs", members=[(member, "expert")])
    make_project("elsewhere", members=[(outsider, "expert")])
    item = import_clip(session, app, project, tmp_path, {"type": "audio", "src": "clips/tone.wav"})
    media = item.responses[0]["media"]
    assert media["duration"] == 3.0  # read from the WAV header at import
    url = media["src"]
    body = TONE.read_bytes()
    size = len(body)
    web = signed_in(app, member)

    whole = web.get(url)
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.data == body

    first = web.get(url, headers={"Range": "bytes=0-99"})
    assert first.status_code == 206
    assert first.headers["Content-Range"] == f"bytes 0-99/{size}"
    assert first.data == body[:100]
    middle = web.get(url, headers={"Range": "bytes=12000-12999"})
    assert middle.status_code == 206
    assert middle.headers["Content-Range"] == f"bytes 12000-12999/{size}"
    assert middle.data == body[12000:13000]
    tail = web.get(url, headers={"Range": "bytes=-44"})
    assert tail.status_code == 206
    assert tail.data == body[-44:]
    open_ended = web.get(url, headers={"Range": f"bytes={size - 10}-"})
    assert open_ended.status_code == 206
    assert open_ended.headers["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"

    beyond = web.get(url, headers={"Range": f"bytes={size + 100}-{size + 200}"})
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{size}"
    assert beyond.data != body

    # Not a member: 404 with or without a range, and no byte of the file.
    stranger = signed_in(app, outsider)
    for headers in ({}, {"Range": "bytes=0-99"}):
        refused = stranger.get(url, headers=headers)
        assert refused.status_code == 404
        assert body[44:144] not in refused.data
    anonymous = app.test_client().get(url, headers={"Range": "bytes=0-99"})
    assert anonymous.status_code in (302, 303)


def test_a_given_duration_is_kept_and_checked(app, session, make_project, tmp_path):
    project = make_project("clips", template="thumbs")
    item = import_clip(session, app, project, tmp_path, {"type": "audio", "src": "clips/tone.wav", "duration": 2.5})
    assert item.responses[0]["media"]["duration"] == 2.5


def box(kind: bytes, body: bytes) -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def mvhd(version: int, timescale: int, duration: int) -> bytes:
    if version == 1:
        fields = bytes(16) + timescale.to_bytes(4, "big") + duration.to_bytes(8, "big")
    else:
        fields = bytes(8) + timescale.to_bytes(4, "big") + duration.to_bytes(4, "big")
    return box(b"mvhd", bytes([version, 0, 0, 0]) + fields + bytes(80))


def test_an_mp4_duration_is_read_from_its_movie_header(tmp_path):
    from annotate.ingest.media import media_seconds

    ftyp = box(b"ftyp", b"isom" + bytes(4) + b"isommp41")
    cases = {
        "v0.mp4": ftyp + box(b"free", bytes(100)) + box(b"moov", mvhd(0, 600, 7470)),  # 12.45 s
        "v1.mov": ftyp + box(b"moov", box(b"udta", b"") + mvhd(1, 1000, 3_600_500)),  # 1 h 0.5 s
        "no-moov.mp4": ftyp + box(b"mdat", bytes(64)),
        "truncated.mp4": ftyp + b"\x00\x00\x01\x00moov\x00\x00",
        "zero-size.m4a": ftyp + bytes(8),
        "huge.mp4": ftyp + box(b"moov", mvhd(0, 1, 200_000)),  # past 24 h: not believed
    }
    found = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        found[name] = media_seconds(tmp_path / name)
    assert found == {
        "v0.mp4": 12.45,
        "v1.mov": 3600.5,
        "no-moov.mp4": None,
        "truncated.mp4": None,
        "zero-size.m4a": None,
        "huge.mp4": None,
    }
    assert media_seconds(TONE) == 3.0
    (tmp_path / "clip.ogg").write_bytes(b"OggS")
    assert media_seconds(tmp_path / "clip.ogg") is None  # the row gives it


def ebml(element: int, body: bytes, unknown_size: bool = False) -> bytes:
    element_id = element.to_bytes((element.bit_length() + 7) // 8, "big")
    size = b"\x01\xff\xff\xff\xff\xff\xff\xff" if unknown_size else bytes([0x80 | len(body)])  # len < 127
    return element_id + size + body


def test_a_webm_duration_is_read_from_its_segment_info(tmp_path):
    import struct

    from annotate.ingest.media import media_seconds

    webm_header = b"\x1a\x45\xdf\xa3\x80"  # the EBML header, empty
    info = ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big")) + ebml(0x4489, struct.pack(">d", 12450.0))
    cases = {
        # EBML header (empty), then a Segment of unknown size: SeekHead, Info, then a Cluster.
        "ffmpeg.webm": webm_header
        + ebml(0x18538067, ebml(0x114D9B74, bytes(10)) + ebml(0x1549A966, info) + ebml(0x1F43B675, bytes(20)), True),
        "float.webm": webm_header + ebml(0x18538067, ebml(0x1549A966, ebml(0x4489, struct.pack(">f", 2500.0)))),
        "recorder.webm": webm_header + ebml(0x18538067, ebml(0x1549A966, b"") + ebml(0x1F43B675, bytes(8)), True),
        "garbage.webm": b"\x00" * 64,
    }
    found = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        found[name] = media_seconds(tmp_path / name)
    assert found == {"ffmpeg.webm": 12.45, "float.webm": 2.5, "recorder.webm": None, "garbage.webm": None}
