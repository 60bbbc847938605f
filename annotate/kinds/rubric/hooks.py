"""Rubric: what exports, agreement and gold scoring read from an answer."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Config, GoldMatch, Pair, Question, Vote
from annotate.kinds.scales import gold_score_matches, scale_question

GOLD_TOLERANCE = 1  # a gold score matches a score at most this far from it, unless the gold answer says


def mean_scores(config: Config, answers: Answers) -> dict[str, float]:
    """Each response's mean score over the criteria, each criterion normalised to 0..1."""
    if common.is_abstain(answers):
        return {}
    out: dict[str, float] = {}
    for rid, row in answers.get("scores", {}).items():
        parts = [
            (row[c["id"]] - c["scale"]["min"]) / (c["scale"]["max"] - c["scale"]["min"])
            for c in config["criteria"]
            if c["id"] in row
        ]
        if parts:
            out[rid] = sum(parts) / len(parts)
    return out


def preference(answers: Answers) -> str | None:
    """Rubric scores imply no preference without the config; use ``pairs`` for margins."""
    return None


def pairs(config: Config, answers: Answers, response_ids: list[str]) -> list[Pair]:
    """(better, worse, margin) for every pair whose normalised mean scores differ."""
    means = mean_scores(config, answers)
    ids = [r for r in response_ids if r in means]
    found: list[Pair] = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if means[a] != means[b]:
                better, worse = (a, b) if means[a] > means[b] else (b, a)
                found.append((better, worse, round(abs(means[a] - means[b]), 6)))
    return found


def questions(config: Config) -> list[Question]:
    """Each criterion's score per response, at its scale's level; abstaining."""
    return [scale_question(c["id"], c["label"], c["scale"]) for c in config["criteria"]] + common.abstain_questions(
        config
    )


def votes(config: Config, answers: Answers, response_ids: list[str]) -> list[Vote]:
    if common.is_abstain(answers):
        return common.abstain_votes(config, answers)
    scores = answers.get("scores") or {}
    found = [
        Vote(c["id"], rid, scores[rid][c["id"]])
        for c in config["criteria"]
        for rid in response_ids
        if isinstance((scores.get(rid) or {}).get(c["id"]), int)
    ]
    return found + common.abstain_votes(config, answers)


def gold_match(config: Config, answers: Answers, gold: dict[str, Any]) -> GoldMatch:
    """Every cell the gold answer fixes is matched (within the tolerance, or one of its list)."""
    scores = answers.get("scores", {})
    tolerance = gold.get("tolerance", GOLD_TOLERANCE)
    return all(
        gold_score_matches(scores.get(rid, {}).get(cid), value, tolerance)
        for rid, cells in gold["scores"].items()
        for cid, value in cells.items()
    )
