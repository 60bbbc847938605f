"""The same file imported twice: one after the other through the API, and by two processes
at the same moment. No item twice, and each import's summary says how many rows it found
already there."""

from __future__ import annotations

import orjson
from helpers import annotate_cli as cli
from helpers import api_call, finish, pair_rows
from sqlalchemy import func, select

from annotate.models import Batch, Item


def test_the_same_items_posted_twice_are_kept_once_and_the_second_summary_says_so(
    live_server, make_user, make_project, make_token, session
):
    researcher = make_user("researcher")
    make_project("twice", members=[(researcher, "researcher")])
    token = make_token(researcher)
    rows = pair_rows(25, prefix="t")

    first_status, first = api_call(live_server, token, "/api/v1/projects/twice/items", {"items": rows})
    second_status, second = api_call(live_server, token, "/api/v1/projects/twice/items", {"items": rows})

    assert (first_status, second_status) == (201, 201), (first, second)
    assert (first["batch"]["new"], first["batch"]["duplicate"]) == (25, 0)
    assert (second["batch"]["new"], second["batch"]["duplicate"], second["batch"]["rows"]) == (0, 25, 25)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 25


def test_two_processes_importing_one_file_at_once_keep_every_item_once(
    app, database_url, make_project, session, tmp_path
):
    project = make_project("race-import")
    n = 20_000
    path = tmp_path / "same.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(n)))

    procs = [cli(database_url, "import", "race-import", str(path)) for _ in range(2)]
    results = [finish(p) for p in procs]

    assert [code for code, _ in results] == [0, 0], results
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item).where(Item.project_id == project.id)) == n
    batches = session.scalars(select(Batch).where(Batch.project_id == project.id)).all()
    assert sorted(b.status.value for b in batches) == ["complete", "complete"]
    # Between them the two found every row once: new in one import, a duplicate in the other.
    assert sum(b.rows_new for b in batches) == n
    assert sum(b.rows_duplicate for b in batches) == n
    for (_code, text), _batch in zip(results, sorted(batches, key=lambda b: b.id), strict=True):
        assert "duplicates" in text
