"""Ranking: what exports, agreement, gold scoring and adjudication read from an answer."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Config, GoldMatch, Pair, Question, Vote
from annotate.kinds.common import ranks_of
from annotate.kinds.ranking.schema import MAX_RESPONSES


def preference(answers: Answers) -> str | None:
    """The single best response when the ranking has a strict winner; None otherwise."""
    if common.is_abstain(answers):
        return None
    ranking = answers.get("ranking") or []
    if not ranking or len(ranking[0]) != 1:
        return "tie" if ranking else None
    return ranking[0][0]


def pairs(config: Config, answers: Answers, response_ids: list[str]) -> list[Pair]:
    """Every (better, worse) pair across tiers; the margin is how many tiers apart they are."""
    if common.is_abstain(answers):
        return []
    tiers = answers.get("ranking") or []
    return [
        (better, worse, float(j - i))
        for i, upper in enumerate(tiers)
        for j in range(i + 1, len(tiers))
        for better in upper
        for worse in tiers[j]
    ]


def questions(config: Config) -> list[Question]:
    """Each response's rank (ordinal), and abstaining."""
    rank = Question(
        "rank",
        "Rank (1 = best; tied responses share a rank)",
        "ordinal",
        per="response",
        domain=tuple(range(1, MAX_RESPONSES + 1)),
    )
    return [rank, *common.abstain_questions(config)]


def votes(config: Config, answers: Answers, response_ids: list[str]) -> list[Vote]:
    if common.is_abstain(answers):
        return common.abstain_votes(config, answers)
    given = ranks_of(answers.get("ranking") or [])
    found = [Vote("rank", rid, given[rid]) for rid in response_ids if rid in given]
    return found + common.abstain_votes(config, answers)


def gold_match(config: Config, answers: Answers, gold: dict[str, Any]) -> GoldMatch:
    """``best``: every response the answer ranks first is one of them. ``ranking``: every
    response's rank within the tolerance of its gold rank (0: the very same tiers)."""
    given = ranks_of(answers.get("ranking") or [])
    if "best" in gold:
        first = [rid for rid, rank in given.items() if rank == 1]
        return bool(first) and set(first) <= set(common.as_list(gold["best"]))
    expected = ranks_of(gold["ranking"])
    tolerance = gold.get("tolerance", 0)
    if set(given) != set(expected):
        return False
    return all(abs(given[rid] - rank) <= tolerance for rid, rank in expected.items())
