"""The real datasets in ../shared/data: HH-RLHF, AlpacaEval judge rows and the two-file join."""

from __future__ import annotations

import pytest
from helpers import SHARED_DATA

from annotate.ingest import ImportFailed, ImportOptions, import_file, import_sources

HH = SHARED_DATA / "hh-rlhf" / "harmless-base-test.jsonl.gz"
ALPACA = SHARED_DATA / "alpaca-eval"
ANNOTATIONS = ALPACA / "mixtral-vs-gpt4turbo-annotations.json.gz"
MIXTRAL = ALPACA / "mixtral-8x7b-instruct-outputs.json.gz"
LLAMA = ALPACA / "llama3-8b-instruct-outputs.json.gz"

pytestmark = pytest.mark.shared_data


def need(*paths):
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        pytest.skip(f"needs the shared datasets beside the checkout (../shared/data); missing: {', '.join(missing)}")


def test_hh_rlhf_harmless_base(session, make_project, items_of):
    need(HH)
    project = make_project()
    summary = import_file(session, project, HH)
    assert (summary.format, summary.shape, summary.rows) == ("jsonl", "hh-rlhf", 2312)
    assert summary.new + summary.duplicate == 2312
    assert summary.new > 2200
    again = import_file(session, project, HH)
    assert (again.new, again.duplicate) == (0, 2312)
    item = items_of(project)[0]
    assert item.prompt[-1]["role"] == "user"
    assert len(item.responses) == 2


def test_alpaca_eval_annotations_with_judge_suggestions(session, make_project, items_of):
    need(ANNOTATIONS)
    project = make_project()
    summary = import_file(session, project, ANNOTATIONS)
    assert (summary.format, summary.shape, summary.new) == ("json", "alpaca-pairwise", 805)
    preferred = [i.suggestion["preferred"] for i in items_of(project)]
    # README: 621 rows prefer output_1, 183 output_2, 1 tie.
    assert (preferred.count("r1"), preferred.count("r2"), preferred.count("tie")) == (621, 183, 1)


def test_two_model_output_files_joined_on_instruction(session, make_project, items_of):
    need(MIXTRAL, LLAMA)
    project = make_project()
    summary = import_sources(session, project, [MIXTRAL, LLAMA], ImportOptions(join="instruction"))
    assert summary.new == 805
    item = items_of(project)[0]
    assert [r["model"] for r in item.responses] == ["Mixtral-8x7B-Instruct-v0.1", "llama-3-8b-instruct"] or len(
        {r["model"] for r in item.responses}
    ) == 2
    assert item.meta["joined_on"] == "instruction"
    assert item.meta["dataset"] == "helpful_base"
    assert item.prompt == [{"role": "user", "content": item.prompt[0]["content"]}]


def test_join_with_a_missing_key_fails_or_is_skipped(session, make_project, tmp_path, count_items):
    import orjson

    project = make_project()
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    a.write_bytes(orjson.dumps([{"instruction": f"q{i}", "output": f"a{i}", "generator": "A"} for i in range(3)]))
    b.write_bytes(orjson.dumps([{"instruction": f"q{i}", "output": f"b{i}", "generator": "B"} for i in (0, 2, 9)]))
    with pytest.raises(ImportFailed, match=r"a.json \+ b.json: a.json row 2: instruction: 'q1' has no match in b.json"):
        import_sources(session, project, [a, b], ImportOptions(join="instruction"))
    assert count_items(project) == 0
    summary = import_sources(session, project, [a, b], ImportOptions(join="instruction", skip_invalid=True))
    assert (summary.new, summary.skipped) == (2, 2)
    assert summary.problems[1] == {"location": "b.json row 3", "error": "instruction: 'q9' has no match in a.json"}


def test_join_keys_repeated_or_of_another_type_are_named(session, make_project, tmp_path, items_of):
    import orjson

    def write(path, keys, output="x"):
        path.write_bytes(b"".join(orjson.dumps({"instruction": k, "output": f"{output}{k}"}) + b"\n" for k in keys))
        return path

    project = make_project(template="ranking")
    a, b, c = (
        write(tmp_path / "a.jsonl", ["q1", "q2"], "a"),
        write(tmp_path / "b.jsonl", ["q2", "q1"], "b"),
        write(tmp_path / "c.jsonl", ["q1", "q2"], "c"),
    )
    summary = import_sources(session, project, [a, b, c], ImportOptions(join="instruction"))
    assert summary.new == 2
    by_prompt = {item.prompt[0]["content"]: [r["content"] for r in item.responses] for item in items_of(project)}
    assert by_prompt == {"q1": ["aq1", "bq1", "cq1"], "q2": ["aq2", "bq2", "cq2"]}

    write(b, ["q1", "q2", "q1"])
    with pytest.raises(ImportFailed, match=r"b.jsonl: line 3: instruction: 'q1' appears twice \(first at line 1\)"):
        import_sources(session, project, [a, b], ImportOptions(join="instruction"))
    # The integer 1 and the string "1" are different keys.
    write(a, ["1", "2", "q3"])
    write(b, [1, 2, "q3"])
    summary = import_sources(session, project, [a, b], ImportOptions(join="instruction", skip_invalid=True))
    assert (summary.new, summary.skipped) == (1, 4)
    assert [p["location"] for p in summary.problems] == [
        "a.jsonl line 1",
        "a.jsonl line 2",
        "b.jsonl line 1",
        "b.jsonl line 2",
    ]


def test_cli_join_of_the_alpaca_eval_output_files(runner, make_project, count_items):
    need(MIXTRAL, LLAMA)
    project = make_project("alpaca-cli")
    out = runner.invoke(args=["import", "alpaca-cli", str(MIXTRAL), str(LLAMA), "--join", "instruction"])
    assert out.exit_code == 0, out.output
    assert "imported 805 new items" in out.output
    assert "canonical shape" in out.output
    assert count_items(project) == 805
    again = runner.invoke(args=["import", "alpaca-cli", str(MIXTRAL), str(LLAMA)])
    assert again.exit_code == 1
    assert "several sources need --join KEY" in again.output
