"""Every source format, each optionally gzip-compressed, and the malformed files that must
fail naming file, line or row, and field; nothing is kept from a failed import."""

from __future__ import annotations

import csv
import gzip
import io

import orjson
import pytest
from helpers import pair_rows
from sqlalchemy import select

from annotate.ingest import ImportFailed, ImportOptions, import_file, import_sources
from annotate.models import Batch

FLAT = [
    {"id": f"f{i}", "prompt": f"Question {i}?", "responses": orjson.dumps([f"A{i}", f"B{i}"]).decode(), "topic": "t"}
    for i in range(5)
]


@pytest.fixture(params=["one process", "converter process"])
def conversion(request, process_bytes):
    """Run the test's imports in one process, then with every file read and converted by a
    converter process (ANNOTATE_IMPORT_PROCESS_BYTES=1): formats and errors must not differ."""
    from annotate.ingest.convert import cores

    if request.param == "converter process" and cores() < 2:
        pytest.skip("a converter process is only used with two cores or more")
    with process_bytes(0 if request.param == "one process" else 1):
        yield request.param


def write(path, body: bytes, gz: bool):
    if gz:
        path = path.with_name(path.name + ".gz")
        body = gzip.compress(body)
    path.write_bytes(body)
    return path


def delimited(rows, delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "tsv"])
@pytest.mark.usefixtures("conversion")
def test_text_formats(fmt, gz, session, make_project, tmp_path, items_of):
    project = make_project()
    if fmt == "jsonl":
        body = b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(5))
    elif fmt == "json":
        body = orjson.dumps(pair_rows(5), option=orjson.OPT_INDENT_2)
    else:
        body = delimited(FLAT, "," if fmt == "csv" else "\t")
    path = write(tmp_path / f"data.{fmt}", body, gz)
    summary = import_file(session, project, path)
    assert (summary.format, summary.new, summary.rows) == (fmt, 5, 5)
    items = items_of(project)
    assert len(items) == 5
    if fmt in ("csv", "tsv"):
        # A JSON list in a cell becomes the responses; other columns are kept as metadata.
        assert [r["content"] for r in items[0].responses] == ["A0", "B0"]
        assert items[0].meta == {"topic": "t"}


@pytest.mark.usefixtures("conversion")
def test_parquet(session, make_project, tmp_path, items_of):
    import pyarrow as pa
    import pyarrow.parquet as pq

    project = make_project()
    rows = [{"prompt": f"q{i}", "chosen": f"c{i}", "rejected": f"r{i}", "score": i * 0.5} for i in range(10)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "prefs.parquet", row_group_size=3)
    summary = import_file(session, project, tmp_path / "prefs.parquet")
    assert (summary.format, summary.shape, summary.new) == ("parquet", "trl", 10)
    assert items_of(project)[3].meta["score"] == 1.5


def test_hf_save_to_disk_and_load_dataset_folder(session, make_project, tmp_path, items_of):
    import datasets

    project = make_project()
    rows = [
        {
            "prompt": [{"role": "user", "content": f"q{i}"}],
            "chosen": [{"role": "assistant", "content": f"c{i}"}],
            "rejected": [{"role": "assistant", "content": f"r{i}"}],
        }
        for i in range(6)
    ]
    dd = datasets.DatasetDict(
        {"train": datasets.Dataset.from_list(rows[:4]), "test": datasets.Dataset.from_list(rows[4:])}
    )
    dd.save_to_disk(str(tmp_path / "saved"))
    with pytest.raises(ImportFailed, match=r"several splits \((train, test|test, train)\); choose one with --split"):
        import_sources(session, project, [tmp_path / "saved"])
    summary = import_sources(session, project, [tmp_path / "saved"], ImportOptions(split="test"))
    assert (summary.format, summary.shape, summary.new) == ("hf-disk", "trl", 2)
    # A local dataset folder of data files, read by datasets.load_dataset.
    folder = tmp_path / "local"
    folder.mkdir()
    (folder / "train.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    summary = import_sources(session, project, [folder], ImportOptions(split="train"))
    assert (summary.format, summary.new, summary.duplicate) == ("hf-load", 4, 2)
    assert len(items_of(project)) == 6


def test_hub_names_respect_hf_hub_offline(session, make_project, monkeypatch):
    project = make_project()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ImportFailed, match="HF_HUB_OFFLINE is set"):
        import_sources(session, project, ["Anthropic/hh-rlhf"])


