"""Import: the three shapes, .gz, errors that name line and field, all-or-nothing, no duplicates."""

from __future__ import annotations

import gzip
import re

import orjson
import pytest
from helpers import pair_rows
from sqlalchemy import func, select

from annotate.ingest import ImportFailed, import_file
from annotate.ingest.shapes import parse_transcript
from annotate.models import Batch, Item

HH_CHOSEN = (
    "\n\nHuman: How do I boil an egg?\n\nAssistant: Put it in boiling water.\n\nHuman: For how long?"
    "\n\nAssistant: About nine minutes for a hard-boiled egg."
)
HH_REJECTED = (
    "\n\nHuman: How do I boil an egg?\n\nAssistant: Put it in boiling water.\n\nHuman: For how long?"
    "\n\nAssistant: An hour."
)


def count_items(session, project) -> int:
    return session.scalar(select(func.count()).select_from(Item).where(Item.project_id == project.id))


def test_canonical_items_import_with_metadata_kept(session, make_project, write_jsonl):
    project = make_project()
    rows = pair_rows(3)
    rows[0]["extra_column"] = "kept"
    summary = import_file(session, project, write_jsonl(rows))
    session.commit()
    assert (summary.new, summary.duplicate, summary.shape, summary.format) == (3, 0, "canonical", "jsonl")
    item = session.scalar(select(Item).where(Item.external_id == "item-0"))
    assert item.prompt == [{"role": "user", "content": "Question 0?"}]
    assert [r["id"] for r in item.responses] == ["r1", "r2"]
    assert item.meta == {"n": 0, "extra_column": "kept"}
    batch = session.get(Batch, summary.batch_id)
    assert (batch.rows_read, batch.rows_new, batch.status.value) == (3, 3, "complete")


def test_trl_rows_with_strings_and_with_messages(session, make_project, write_jsonl):
    project = make_project()
    rows = [
        {"prompt": "What is 2+2?", "chosen": "4", "rejected": "5", "source": "unit"},
        {
            "prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of France?"}],
            "chosen": [{"role": "assistant", "content": "Paris."}],
            "rejected": [{"role": "assistant", "content": "Lyon."}],
        },
    ]
    summary = import_file(session, project, write_jsonl(rows))
    session.commit()
    assert summary.shape == "trl"
    assert summary.new == 2
    items = session.scalars(select(Item).order_by(Item.id)).all()
    first = items[0]
    label = first.meta["original_label"]
    assert first.response(label["chosen"])["content"] == "4"
    assert first.response(label["rejected"])["content"] == "5"
    assert first.meta["source"] == "unit"
    assert "chosen" not in first.meta
    assert "rejected" not in first.meta
    assert items[1].prompt[0] == {"role": "system", "content": "Be brief."}
    assert {r["content"] for r in items[1].responses} == {"Paris.", "Lyon."}
    # Ids are neutral: nothing in a response says which one was chosen.
    assert all(set(r) == {"id", "content"} for item in items for r in item.responses)


def test_hh_rlhf_transcripts_become_a_multi_turn_prompt_and_two_replies(session, make_project, write_jsonl):
    project = make_project()
    summary = import_file(session, project, write_jsonl([{"chosen": HH_CHOSEN, "rejected": HH_REJECTED}]))
    session.commit()
    assert summary.shape == "hh-rlhf"
    item = session.scalar(select(Item))
    assert item.prompt == [
        {"role": "user", "content": "How do I boil an egg?"},
        {"role": "assistant", "content": "Put it in boiling water."},
        {"role": "user", "content": "For how long?"},
    ]
    label = item.meta["original_label"]
    assert item.response(label["chosen"])["content"] == "About nine minutes for a hard-boiled egg."
    assert item.response(label["rejected"])["content"] == "An hour."


def test_label_position_varies_between_rows(session, make_project, write_jsonl):
    project = make_project()
    rows = [{"prompt": f"q{i}", "chosen": f"good {i}", "rejected": f"bad {i}"} for i in range(40)]
    import_file(session, project, write_jsonl(rows))
    chosen_ids = {item.meta["original_label"]["chosen"] for item in session.scalars(select(Item))}
    assert chosen_ids == {"r1", "r2"}


