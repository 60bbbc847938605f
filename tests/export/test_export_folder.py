"""The folder form through the CLI: data, dataset card, manifest, offline load_dataset(DIR),
the export record; and the CLI's other outputs and errors."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from sqlalchemy import select

from annotate.models import ExportRecord


def card_parts(folder):
    import yaml

    text = (folder / "README.md").read_text()
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))


@pytest.mark.parametrize(
    ("form", "flag", "data_file"),
    [
        ("jsonl", [], "data/train.jsonl"),
        ("parquet", ["--parquet"], "data/train.parquet"),
        ("hf", ["--hf"], "data/train/data-00000-of-00001.arrow"),
    ],
)
def test_folder_loads_offline_with_card_and_manifest(build, session, runner, tmp_path, offline, form, flag, data_file):
    from datasets import load_dataset

    project = build("pairwise")
    session.commit()
    folder = tmp_path / "out"
    folder.mkdir()
    result = runner.invoke(
        args=["export", project.slug, "--format", "trl", "--out", str(folder), "--license", "cc-by-4.0", *flag]
    )
    assert result.exit_code == 0, result.output
    assert "exported 3 trl rows" in result.output
    assert "left out 1: item: the experts call it a tie" in result.output
    assert (folder / data_file).is_file()

    ds = load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == 3
    assert set(ds.column_names) == {"id", "prompt", "chosen", "rejected"}
    assert ds[0]["chosen"] == [{"role": "assistant", "content": "Second answer to p1."}]

    meta, body = card_parts(folder)
    assert meta["license"] == "cc-by-4.0"
    assert meta["annotations_creators"] == ["expert-generated"]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["task_categories"] == ["text-generation"]
    assert {"dpo", "rlhf", "human-feedback"} <= set(meta["tags"])
    assert meta["configs"][0]["data_files"][0]["split"] == "train"
    assert "pairwise-test" in body
    assert "version 3" in body
    assert "> Prefer **correct** answers." in body  # the instructions the experts had (version 2)
    assert "| experts | 3 |" in body
    assert "| rows | 3 |" in body
    assert "Krippendorff's alpha, nominal" in body

    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert manifest["format"] == "trl"
    assert manifest["schema"] == "trl.schema.json"
    assert manifest["counts"]["rows"] == 3
    assert manifest["counts"]["left_out"]
    assert manifest["options"]["aggregation"] == "majority"
    assert manifest["options"]["unit"] == "item"
    assert manifest["tool"]["name"] == "annotate"
    assert manifest["tool"]["version"]
    assert set(manifest["files"]) >= {"README.md", data_file}
    for name, info in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == info["sha256"], name
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "no scratch files left behind"

    record = session.scalar(select(ExportRecord).where(ExportRecord.id == manifest["export_id"]))
    assert record.status.value == "complete"
    assert record.channel == "cli"
    assert record.row_count == 3
    assert record.files == manifest["files"]
    assert record.output == str(folder)


def test_agreement_in_the_card(seed, session, runner, tmp_path):
    project = seed.project("pairwise", overlap=2)
    for n in range(6):
        item = seed.item(project, f"i{n}")
        seed.judge(project, item, "a", {"preferred": "r1" if n % 2 else "r2"})
        seed.judge(project, item, "b", {"preferred": "r1" if n % 2 else "r2"})
    session.commit()
    folder = tmp_path / "agree"
    folder.mkdir()
    assert runner.invoke(args=["export", project.slug, "--out", str(folder)]).exit_code == 0
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert manifest["agreement"]["alpha"] == {"preference": 1.0}
    assert manifest["agreement"]["units"] == {"preference": 6}
    assert manifest["agreement"]["ci"] == {"preference": [1.0, 1.0]}
    assert manifest["agreement"]["items"] == {"preference": 6}
    assert manifest["agreement"]["judgments"] == {"preference": 12}
    assert "| preference | 1.0000 | 1.0000 to 1.0000 | 6 | 6 | 12 |" in (folder / "README.md").read_text()


def test_rubric_agreement_per_criterion(build, session, runner, tmp_path):
    project = build("rubric")
    session.commit()
    folder = tmp_path / "rubric"
    folder.mkdir()
    assert runner.invoke(args=["export", project.slug, "--format", "rubric", "--out", str(folder)]).exit_code == 0
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert set(manifest["agreement"]["alpha"]) == {"helpfulness", "correctness"}
    assert manifest["agreement"]["units"] == {"helpfulness": 4, "correctness": 4}
    low, high = manifest["agreement"]["ci"]["helpfulness"]
    assert low <= manifest["agreement"]["alpha"]["helpfulness"] <= high
    assert "95% interval" in (folder / "README.md").read_text()


def test_folder_refuses_to_overwrite_and_leaves_nothing(build, session, runner, tmp_path):
    project = build("pairwise")
    session.commit()
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "README.md").write_text("mine")
    result = runner.invoke(args=["export", project.slug, "--out", str(folder)])
    assert result.exit_code != 0
    assert "already holds README.md" in result.output
    assert (folder / "README.md").read_text() == "mine"
    assert not (folder / "data").exists()
    assert session.scalar(select(ExportRecord.id)) is None, "a refused export is not recorded"


def test_cli_file_and_stdout(build, session, runner, tmp_path):
    project = build("pairwise")
    session.commit()
    result = runner.invoke(args=["export", project.slug, "--format", "hh-rlhf"])
    assert result.exit_code == 0
    target = tmp_path / "pairs.jsonl"
    assert runner.invoke(args=["export", project.slug, "--format", "hh-rlhf", "--out", str(target)]).exit_code == 0
    assert target.read_text().count("\n") == 3
    assert not (tmp_path / "pairs.jsonl.part").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "nope"], "format: unknown export format 'nope'"),
        (["--since", "yesterday"], "since: 'yesterday' is not an ISO date"),
        (["--min-agreement", "2"], "min_agreement: '2' must be between 0 and 1"),
        (["--batch", "x"], "batch: 'x' is not a batch id"),
        (["--parquet"], "out: --parquet and --hf write the folder form"),
        (["--format", "ranking"], "format: ranking exports ranking projects; this project is pairwise"),
    ],
)
def test_cli_errors_name_the_option(build, session, runner, args, message):
    project = build("pairwise")
    session.commit()
    result = runner.invoke(args=["export", project.slug, *args])
    assert result.exit_code != 0
    assert message in result.output


def test_out_ending_in_a_slash_makes_the_folder(build, session, runner, tmp_path, offline):
    from datasets import load_dataset

    project = build("pairwise")
    session.commit()
    folder = tmp_path / "release" / "v1"
    result = runner.invoke(args=["export", project.slug, "--format", "trl", "--out", f"{folder}/"])
    assert result.exit_code == 0, result.output
    assert (folder / "data" / "train.jsonl").is_file()
    assert load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "cache")).num_rows == 3
    parquet = tmp_path / "pq"
    assert runner.invoke(args=["export", project.slug, "--out", f"{parquet}/", "--parquet"]).exit_code == 0
    assert (parquet / "data" / "train.parquet").is_file()


def test_bad_options_make_no_folder(build, session, runner, tmp_path):
    project = build("pairwise")
    session.commit()
    folder = tmp_path / "never"
    result = runner.invoke(args=["export", project.slug, "--format", "rubric", "--out", f"{folder}/"])
    assert result.exit_code != 0
    assert "rubric exports rubric projects" in result.output
    assert not folder.exists()


@pytest.mark.parametrize("flag", [[], ["--prompt-completion"]], ids=["messages", "prompt-completion"])
def test_sft_folder_through_the_cli_loads_with_its_card(build, session, runner, tmp_path, offline, flag):
    """A demonstration project's sft export as a folder: TRL's columns, a card and a manifest that
    record the option, and load_dataset(DIR) reads it (a kind with no nominal vote has no
    agreement table to fill)."""
    from datasets import load_dataset

    project = build("demonstration")
    session.commit()
    folder = tmp_path / "sft"
    result = runner.invoke(args=["export", project.slug, "--format", "sft", "--out", f"{folder}/", *flag])
    assert result.exit_code == 0, result.output
    assert "exported 3 sft rows" in result.output
    ds = load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "cache"))
    assert ds.num_rows == 3
    columns = {"prompt", "completion"} if flag else {"messages"}
    assert columns <= set(ds.column_names)
    assert not ({"prompt", "completion", "messages"} - columns) & set(ds.column_names)
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    assert manifest["options"]["prompt_completion"] is bool(flag)
    meta, _body = card_parts(folder)
    assert "sft" in meta["tags"]
    # Another kind's project refuses the format and says which kinds it is for.
    other = build("pairwise")
    session.commit()
    refused = runner.invoke(args=["export", other.slug, "--format", "sft"])
    assert refused.exit_code != 0
    assert "sft exports demonstration projects" in refused.output
    wrong = runner.invoke(args=["export", other.slug, "--format", "trl", "--prompt-completion"])
    assert "prompt_completion: --prompt-completion applies to the sft format only" in wrong.output
