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