def test_gzip_and_json_array(session, make_project, tmp_path):
    project = make_project()
    gz = tmp_path / "items.jsonl.gz"
    gz.write_bytes(gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(2, "gz"))))
    array = tmp_path / "items.json"
    array.write_bytes(orjson.dumps(pair_rows(2, "arr")))
    assert import_file(session, project, gz).new == 2
    summary = import_file(session, project, array)
    assert (summary.format, summary.new) == ("json", 2)
    session.commit()
    assert count_items(session, project) == 4


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        (
            b'{"id": "x", "prompt": "q", "responses": [{"id": "r1", "content": "a"}, {"id": "r2", "content": null}]}',
            "line 3: responses[1].content: expected a string, got null",
        ),
        (
            b'{"id": "x", "prompt": "q", "responses": [{"id": "r1", "content": "a"}]}',
            "line 3: responses: a pairwise task needs exactly 2 responses, got 1",
        ),
        (
            b'{"id": "x", "prompt": "q", "responses": [{"id": "r1", "content": "a"}, {"content": "b"}]}',
            "line 3: responses[1]: 'id' is required",
        ),
        (
            b'{"id": "x", "prompt": 5, "responses": []}',
            "line 3: prompt: expected a string or a list of messages, got an integer",
        ),
        (b'{"id": "x", "prompt": "q", "responses": [', "line 3: invalid JSON"),
        (b"[1, 2]", "line 3: expected a JSON object, got list"),
    ],
)
def test_a_bad_row_names_line_and_field_and_nothing_is_kept(session, make_project, tmp_path, bad_line, expected):
    project = make_project()
    good = [orjson.dumps(r) for r in pair_rows(3)]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join([good[0], good[1], bad_line, good[2]]) + b"\n")
    with pytest.raises(ImportFailed) as info:
        import_file(session, project, path)
    session.rollback()
    assert str(info.value).startswith("bad.jsonl: " + expected)
    assert count_items(session, project) == 0
    # The failed import is recorded, with its error, and nothing else is kept.
    batch = session.scalar(select(Batch))
    assert (batch.status.value, batch.rows_new) == ("failed", 0)
    assert expected in batch.error


def test_unrecognised_shape_lists_the_keys(session, make_project, write_jsonl):
    project = make_project()
    with pytest.raises(ImportFailed, match=r"line 1: unrecognised row shape \(keys: answer, question\)"):
        import_file(session, project, write_jsonl([{"question": "q", "answer": "a"}]))


def test_empty_and_truncated_files(session, make_project, tmp_path):
    project = make_project()
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(ImportFailed, match=re.escape("empty.jsonl: the file has no rows")):
        import_file(session, project, empty)
    session.rollback()
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(gzip.compress(b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(50)))[:-20])
    with pytest.raises(
        ImportFailed, match=r"cut.jsonl.gz: (after line \d+: )?the file ends too early: the gzip stream is truncated"
    ):
        import_file(session, project, truncated)
    session.rollback()
    assert count_items(session, project) == 0


def test_reimport_does_not_duplicate_with_or_without_ids(session, make_project, write_jsonl):
    project = make_project()
    with_ids = write_jsonl(pair_rows(5), "a.jsonl")
    without_ids = write_jsonl([{"prompt": f"q{i}", "chosen": "a", "rejected": "b"} for i in range(4)], "b.jsonl")
    assert import_file(session, project, with_ids).new == 5
    assert import_file(session, project, without_ids).new == 4
    session.commit()
    again = import_file(session, project, with_ids)
    again_without = import_file(session, project, without_ids)
    session.commit()
    assert (again.new, again.duplicate) == (0, 5)
    assert (again_without.new, again_without.duplicate) == (0, 4)
    assert count_items(session, project) == 9


def test_duplicates_within_one_file_are_counted(session, make_project, write_jsonl):
    project = make_project()
    rows = pair_rows(3) + pair_rows(2)
    summary = import_file(session, project, write_jsonl(rows))
    assert (summary.new, summary.duplicate, summary.rows) == (3, 2, 5)


def test_parse_transcript_rejects_text_without_turns():
    from annotate.ingest.errors import RowError

    with pytest.raises(RowError, match="chosen: expected a transcript"):
        parse_transcript("just text", "chosen")
