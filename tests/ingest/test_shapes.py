"""Every row shape becomes the canonical item: detection, conversion, metadata kept,
neutral response ids, machine suggestions, explicit mappings and media."""

from __future__ import annotations

import re

import orjson
import pytest

from annotate.ingest import ImportFailed, ImportOptions, import_file, import_sources
from annotate.ingest.shapes import SHAPES, detect_shape
from annotate.ingest.shapes.mapping import parse_mapping


def write(tmp_path, rows, name="rows.jsonl"):
    path = tmp_path / name
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def test_trl_conversational_implicit_prompt_splits_at_the_longest_common_prefix(
    session, make_project, tmp_path, items_of
):
    project = make_project()
    shared = [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi?"}]
    row = {
        "chosen": [*shared, {"role": "assistant", "content": "Hello!"}],
        "rejected": [*shared, {"role": "assistant", "content": "What."}],
        "tag": 1,
    }
    summary = import_file(session, project, write(tmp_path, [row]))
    assert summary.shape == "trl-implicit"
    item = items_of(project)[0]
    assert item.prompt == shared
    label = item.meta["original_label"]
    assert item.response(label["chosen"])["content"] == "Hello!"
    assert item.meta["tag"] == 1


def test_trl_standard_implicit_prompt_strings(session, make_project, tmp_path, items_of):
    project = make_project()
    summary = import_file(
        session, project, write(tmp_path, [{"chosen": "The sky is blue.", "rejected": "The sky is green."}])
    )
    assert summary.shape == "trl-implicit"
    item = items_of(project)[0]
    assert item.prompt == [{"role": "user", "content": "The sky is"}]
    assert sorted(r["content"] for r in item.responses) == ["blue.", "green."]


def test_alpaca_pairwise_preference_becomes_a_suggestion_not_a_label(session, make_project, tmp_path, items_of):
    project = make_project()
    rows = [
        {
            "instruction": f"Q{i}",
            "output_1": f"a{i}",
            "generator_1": "gpt4",
            "output_2": f"b{i}",
            "generator_2": "mixtral",
            "preference": p,
            "annotator": "judge",
            "dataset": "d",
        }
        for i, p in enumerate([1.0, 2.0, 1.5, None])
    ]
    summary = import_file(session, project, write(tmp_path, rows))
    assert (summary.shape, summary.new) == ("alpaca-pairwise", 4)
    items = items_of(project)
    assert [i.suggestion["preferred"] if i.suggestion else None for i in items] == ["r1", "r2", "tie", None]
    assert items[0].suggestion == {"preferred": "r1", "value": 1.0, "source": "judge"}
    assert items[0].responses == [
        {"id": "r1", "content": "a0", "model": "gpt4"},
        {"id": "r2", "content": "b0", "model": "mixtral"},
    ]
    assert items[0].meta == {"annotator": "judge", "dataset": "d"}


def test_kwise_responses_list_into_a_ranking_project(session, make_project, tmp_path, items_of):
    project = make_project("rank", template="ranking")
    rows = [{"prompt": "Best poem?", "responses": ["one", "two", "three"], "models": ["a", "b", "c"]}]
    assert import_file(session, project, write(tmp_path, rows)).shape == "canonical"
    assert items_of(project)[0].responses == [
        {"id": "r1", "content": "one", "model": "a"},
        {"id": "r2", "content": "two", "model": "b"},
        {"id": "r3", "content": "three", "model": "c"},
    ]


@pytest.mark.parametrize(
    ("row", "shape", "prompt", "response"),
    [
        (
            {"prompt": "Explain X", "response": "X is…", "model": "m"},
            "prompt-response",
            [{"role": "user", "content": "Explain X"}],
            {"id": "r1", "content": "X is…", "model": "m"},
        ),
        (
            {"instruction": "Explain Y", "output": "Y is…", "generator": "g"},
            "instruction-output",
            [{"role": "user", "content": "Explain Y"}],
            {"id": "r1", "content": "Y is…", "model": "g"},
        ),
        (
            {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},
            "messages",
            [{"role": "user", "content": "Hi"}],
            {"id": "r1", "content": "Hello"},
        ),
    ],
)
def test_single_response_shapes_into_a_critique_project(
    row, shape, prompt, response, session, make_project, tmp_path, items_of
):
    project = make_project("crit", template="critique")
    assert import_file(session, project, write(tmp_path, [row])).shape == shape
    item = items_of(project)[0]
    assert (item.prompt, item.responses) == (prompt, [response])


def test_a_single_response_in_a_pairwise_project_names_the_kind(session, make_project, tmp_path):
    project = make_project()
    with pytest.raises(ImportFailed, match="line 1: responses: a pairwise task needs exactly 2 responses, got 1"):
        import_file(session, project, write(tmp_path, [{"prompt": "q", "response": "a"}]))


def test_explicit_mapping_keeps_unmapped_columns(session, make_project, tmp_path, items_of):
    project = make_project()
    rows = [
        {
            "question": "Q?",
            "answer_a": "A",
            "answer_b": "B",
            "model_a": "ma",
            "model_b": "mb",
            "uid": "u-1",
            "domain": "law",
        }
    ]
    mapping = parse_mapping(["prompt=question", "responses=answer_a,answer_b", "models=model_a,model_b", "id=uid"])
    summary = import_file(session, project, write(tmp_path, rows), options=ImportOptions(mapping=mapping))
    assert summary.shape == "mapping"
    item = items_of(project)[0]
    assert (item.external_id, item.meta) == ("u-1", {"domain": "law"})
    assert item.responses == [{"id": "r1", "content": "A", "model": "ma"}, {"id": "r2", "content": "B", "model": "mb"}]


def test_mapping_errors_name_the_field_or_column(session, make_project, tmp_path):
    project = make_project()
    with pytest.raises(ImportFailed, match="unknown field 'answer'"):
        parse_mapping(["answer=x", "prompt=q", "responses=a,b"])
    with pytest.raises(ImportFailed, match="a mapping needs responses=COLUMN"):
        parse_mapping(["prompt=q"])
    mapping = parse_mapping(["prompt=question", "responses=a,b"])
    with pytest.raises(ImportFailed, match=re.escape("rows.jsonl: line 1: responses: no column 'b'")):
        import_file(
            session, project, write(tmp_path, [{"question": "q", "a": "x"}]), options=ImportOptions(mapping=mapping)
        )


def test_media_parts_are_copied_under_their_hash_and_paths_cannot_escape(session, make_project, tmp_path, items_of):
    project = make_project()
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "cat.png").write_bytes(b"\x89PNG fake")
    store = tmp_path / "store"
    rows = [{"question": "What animal?", "image": "img/cat.png", "a": "cat", "b": "dog"}]
    mapping = parse_mapping(["prompt=question", "media=image", "responses=a,b"])
    import_file(session, project, write(tmp_path, rows), options=ImportOptions(mapping=mapping), media_store=store)
    media = items_of(project)[0].prompt[-1]["media"]
    assert media["type"] == "image"
    assert media["src"].startswith(f"/media/{project.id}/")
    assert media["src"].endswith(".png")
    assert (store / media["src"].removeprefix("/media/")).read_bytes() == b"\x89PNG fake"
    rows[0]["image"] = "../secret.png"
    with pytest.raises(
        ImportFailed,
        match=r"line 1: prompt\[0\].media.src: media paths must be relative to the source and stay inside its folder",
    ):
        import_file(
            session,
            project,
            write(tmp_path, rows, "evil.jsonl"),
            options=ImportOptions(mapping=mapping),
            media_store=store,
        )