def bad_file(tmp_path, name, body):
    path = tmp_path / name
    path.write_bytes(body)
    return path


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        (
            "bad.jsonl",
            b'{"prompt": "q", "responses": ["a", "b"]}\n{"prompt": "q2", "responses": ["a", \n',
            "bad.jsonl: line 2: invalid JSON",
        ),
        ("empty.jsonl", b"", "empty.jsonl: the file has no rows"),
        ("empty.json", b"  ", "empty.json: the file is empty"),
        ("empty.csv", b"", "empty.csv: the file is empty"),
        (
            "ragged.csv",
            b'id,prompt,responses\n1,q,"[""a"",""b""]"\n2,q2,x,extra\n',
            "ragged.csv: line 3: expected 3 fields (as in the header), got 4",
        ),
        ("dup.csv", b"id,prompt,id\n1,q,2\n", "dup.csv: line 1: header column 'id' appears twice"),
        (
            "missing.jsonl",
            b'{"prompt": "q", "responses": [{"id": "r1"}, {"id": "r2", "content": "b"}]}\n',
            "missing.jsonl: line 1: responses[0]: 'content' is required",
        ),
        (
            "types.json",
            b'[{"prompt": "q", "responses": ["a", "b"]}, {"prompt": "q", "responses": ["a", 7]}]',
            "types.json: row 2: responses[1].content: expected a string, got an integer",
        ),
        # A .json file holding one object is read as JSON Lines (a common mislabelling).
        ("object.json", b'{"question": "q"}', "object.json: line 1: unrecognised row shape (keys: question)"),
        ("broken.json", b'[{"prompt": "q", "responses": ["a", "b"]}, {"prompt": ', "broken.json: row 2: invalid JSON"),
        ("notes.txt", b"hello", "notes.txt: unsupported file type"),
    ],
)
@pytest.mark.usefixtures("conversion")
def test_malformed_files_name_the_place_and_keep_nothing(
    session, make_project, tmp_path, count_items, name, body, message
):
    project = make_project()
    path = bad_file(tmp_path, name, body)
    with pytest.raises(ImportFailed) as info:
        import_file(session, project, path)
    assert str(info.value).startswith(message), str(info.value)
    assert count_items(project) == 0


@pytest.mark.usefixtures("conversion")
def test_truncated_gzip_of_each_text_format(session, make_project, tmp_path, count_items):
    project = make_project()
    body = b"".join(orjson.dumps(r) + b"\n" for r in pair_rows(300))
    for name, data in (("cut.jsonl.gz", body), ("cut.json.gz", orjson.dumps(pair_rows(300)))):
        path = bad_file(tmp_path, name, gzip.compress(data)[:-40])
        with pytest.raises(ImportFailed, match=rf"{name}: .*(truncated|invalid JSON)"):
            import_file(session, project, path)
    assert count_items(project) == 0
    assert {b.status.value for b in session.scalars(select(Batch))} == {"failed"}


@pytest.mark.usefixtures("conversion")
def test_skip_invalid_imports_the_rest_and_lists_every_skipped_row(session, make_project, tmp_path, items_of):
    project = make_project()
    rows = pair_rows(6)
    rows[1]["responses"] = rows[1]["responses"][:1]
    rows[4]["prompt"] = 5
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    summary = import_file(session, project, path, options=ImportOptions(skip_invalid=True))
    assert (summary.new, summary.skipped) == (4, 2)
    assert summary.problems == [
        {"location": "line 2", "error": "responses: a pairwise task needs exactly 2 responses, got 1"},
        {"location": "line 5", "error": "prompt: expected a string or a list of messages, got an integer"},
    ]
    batch = session.get(Batch, summary.batch_id)
    assert batch.rows_skipped == 2
    assert batch.skipped == summary.problems
    assert len(items_of(project)) == 4


def test_a_prompt_alone_for_a_kind_that_needs_responses_says_how_many(session, make_project, tmp_path):
    """A prompt with no response is a demonstration's item (the prompt-only shape); another kind
    refuses it naming how many responses it needs, and keeps nothing."""
    project = make_project("needs-two")
    path = tmp_path / "prompts.jsonl"
    path.write_bytes(b'{"prompt": "q"}\n')
    with pytest.raises(ImportFailed, match="line 1: responses: a pairwise task needs exactly 2 responses, got 0"):
        import_file(session, project, path)
