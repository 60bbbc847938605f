"""Ranking: the plain form post read as answers, the partial's helpers, and answer problems
in the expert's words."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Config


def from_form(config: Config, response_ids: list[str], form: Any) -> Answers:
    """Tiers from the ``rank-<id>`` fields (1 = best). Equal ranks make a tier; unranked ids are left out."""
    abstain = common.abstain_from_form(config, form)
    if abstain is not None:
        return abstain
    by_rank: dict[int, list[str]] = defaultdict(list)
    for rid in response_ids:
        value = common.int_or_raw(form.get(f"rank-{rid}"))
        if isinstance(value, int):
            by_rank[value].append(rid)
    answers: Answers = {"ranking": [by_rank[rank] for rank in sorted(by_rank)]}
    common.rationale_from_form(config, form, answers)
    return answers


def ranks(answers: Answers) -> dict[str, int]:
    """{response id: 1-based rank} from an answer, for refilling the form (tied ids share a rank)."""
    if common.is_abstain(answers):
        return {}
    return {rid: t + 1 for t, tier in enumerate(answers.get("ranking") or []) for rid in tier}


def ranking_ranks(answers: Mapping[str, Any] | None) -> dict[str, int]:
    """{response id: rank} of an answer being refilled ({} for none or an abstention)."""
    return ranks(dict(answers or {})) if answers and isinstance(answers.get("ranking"), list) else {}


def ranking_order(responses: list[Mapping[str, Any]], given: dict[str, int]) -> list[Mapping[str, Any]]:
    """Ranked responses by rank, then the unranked in display order (the initial, randomised order)."""
    position = {r["id"]: i for i, r in enumerate(responses)}
    return sorted(responses, key=lambda r: (given.get(r["id"], len(responses) + 1), position[r["id"]]))


def explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """The ranking's problems in the expert's words: all of them are about the whole list."""
    if path.startswith("ranking"):
        if config.get("allow_ties", False):
            return "Give every response a rank (1 = best); give two the same rank only to tie them."
        return f"Give every response a different rank from 1 to {len(names)} (1 = best); ties are not allowed here."
    return common.shared_explain(config, path, rule, names)


def anchor(path: str) -> str:
    """Every problem inside the ranking is shown by the list as a whole."""
    return "ranking" if path.startswith("ranking") else path
