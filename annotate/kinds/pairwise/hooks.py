"""Pairwise: what exports, agreement, gold scoring and adjudication read from an answer."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import ITEM, Answers, Choice, Config, GoldMatch, Pair, Question, Vote
from annotate.kinds.pairwise.schema import strength_labels


def preference(answers: Answers) -> str | None:
    """The preferred id or "tie"; None for an abstention or when both responses are bad."""
    if common.is_abstain(answers) or answers.get("both_bad"):
        return None
    return answers.get("preferred")


def strength(config: Config, answers: Answers) -> int | None:
    """The strength as its 1-based index in the config's labels (weakest = 1), or None."""
    labels = strength_labels(config)
    label = answers.get("strength")
    return labels.index(label) + 1 if label in labels else None


def choice(config: Config, answers: Answers) -> Choice | None:
    """The answer as it is: the preferred id or "tie", its strength (1 without a scale), both bad."""
    if common.is_abstain(answers) or "preferred" not in answers:
        return None
    return Choice(str(answers["preferred"]), strength(config, answers) or 1, bool(answers.get("both_bad")))


def pairs(config: Config, answers: Answers, response_ids: list[str]) -> list[Pair]:
    """One (chosen, rejected, strength) pair for a clear preference; none otherwise."""
    winner = preference(answers)
    if winner in (None, "tie"):
        return []
    return [(winner, loser, strength(config, answers)) for loser in response_ids if loser != winner]


def questions(config: Config) -> list[Question]:
    """The preferred response (nominal, over response ids or tie); with a strength scale, the
    preference and its strength on one signed scale (ordinal); each criterion's verdict; abstaining."""
    found = [Question("preference", "Preferred response (id) or tie", "nominal")]
    labels = strength_labels(config)
    if labels:
        n = len(labels)
        found.append(
            Question(
                "strength",
                "Strength of the preference, signed: + toward the item's first response, - toward its second, 0 a tie",
                "ordinal",
                domain=tuple(range(-n, n + 1)),
                headline=False,
            )
        )
    found += [
        Question(f"criteria.{c['id']}", f"{c['label']}: preferred response (id) or tie", "nominal", headline=False)
        for c in config.get("criteria", [])
    ]
    return found + common.abstain_questions(config)


def votes(config: Config, answers: Answers, response_ids: list[str]) -> list[Vote]:
    if common.is_abstain(answers):
        return common.abstain_votes(config, answers)
    preferred = answers.get("preferred")
    if preferred is None:
        return []
    found = [Vote("preference", ITEM, preferred)]
    if strength_labels(config) and len(response_ids) == 2:
        given = strength(config, answers) or 0
        sign = 1 if preferred == response_ids[0] else -1 if preferred == response_ids[1] else 0
        found.append(Vote("strength", ITEM, sign * given))
    for cid, verdict in (answers.get("criteria") or {}).items():
        found.append(Vote(f"criteria.{cid}", ITEM, verdict))
    return found + common.abstain_votes(config, answers)


def gold_match(config: Config, answers: Answers, gold: dict[str, Any]) -> GoldMatch:
    """The same verdict (a response id or "tie") as the gold answer, or one of its list."""
    return answers.get("preferred") in common.as_list(gold["preferred"])
