"""Every format: golden file from fixed judgments, every record valid against its schema,
stable column types, and a ``datasets`` round trip."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from annotate.export import FORMATS

GOLDEN = Path(__file__).parent / "golden"
EXPORTS = Path(__file__).resolve().parents[2] / "exports"

# (golden name, fixture kind, format, options, schema)
CASES = [
    ("trl", "pairwise", "trl", {}, "trl"),
    ("trl-judgment", "pairwise", "trl", {"unit": "judgment"}, "trl"),
    ("trl-standard", "pairwise", "trl-standard", {}, "trl-standard"),
    ("trl-kto", "pairwise", "trl-kto", {}, "trl-kto"),
    ("reward", "pairwise", "reward", {}, "reward"),
    ("hh-rlhf", "pairwise", "hh-rlhf", {}, "hh-rlhf"),
    ("battles", "pairwise", "battles", {}, "battles"),
    ("raw-pairwise", "pairwise", "raw", {}, "raw"),
    ("ranking", "ranking", "ranking", {}, "ranking"),
    ("ranking-judgment", "ranking", "ranking", {"unit": "judgment"}, "ranking"),
    ("ranking-pairs", "ranking", "ranking", {"pairs": True}, "trl"),
    ("raw-ranking", "ranking", "raw", {}, "raw"),
    ("rubric", "rubric", "rubric", {}, "rubric"),
    ("rubric-binarized", "rubric", "rubric", {"binarize": True}, "rubric-binarized"),
    ("raw-rubric", "rubric", "raw", {}, "raw"),
    ("critique", "critique", "critique", {}, "critique"),
    ("raw-critique", "critique", "raw", {}, "raw"),
    ("trl-kto-rating", "rating", "trl-kto", {}, "trl-kto"),
    ("trl-kto-rating-judgment", "rating", "trl-kto", {"unit": "judgment", "label_threshold": 0.7}, "trl-kto"),
    ("reward-rating", "rating", "reward", {}, "reward"),
    ("raw-rating", "rating", "raw", {}, "raw"),
    ("captions", "caption", "captions", {}, "captions"),
    ("raw-caption", "caption", "raw", {}, "raw"),
    ("sft", "demonstration", "sft", {}, "sft"),
    ("sft-prompt-completion", "demonstration", "sft", {"prompt_completion": True}, "sft"),
    ("raw-demonstration", "demonstration", "raw", {}, "raw"),
]
UPDATE = os.environ.get("ANNOTATE_UPDATE_GOLDEN") == "1"


def read_jsonl(data: bytes) -> list[dict]:
    return [orjson.loads(line) for line in data.splitlines() if line]


def same(loaded, original) -> bool:
    """Equal as ``datasets`` gives values back: it may read an ISO date-time string as a naive UTC datetime."""
    if isinstance(loaded, datetime) and isinstance(original, str):
        parsed = datetime.fromisoformat(original)
        return loaded == (parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed)
    if isinstance(loaded, dict) and isinstance(original, dict):
        return loaded.keys() == original.keys() and all(same(loaded[k], original[k]) for k in loaded)
    if isinstance(loaded, list) and isinstance(original, list):
        return len(loaded) == len(original) and all(same(a, b) for a, b in zip(loaded, original, strict=True))
    return loaded == original


def column_types(rows: list[dict]) -> dict[str, set[str]]:
    types: dict[str, set[str]] = {}
    for row in rows:
        for key, value in row.items():
            types.setdefault(key, set()).add(type(value).__name__)
    return types


@pytest.mark.parametrize(("name", "kind", "fmt", "options", "schema"), CASES, ids=[c[0] for c in CASES])
def test_golden_schema_and_stable_columns(build, validate, export_bytes, name, kind, fmt, options, schema):
    project = build(kind)
    data, summary, record = export_bytes(project, fmt, **options)
    golden = GOLDEN / f"{name}.jsonl"
    if UPDATE:
        golden.write_bytes(data)
    assert data == golden.read_bytes(), (
        f"{name}: output differs from {golden.name} (ANNOTATE_UPDATE_GOLDEN=1 rewrites it; review the diff)"
    )
    rows = read_jsonl(data)
    assert rows, "a golden case must write rows"
    assert summary.rows == len(rows) == record.row_count
    validate(schema, rows)
    # Keys never vary between rows, a value never changes type, no column is all null.
    assert all(row.keys() == rows[0].keys() for row in rows), f"{name}: keys vary between rows"
    for column, types in column_types(rows).items():
        assert len(types - {"NoneType"}) <= 1, f"{name}: column {column} has types {types}"
        assert types != {"NoneType"}, f"{name}: column {column} is null in every row"


@pytest.mark.parametrize(("name", "kind", "fmt", "options", "schema"), CASES, ids=[c[0] for c in CASES])
def test_datasets_loads_the_file(build, export_bytes, tmp_path, name, kind, fmt, options, schema):
    from datasets import load_dataset

    project = build(kind)
    data, _summary, _record = export_bytes(project, fmt, **options)
    path = tmp_path / f"{name}.jsonl"
    path.write_bytes(data)
    ds = load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache"))
    rows = read_jsonl(data)
    assert ds.num_rows == len(rows)
    assert set(ds.column_names) == set(rows[0])
    loaded = ds.to_list()
    for column in rows[0]:
        if column in ("answers", "responses", "spans", "annotations", "media"):
            continue  # nested structs: datasets fills keys missing in some rows with None
        for number, (got, original) in enumerate(zip(loaded, rows, strict=True), 1):
            assert same(got[column], original[column]), (
                f"{name} row {number}: column {column} changed: {got[column]!r} != {original[column]!r}"
            )


def test_every_format_has_a_schema_and_a_readme_section():
    readme = (EXPORTS / "README.md").read_text()
    for name in FORMATS:
        assert (EXPORTS / f"{name}.schema.json").is_file(), name
        assert f"## `{name}`" in readme, f"exports/README.md has no section for {name}"
    for _name, _kind, fmt, _options, _schema in CASES:
        assert fmt in FORMATS
    assert {c[2] for c in CASES} == set(FORMATS), "every format needs a golden case"


TRL_FORMATS = [("trl", {}), ("trl", {"unit": "judgment"}), ("ranking", {"pairs": True}), ("rubric", {"binarize": True})]


@pytest.mark.parametrize(("fmt", "options"), TRL_FORMATS)
def test_trl_key_set_rules(build, export_bytes, fmt, options):
    kind = {"trl": "pairwise", "ranking": "ranking", "rubric": "rubric"}[fmt]
    data, _s, _r = export_bytes(build(kind), fmt, **options)
    for row in read_jsonl(data):
        assert {type(row["prompt"]), type(row["chosen"]), type(row["rejected"])} == {list}
        assert row["prompt"], "message lists are never empty"
        assert row["chosen"], "message lists are never empty"
        assert row["rejected"], "message lists are never empty"
        assert not {"messages", "completion", "label"} & row.keys(), "no stray columns in a preference file"
        assert row["chosen"] != row["rejected"]
