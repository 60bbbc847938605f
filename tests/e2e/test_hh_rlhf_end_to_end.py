"""The real HH-RLHF file end to end: import all 2,312 rows, judge through the API, export, and
check every exported `chosen` is the reply the experts picked, whatever the display order was."""

from __future__ import annotations

import random
import re

import orjson
import pytest
from datasets import load_dataset
from helpers import REPO, SHARED_DATA
from sqlalchemy import func, select

from annotate.models import Item
from annotate.validation import problems

HH = SHARED_DATA / "hh-rlhf" / "harmless-base-test.jsonl.gz"
pytestmark = pytest.mark.shared_data


@pytest.fixture
def hh_file():
    if not HH.exists():
        pytest.skip(f"{HH} is absent: these tests need the shared datasets folder beside the checkout (../shared/data)")
    return HH


def test_import_judge_export_hh_rlhf(hh_file, runner, make_user, make_project, make_token, client, session, tmp_path):
    experts = [make_user("expert") for _ in range(2)]
    researcher = make_user("researcher")
    make_project("hh", overlap=2, members=[(e, "expert") for e in experts] + [(researcher, "researcher")])
    out = runner.invoke(args=["import", "hh", str(hh_file)])
    assert out.exit_code == 0, out.output
    assert "2312 rows read" in out.output
    new = session.scalar(select(func.count()).select_from(Item))
    # The file repeats some conversations verbatim; they are counted as duplicates, not imported twice.
    duplicates = int(re.search(r"(\d+) duplicates", out.output).group(1))
    assert new > 2200
    assert new + duplicates == 2312

    rng = random.Random(7)
    picked: dict[str, list[str]] = {}
    shown_first: list[str] = []
    tokens = [{"Authorization": f"Bearer {make_token(e)}"} for e in experts]
    for _ in range(20):
        for headers in tokens:
            body = client.post("/api/v1/projects/hh/assignments", headers=headers).get_json()
            responses = body["item"]["responses"]
            shown_first.append(responses[0]["id"])
            # Both experts agree on the longer reply, so every judged item is decided.
            choice = max(responses, key=lambda r: (len(r["content"]), r["id"]))
            if rng.random() < 0.1:
                choice = responses[rng.randrange(2)]
            picked.setdefault(body["item"]["id"], []).append(choice["content"])
            answer = {"answers": {"preferred": choice["id"], "rationale": "longer"}}
            assert (
                client.post(
                    f"/api/v1/assignments/{body['assignment']['id']}/judgment", json=answer, headers=headers
                ).status_code
                == 201
            )

    # Display order really was randomised.
    assert len(set(shown_first)) == 2
    export = client.get(
        "/api/v1/projects/hh/export?format=trl", headers={"Authorization": f"Bearer {make_token(researcher)}"}
    )
    rows = [orjson.loads(line) for line in export.data.splitlines()]
    decided = {item: texts[0] for item, texts in picked.items() if len(texts) == 2 and texts[0] == texts[1]}
    assert {row["id"] for row in rows} == set(decided)
    schema = orjson.loads((REPO / "exports" / "trl.schema.json").read_bytes())
    for row in rows:
        assert row["chosen"][0]["content"] == decided[row["id"]]
        assert row["chosen"][0]["content"] != row["rejected"][0]["content"]
        assert row["prompt"][0]["role"] == "user"
        assert row["prompt"][-1]["role"] == "user"
        assert problems(schema, row) == []

    path = tmp_path / "trl.jsonl"
    path.write_bytes(export.data)
    dataset = load_dataset("json", data_files=str(path), split="train")
    assert dataset.num_rows == len(rows)
    assert set(dataset.column_names) == {"id", "prompt", "chosen", "rejected"}


def test_original_hh_label_is_kept_but_never_shown(
    hh_file, make_user, make_project, make_token, client, session, import_rows, runner
):
    expert = make_user("expert")
    make_project("hh-label", members=[(expert, "expert")])
    head = tmp_rows(hh_file, 50)
    out = runner.invoke(args=["import", "hh-label", str(head)])
    assert out.exit_code == 0, out.output
    original = [orjson.loads(line) for line in head.read_bytes().splitlines()]
    items = session.scalars(select(Item).order_by(Item.id)).all()
    by_hash = {}
    for row in original:
        by_hash.setdefault(row["chosen"].rsplit("\n\nAssistant: ", 1)[1], row)
    for item in items:
        label = item.meta["original_label"]
        chosen_text = item.response(label["chosen"])["content"]
        assert chosen_text in by_hash
    body = client.post(
        "/api/v1/projects/hh-label/assignments", headers={"Authorization": f"Bearer {make_token(expert)}"}
    ).get_json()
    assert "original_label" not in orjson.dumps(body).decode()
    assert "metadata" not in body["item"]
    assert all(set(r) == {"id", "content"} for r in body["item"]["responses"])


def tmp_rows(path, n):
    import gzip
    import tempfile
    from pathlib import Path

    out = Path(tempfile.mkdtemp()) / "hh-head.jsonl"
    with gzip.open(path, "rb") as f:
        out.write_bytes(b"".join(next(f) for _ in range(n)))
    return out


def test_excerpt_imports_every_row_including_diverging_transcripts(runner, make_project, session):
    """Runs without ../shared: a 21-row excerpt, one of whose rows continues the
    conversation further in `chosen` than in `rejected` (as 5 rows of the real file do)."""
    from helpers import FIXTURES

    make_project("hh-excerpt")
    out = runner.invoke(args=["import", "hh-excerpt", str(FIXTURES / "hh-rlhf-excerpt.jsonl")])
    assert out.exit_code == 0, out.output
    assert "21 rows read" in out.output
    items = session.scalars(select(Item).order_by(Item.id)).all()
    assert len(items) + int(re.search(r"(\d+) duplicates", out.output).group(1)) == 21
    for item in items:
        assert item.prompt[-1]["role"] == "user"
        assert len(item.responses) == 2
        assert all(r["content"] for r in item.responses)