def test_detection_order_is_most_specific_first():
    assert detect_shape({"prompt": "q", "chosen": "a", "rejected": "b"}).name == "trl"
    assert (
        detect_shape({"chosen": "\n\nHuman: q\n\nAssistant: a", "rejected": "\n\nHuman: q\n\nAssistant: b"}).name
        == "hh-rlhf"
    )
    assert (
        detect_shape({"instruction": "q", "output_1": "a", "output_2": "b", "preference": 1}).name == "alpaca-pairwise"
    )
    assert detect_shape({"x": 1}) is None
    assert set(SHAPES) >= {
        "canonical",
        "trl",
        "trl-implicit",
        "hh-rlhf",
        "messages",
        "prompt-response",
        "instruction-output",
        "alpaca-pairwise",
    }


def test_reimport_of_rows_without_ids_is_recognised_by_content(session, make_project, tmp_path, count_items):
    project = make_project()
    rows = [{"prompt": f"q{i}", "chosen": f"a{i}", "rejected": f"b{i}"} for i in range(5)]
    first = import_sources(session, project, [write(tmp_path, rows)])
    again = import_sources(session, project, [write(tmp_path, rows + rows[:2], "again.jsonl")])
    assert (first.new, again.new, again.duplicate) == (5, 0, 7)
    assert count_items(project) == 5
