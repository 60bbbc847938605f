"""Memory bombs and size limits (issue 12, holes 5 and 6).

A crafted file is previewed and read in a child process whose address space is capped
(``RLIMIT_AS``): without the limits it dies of MemoryError (or is killed); with them it
gets a clean error naming the limit, its setting and where, quickly. The API answers
413 or 422 for bodies past a limit, and its import honours ``ANNOTATE_IMPORT_MAX_BYTES``
as the web upload does.
"""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest
from helpers import pair_rows
from sqlalchemy import func, select

from annotate.models import Batch, Item

REPO = Path(__file__).resolve().parents[2]
# Enough for Python, Flask, SQLAlchemy and the readers (about 100 MB); far less than any
# bomb below needs without the limits. The child runs with small limits, so it is quick.
ADDRESS_SPACE = 400 * 1024 * 1024
BOMB_MB = 300

CHILD = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    from pathlib import Path
    from annotate import create_app
    from annotate.ingest.errors import ImportFailed
    from annotate.ingest.preview import build_preview
    from annotate.ingest.readers import ReadContext, read_rows
    from annotate.ingest.services import ImportOptions

    app = create_app({{"ENV": "testing", "SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite://",
                       "IMPORT_MAX_DECOMPRESSED_BYTES": 4 * 1024 * 1024,
                       "IMPORT_MAX_ROW_BYTES": 1024 * 1024, "IMPORT_MAX_FIELD_BYTES": 256 * 1024}})
    path = Path(sys.argv[1])
    with app.app_context():
        preview = build_preview([path], [path.name], ImportOptions(), "pairwise")
        print("PREVIEW", preview.error)
        try:
            count = sum(1 for _ in read_rows(path, None, ReadContext(path.name)))
        except ImportFailed as exc:
            print("READ", type(exc).__name__, exc)
        else:
            print("READ ok", count)
    """
)


def _run_child(path: Path) -> tuple[str, float]:
    script = CHILD.format(limit=ADDRESS_SPACE)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
        check=False,
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, f"the child failed (rc {done.returncode}): {done.stderr[-2000:]}"
    assert "MemoryError" not in done.stdout + done.stderr
    return done.stdout, elapsed


def _repeat_gzip(head: bytes, block: bytes, times: int, tail: bytes = b"") -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1) as f:
        f.write(head)
        for _ in range(times):
            f.write(block)
        f.write(tail)
    return out.getvalue()


BOMBS = {
    # The audit's case: a small gzip holding one huge line (800 MB there).
    "one-huge-line.jsonl.gz": (
        lambda: _repeat_gzip(b'{"prompt": "', b"x" * (1 << 20), BOMB_MB, b'", "response": "y"}\n'),
        ("line 1", "ANNOTATE_IMPORT_MAX_ROW_BYTES"),
    ),
    # ijson keeps a path string per level: memory grows with the square of the depth.
    "nested.json": (
        lambda: b'[{"prompt": "q", "chosen": "a", "rejected": ' + b"[" * (3 << 20),
        ("row 1", "ANNOTATE_IMPORT_MAX_DEPTH"),
    ),
    "nested.json.gz": (
        lambda: _repeat_gzip(b'[{"prompt": "q", "chosen": "a", "rejected": "b"}, {"x": ', b"[" * (1 << 20), BOMB_MB),
        ("row 2", "ANNOTATE_IMPORT_MAX_DEPTH"),
    ),
    "huge-element.json.gz": (
        lambda: _repeat_gzip(b'[{"prompt": "', b"x" * (1 << 20), BOMB_MB, b'"}]'),
        ("row 1", "ANNOTATE_IMPORT_MAX_ROW_BYTES"),
    ),
    "one-huge-record.csv.gz": (
        lambda: _repeat_gzip(b'prompt,response\n"', b"x\n" * (1 << 19), BOMB_MB, b'",y\n'),
        ("line 2", "ANNOTATE_IMPORT_MAX_FIELD_BYTES"),
    ),
    # Many small lines: no single row is large, but the whole expands past the (4 MB here) cap.
    "expands.jsonl.gz": (
        lambda: _repeat_gzip(b"", b'{"prompt": "q", "response": "a"}\n' * 32768, 6),
        ("after line", "ANNOTATE_IMPORT_MAX_DECOMPRESSED_BYTES"),
    ),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_gets_a_clean_error_in_bounded_memory(name, tmp_path):
    make, (where, setting) = BOMBS[name]
    path = tmp_path / name
    path.write_bytes(make())
    assert path.stat().st_size < 4 * 1024 * 1024  # small on disk, huge when read
    out, elapsed = _run_child(path)
    preview = next(line for line in out.splitlines() if line.startswith("PREVIEW"))
    read = next(line for line in out.splitlines() if line.startswith("READ"))
    assert "LimitExceeded" in read, out
    for line in (preview, read):
        assert name in line, line
        assert where in line, line
        assert setting in line, line
    assert elapsed < 30


def test_a_deep_row_in_jsonl_names_the_line_and_path(tmp_path, app):
    from annotate.ingest.errors import LimitExceeded
    from annotate.ingest.readers import ReadContext, read_rows

    path = tmp_path / "deep.jsonl"
    row = {"prompt": "q", "response": "a", "meta": {"a": _deep(40)}}
    path.write_bytes(b'{"prompt": "q", "response": "a"}\n' + orjson.dumps(row) + b"\n")
    with app.app_context(), pytest.raises(LimitExceeded) as caught:
        list(read_rows(path, None, ReadContext(path.name)))
    assert caught.value.location == "line 2"
    assert caught.value.detail.startswith("meta.a[0][0]")
    assert "ANNOTATE_IMPORT_MAX_DEPTH" in caught.value.detail


def test_the_limits_are_settings(tmp_path, app):
    from annotate.ingest.errors import LimitExceeded
    from annotate.ingest.readers import ReadContext, read_rows

    path = tmp_path / "long.jsonl"
    path.write_bytes(orjson.dumps({"prompt": "q" * 5000, "response": "a"}) + b"\n")
    app.config["IMPORT_MAX_FIELD_BYTES"] = 1000
    with app.app_context(), pytest.raises(LimitExceeded, match=r"line 1: prompt: .*1,000 bytes .*FIELD_BYTES"):
        list(read_rows(path, None, ReadContext(path.name)))
    app.config["IMPORT_MAX_FIELD_BYTES"] = 100_000
    app.config["IMPORT_MAX_ROW_BYTES"] = 1000
    with app.app_context(), pytest.raises(LimitExceeded, match=r"line 1: the line .*1,000 bytes .*ROW_BYTES"):
        list(read_rows(path, None, ReadContext(path.name)))
    app.config["IMPORT_MAX_ROW_BYTES"] = 100_000
    with app.app_context():
        assert len(list(read_rows(path, None, ReadContext(path.name)))) == 1


# -- the API ----------------------------------------------------------------------------------


def _researcher(make_user, make_project, make_token, slug="lim"):
    researcher = make_user("researcher")
    project = make_project(slug, members=[(researcher, "researcher")])
    return project, {"Authorization": f"Bearer {make_token(researcher)}"}


def _items(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Item))


def test_the_api_import_honours_the_upload_limit(app, client, session, make_user, make_project, make_token):
    _project, headers = _researcher(make_user, make_project, make_token)
    app.config["IMPORT_MAX_BYTES"] = 2000
    body = b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(40))
    assert len(body) > 2000
    response = client.post(
        "/api/v1/projects/lim/items",
        data={"file": (io.BytesIO(body), "rows.jsonl")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 413, response.json
    assert "ANNOTATE_IMPORT_MAX_BYTES" in response.json["error"]
    assert _items(session) == 0
    # The same rows as a JSON body: held to the same limit.
    too_big = client.post("/api/v1/projects/lim/items", json=pair_rows(40), headers=headers)
    assert too_big.status_code == 413
    assert "ANNOTATE_API_IMPORT_MAX_JSON_BYTES" in too_big.json["error"]
    assert _items(session) == 0
    # Within the limit: imported.
    app.config["IMPORT_MAX_BYTES"] = 1 << 20
    ok = client.post(
        "/api/v1/projects/lim/items",
        data={"file": (io.BytesIO(body), "rows.jsonl")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert ok.status_code == 201, ok.json
    assert _items(session) == 40


def test_the_api_import_names_a_row_past_a_reader_limit(app, client, session, make_user, make_project, make_token):
    _project, headers = _researcher(make_user, make_project, make_token)
    app.config["IMPORT_MAX_FIELD_BYTES"] = 1000
    rows = pair_rows(3)
    rows[1]["responses"][0]["content"] = "x" * 2000
    body = gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    response = client.post(
        "/api/v1/projects/lim/items",
        data={"file": (io.BytesIO(body), "rows.jsonl.gz")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 413, response.json
    assert response.json["location"] == "line 2"
    assert "responses[0].content" in response.json["error"]
    assert "ANNOTATE_IMPORT_MAX_FIELD_BYTES" in response.json["error"]
    assert _items(session) == 0
    assert session.scalars(select(Batch.status)).one().value == "failed"


def _deep(levels: int) -> object:
    value: object = 1
    for _ in range(levels):
        value = [value]
    return value


def test_api_json_bodies_are_parsed_within_size_and_depth_limits(
    app, client, session, make_user, make_project, make_token
):
    _project, headers = _researcher(make_user, make_project, make_token)
    deep = orjson.dumps({"batch_id": 1, "priority": 1, "extra": _deep(200)})
    response = client.post(
        "/api/v1/projects/lim/priority", data=deep, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.json
    assert "ANNOTATE_IMPORT_MAX_DEPTH" in response.json["error"]
    # Deeper than any parser's recursion: still a clean 422, not a 500.
    deeper = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post(
        "/api/v1/projects/lim/priority", data=deeper, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.json
    app.config["API_MAX_JSON_BYTES"] = 100
    big = orjson.dumps({"batch_id": 1, "priority": 1, "note": "x" * 200})
    response = client.post(
        "/api/v1/projects/lim/priority", data=big, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "ANNOTATE_API_MAX_JSON_BYTES" in response.json["error"]
    # The import's rows nest inside the body: a row deeper than the limit is named.
    rows = pair_rows(2)
    rows[1]["metadata"] = {"tree": _deep(40)}
    response = client.post("/api/v1/projects/lim/items", json={"items": rows}, headers=headers)
    assert response.status_code == 422
    assert "ANNOTATE_IMPORT_MAX_DEPTH" in response.json["error"]
    assert _items(session) == 0
