"""Aggregation, ties, abstentions, adjudication and every filter, with their counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from annotate.export.base import ExportError

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # the seeder's clock starts here


def rows_of(data: bytes) -> list[dict]:
    return [orjson.loads(line) for line in data.splitlines()]


def chosen_by_item(rows: list[dict]) -> dict[str, str]:
    return {r["id"]: r["chosen"][0]["content"] for r in rows}


def test_majority_counts_ties_abstains_and_what_was_left_out(build, export_bytes):
    data, summary, record = export_bytes(build("pairwise"), "trl")
    assert [r["id"] for r in rows_of(data)] == ["p1", "p2", "p4"]
    counts = summary.as_json()
    assert counts == {
        "rows": 3,
        "items": 3,
        "judgments_read": 14,
        "judgments_used": 7,  # p1 3, p2 3, p4 1 (its abstention and rejected vote do not count)
        "experts": 3,
        "ties": 3,  # p2 c, p3 a and b
        "abstains": 1,
        "left_out": {
            "item: incomplete (fewer judgments than the overlap)": 1,
            "item: the experts call it a tie": 1,
            "judgment: rejected in review": 1,
        },
    }
    assert record.summary == counts
    assert record.status.value == "complete"


def test_a_tied_vote_leaves_the_item_out(seed, export_bytes):
    project = seed.project("pairwise", overlap=2)
    item = seed.item(project, "x")
    seed.judge(project, item, "a", {"preferred": "r1"})
    seed.judge(project, item, "b", {"preferred": "r2"})
    data, summary, _ = export_bytes(project, "trl")
    assert data == b""
    assert summary.left_out == {"item: no majority (tied vote)": 1}


def test_every_judgment_abstained(seed, export_bytes):
    project = seed.project("pairwise", overlap=1)
    seed.judge(project, seed.item(project, "x"), "a", {"abstain": {"reason": "unsure"}})
    data, summary, _ = export_bytes(project, "trl")
    assert data == b""
    assert summary.abstains == 1
    assert summary.left_out == {"item: every judgment abstained": 1}


def test_unanimous_keeps_only_items_everyone_agrees_on(build, export_bytes):
    data, summary, _ = export_bytes(build("pairwise"), "trl", aggregation="unanimous")
    assert [r["id"] for r in rows_of(data)] == ["p4"]
    assert summary.left_out["item: not unanimous"] == 3  # p1, p2 and p3 (tie, tie, r1)


def test_all_gives_one_row_per_vote_with_the_expert(build, export_bytes):
    rows = rows_of(export_bytes(build("pairwise"), "trl", aggregation="all")[0])
    assert [(r["id"], r["expert"][-2:]) for r in rows] == [
        ("p1", "61"),
        ("p1", "62"),
        ("p1", "63"),
        ("p2", "61"),
        ("p2", "62"),
        ("p3", "63"),
        ("p4", "62"),
    ]
    # Disagreeing experts give opposite rows.
    p1 = [r for r in rows if r["id"] == "p1"]
    assert p1[0]["chosen"] == p1[2]["rejected"]


def test_min_agreement(build, export_bytes):
    data, summary, _ = export_bytes(build("pairwise"), "trl", min_agreement=0.7)
    assert [r["id"] for r in rows_of(data)] == ["p4"]
    assert summary.left_out["item: agreement below the minimum"] == 3  # p1, p2, p3: 2/3 each


def test_accepted_only(seed, export_bytes):
    project = seed.project("pairwise", overlap=1)
    for n, verdict in enumerate(["accept", "fix", "reject", None]):
        seed.judge(project, seed.item(project, f"i{n}"), "a", {"preferred": "r1"}, review=verdict)
    unreviewed_ok = rows_of(export_bytes(project, "trl")[0])
    assert [r["id"] for r in unreviewed_ok] == ["i0", "i1", "i3"]  # a rejection always leaves the judgment out
    data, summary, _ = export_bytes(project, "trl", accepted_only=True)
    assert [r["id"] for r in rows_of(data)] == ["i0", "i1"]
    assert summary.left_out["judgment: not accepted in review"] == 1
    assert summary.left_out["judgment: rejected in review"] == 1


def test_the_latest_review_is_the_verdict(seed, export_bytes):
    project = seed.project("pairwise", overlap=1)
    judgment = seed.judge(project, seed.item(project, "x"), "a", {"preferred": "r1"}, review="reject")
    seed.review(judgment, "accept", at=judgment.created_at + timedelta(days=2))
    assert [r["id"] for r in rows_of(export_bytes(project, "trl", accepted_only=True)[0])] == ["x"]


def test_exclude_experts_by_pseudonym_or_email(build, seed, export_bytes):
    project = build("pairwise")
    by_pseudonym = export_bytes(project, "trl", exclude_experts=("expert-00000063",))
    by_email = export_bytes(project, "trl", exclude_experts=("c@example.org",))
    assert by_pseudonym[0] == by_email[0]
    assert [r["id"] for r in rows_of(by_email[0])] == ["p1", "p2", "p4"]
    assert by_email[1].left_out["judgment: expert excluded"] == 3  # p1, p2, p3 (p4's vote was rejected first)
    with pytest.raises(ExportError, match=re.escape("exclude_experts: 'nobody@example.org'")):
        export_bytes(project, "trl", exclude_experts=("nobody@example.org",))


def test_gold_only_keeps_experts_who_pass(seed, export_bytes):
    project = seed.project("pairwise", overlap=1)
    for n in range(5):
        gold = seed.item(project, f"g{n}", gold={"preferred": "r1"})
        seed.judge(project, gold, "a", {"preferred": "r1"})
        seed.judge(project, gold, "b", {"preferred": "r1" if n < 3 else "r2"})  # 3/5 = 0.6
    real = seed.item(project, "real")
    seed.judge(project, real, "b", {"preferred": "r2"})
    seed.judge(project, real, "a", {"preferred": "r1"})
    rows = rows_of(export_bytes(project, "trl", gold_only=True, unit="judgment")[0])
    assert {r["expert"] for r in rows} == {"expert-00000061"}
    rows = rows_of(export_bytes(project, "trl", gold_only=True, gold_threshold=0.6, unit="judgment")[0])
    assert {r["expert"] for r in rows} == {"expert-00000061", "expert-00000062"}


def test_date_range_is_inclusive_and_utc(seed, export_bytes):
    project = seed.project("pairwise", overlap=1)
    for n in range(3):
        seed.judge(project, seed.item(project, f"d{n}"), "a", {"preferred": "r1"}, at=T0 + timedelta(days=n))
    data, summary, _ = export_bytes(project, "trl", since=T0 + timedelta(days=1), until=T0 + timedelta(days=1))
    assert [r["id"] for r in rows_of(data)] == ["d1"]
    assert summary.left_out["judgment: outside the date range"] == 2


def test_batches(seed, export_bytes):
    project = seed.project("pairwise", overlap=1)
    second = seed.batch(project, "more.jsonl")
    seed.judge(project, seed.item(project, "first"), "a", {"preferred": "r1"})
    seed.judge(project, seed.item(project, "second", batch=second), "a", {"preferred": "r1"})
    assert [r["id"] for r in rows_of(export_bytes(project, "trl", batches=(second.id,))[0])] == ["second"]
    with pytest.raises(ExportError, match="batches: 999"):
        export_bytes(project, "trl", batches=(999,))


def test_adjudication_decides_the_item(seed, export_bytes):
    project = seed.project("pairwise", overlap=2)
    item = seed.item(project, "x")
    seed.judge(project, item, "a", {"preferred": "r1"})
    seed.judge(project, item, "b", {"preferred": "r2"})
    seed.judge(project, item, "c", {"preferred": "r2"}, adjudication=True)
    rows = rows_of(export_bytes(project, "trl")[0])
    assert chosen_by_item(rows) == {"x": "Second answer to x."}
    # Per judgment, the adjudication is one more row; raw says which it is.
    assert len(rows_of(export_bytes(project, "trl", unit="judgment")[0])) == 3
    raw = rows_of(export_bytes(project, "raw")[0])
    assert [r["adjudication"] for r in raw] == [False, False, True]


def test_an_adjudication_alone_does_not_complete_an_item(seed, export_bytes):
    project = seed.project("pairwise", overlap=2)
    item = seed.item(project, "x")
    seed.judge(project, item, "a", {"preferred": "r1"})
    seed.judge(project, item, "c", {"preferred": "r1"}, adjudication=True)
    data, summary, _ = export_bytes(project, "trl")
    assert data == b""
    assert "item: incomplete (fewer judgments than the overlap)" in summary.left_out


def both_bad_project(seed, votes: dict[str, dict], overlap: int = 3):
    project = seed.project("pairwise", overlap=overlap)
    item = seed.item(project, "x")
    for expert, answers in votes.items():
        seed.judge(project, item, expert, answers)
    return project


BOTH_BAD = {"preferred": "tie", "both_bad": True}


def test_kto_rejects_both_responses_when_most_experts_say_both_bad(seed, export_bytes, validate):
    project = both_bad_project(seed, {"a": BOTH_BAD, "b": BOTH_BAD, "c": {"preferred": "r1"}})
    data, summary, _ = export_bytes(project, "trl-kto")
    rows = rows_of(data)
    validate("trl-kto", rows)
    assert [(r["id"], r["completion"][0]["content"], r["label"]) for r in rows] == [
        ("x", "First answer to x.", False),
        ("x", "Second answer to x.", False),
    ]
    assert (summary.items, summary.judgments_used, summary.ties, summary.left_out) == (1, 3, 2, {})
    # Formats that need a chosen response have nothing to say about the item: both-bad votes are ties.
    data, summary, _ = export_bytes(project, "trl")
    assert data == b""
    assert summary.left_out == {"item: the experts call it a tie": 1}


def test_kto_tells_both_bad_from_a_tie(seed, export_bytes):
    # Two plain ties outvote one both-bad: the experts call it a tie, no row.
    project = both_bad_project(seed, {"a": {"preferred": "tie"}, "b": {"preferred": "tie"}, "c": BOTH_BAD})
    data, summary, _ = export_bytes(project, "trl-kto")
    assert data == b""
    assert summary.left_out == {"item: the experts call it a tie": 1}


def test_kto_both_bad_per_vote_and_by_adjudication(seed, export_bytes):
    split = {"a": BOTH_BAD, "b": {"preferred": "r2"}, "c": {"preferred": "tie"}}
    project = both_bad_project(seed, split, overlap=2)
    adjudicated = seed.project("pairwise", slug="adjudicated", overlap=2)
    item = seed.item(adjudicated, "x")
    for expert, answers in split.items():
        seed.judge(adjudicated, item, expert, answers)
    seed.judge(adjudicated, item, "d", BOTH_BAD, adjudication=True)
    rows = rows_of(export_bytes(project, "trl-kto", unit="judgment")[0])
    # a's both-bad vote: both responses rejected; b's vote: r2 then r1; c's tie: no row.
    assert [(r["expert"][-2:], r["completion"][0]["content"][:5], r["label"]) for r in rows] == [
        ("61", "First", False),
        ("61", "Secon", False),
        ("62", "Secon", True),
        ("62", "First", False),
    ]
    # A three-way split has no majority; an adjudication that says both bad decides it.
    data, summary, _ = export_bytes(project, "trl-kto")
    assert data == b""
    assert summary.left_out == {"item: no majority (tied vote)": 1}
    rows = rows_of(export_bytes(adjudicated, "trl-kto")[0])
    assert [(r["completion"][0]["content"][:5], r["label"]) for r in rows] == [("First", False), ("Secon", False)]


def test_prompt_messages_keep_only_role_and_content(seed, export_bytes):
    project = seed.project("pairwise", overlap=1)
    prompt = [
        {"role": "user", "content": "What is shown?", "media": {"type": "image", "src": "cat.png"}},
        {"content": "Keys in another order.", "role": "assistant"},
        {"role": "user", "content": "And now?"},
    ]
    item = seed.item(project, "x", prompt=prompt)
    seed.judge(project, item, "a", {"preferred": "r1"})
    row = rows_of(export_bytes(project, "trl")[0])[0]
    assert row["prompt"] == [
        {"role": "user", "content": "What is shown?"},
        {"content": "Keys in another order.", "role": "assistant"},
        {"role": "user", "content": "And now?"},
    ]
    # raw keeps the prompt as imported.
    assert rows_of(export_bytes(project, "raw")[0])[0]["prompt"] == prompt


def test_experts_are_named_by_pseudonym_even_after_they_leave(seed, export_bytes):
    import hashlib

    from annotate.models import ProjectMember

    project = seed.project("pairwise", overlap=1)
    seed.judge(project, seed.item(project, "x"), "a", {"preferred": "r1"})
    seed.judge(project, seed.item(project, "y"), "b", {"preferred": "r2"})
    gone = seed.experts["b"]
    seed.session.query(ProjectMember).filter_by(project_id=project.id, user_id=gone.id).delete()
    rows = rows_of(export_bytes(project, "trl", unit="judgment")[0])
    stable = "expert-" + hashlib.sha256(f"{project.id}:{gone.id}".encode()).hexdigest()[:8]
    assert [(r["id"], r["expert"]) for r in rows] == [("x", "expert-00000061"), ("y", stable)]


def test_ranking_unanimous_and_min_agreement(build, export_bytes):
    project = build("ranking")
    data, summary, _ = export_bytes(project, "ranking", aggregation="unanimous")
    assert [r["id"] for r in rows_of(data)] == ["k2"]  # k1's two rankings differ on r1 vs r3
    data, summary, _ = export_bytes(project, "ranking", min_agreement=0.9)
    assert [r["id"] for r in rows_of(data)] == ["k2"]  # k1: pairs agree 1, 1, 0.5 -> 0.83
    assert summary.abstains == 1


def test_rubric_unanimous(build, export_bytes):
    rows = rows_of(export_bytes(build("rubric"), "rubric", aggregation="unanimous")[0])
    assert {r["id"] for r in rows} == {"u2"}


def test_raw_keeps_rejected_judgments_with_their_status(build, export_bytes):
    rows = rows_of(export_bytes(build("pairwise"), "raw")[0])
    assert len(rows) == 14
    rejected = [r for r in rows if r["review"]["status"] == "rejected"]
    assert [(r["item_id"], r["expert"]) for r in rejected] == [("p4", "expert-00000063")]
    assert rejected[0]["review"]["comment"] == "rejected"


def test_raw_is_lossless_and_names_no_email_unless_asked(seed, export_bytes):
    project = seed.project("pairwise", overlap=1)
    meta = {"source": "hh", "score": 3, "nested": {"a": [1, "two", None]}, "ünï": "ok"}
    item = seed.item(project, "x", meta=meta, gold={"preferred": "r2"})
    seed.judge(project, item, "a", {"preferred": "r1", "rationale": "because"}, order=["r2", "r1"])
    data = export_bytes(project, "raw")[0]
    row = rows_of(data)[0]
    assert b"@example.org" not in data
    assert orjson.loads(row["metadata"]) == meta
    assert orjson.loads(row["gold"]) == {"preferred": "r2"}
    assert row["answers"] == {"preferred": "r1", "rationale": "because"}
    assert row["display_order"] == ["r2", "r1"]
    assert row["template"] == {"name": "pairwise-test", "kind": "pairwise", "version": 3}
    with_emails = rows_of(export_bytes(project, "raw", emails=True)[0])[0]
    assert with_emails["expert_email"] == "a@example.org"


@pytest.mark.parametrize(
    ("kind", "fmt", "options", "message"),
    [
        ("ranking", "trl", {}, "format: trl exports pairwise projects; this project is ranking"),
        ("pairwise", "raw", {"unit": "item"}, "unit: raw has one row per judgment"),
        ("pairwise", "trl", {"pairs": True}, "pairs: --pairs applies to the ranking format only"),
        ("pairwise", "trl", {"binarize": True}, "binarize:"),
        ("pairwise", "trl", {"emails": True}, "emails:"),
        ("pairwise", "trl", {"aggregation": "mean"}, "aggregation:"),
        ("pairwise", "trl", {"min_agreement": 1.5}, "min_agreement:"),
        ("rubric", "battles", {}, "format: battles exports pairwise projects"),
    ],
)
def test_bad_options_name_the_field(seed, export_bytes, kind, fmt, options, message):
    project = seed.project(kind)
    with pytest.raises(ExportError) as caught:
        export_bytes(project, fmt, **options)
    assert str(caught.value).startswith(message)
