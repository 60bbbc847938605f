"""Demonstration: what the server adds to an answer, and what gold scoring and agreement read.

A demonstration is free text: it has no nominal vote experts could agree on. Agreement sees
only the abstention (when the template offers abstain reasons) and, when the checklist is not
required, each checklist point as ticked or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rapidfuzz.distance import Levenshtein

from annotate.kinds import common
from annotate.kinds.base import ITEM, Answers, Config, GoldMatch, Question, Vote
from annotate.kinds.demonstration.schema import policy


def complete(config: Config, answers: Any, responses: Sequence[Mapping[str, Any]]) -> Any:
    """The draft's record, measured here whatever the client sent: the Levenshtein distance
    (characters inserted, deleted or replaced) from the draft to the text, and the normalised
    similarity (1 = unchanged). Answers of any other shape are returned untouched (the schema
    then names what is wrong)."""
    if not isinstance(answers, dict) or common.is_abstain(answers) or not isinstance(answers.get("text"), str):
        return answers
    shown = policy(config, [r["id"] for r in responses])
    if shown == "never":
        return answers
    draft = responses[0].get("content") or ""
    sent = answers.get("draft")
    given: dict[str, Any] = sent if isinstance(sent, dict) else {}
    started = given.get("started_from") is True
    text = answers["text"]
    return {
        **answers,
        "draft": {
            "policy": shown,
            "shown": started or shown == "prefilled" or given.get("shown") is True,
            "started_from": started,
            "distance": Levenshtein.distance(draft, text),
            "similarity": round(Levenshtein.normalized_similarity(draft, text), 4),
        },
    }


def questions(config: Config) -> list[Question]:
    found = []
    if config.get("checklist") and not config.get("checklist_required", True):
        for point in config["checklist"]:
            label = f"Checklist: {point['label']}"
            found.append(Question(f"checklist.{point['id']}", label, "nominal", domain=(False, True), headline=False))
    return found + common.abstain_questions(config)


def votes(config: Config, answers: Answers, response_ids: list[str]) -> list[Vote]:
    if common.is_abstain(answers):
        return common.abstain_votes(config, answers)
    found = []
    if config.get("checklist") and not config.get("checklist_required", True):
        ticks = answers.get("checklist") or {}
        found = [Vote(f"checklist.{p['id']}", ITEM, bool(ticks.get(p["id"]))) for p in config["checklist"]]
    return found + common.abstain_votes(config, answers)


def gold_match(config: Config, answers: Answers, gold: dict[str, Any]) -> GoldMatch:
    """Every ``must_include`` phrase is in the text (ignoring case), and the text is at least
    ``min_similarity`` (default 0.5) like the ``reference``; None when the gold answer fixes neither."""
    text = answers.get("text") or ""
    phrases = gold.get("must_include") or []
    reference = gold.get("reference")
    if not phrases and not reference:
        return None
    folded = text.casefold()
    if any(p.casefold() not in folded for p in phrases):
        return False
    if reference:
        return Levenshtein.normalized_similarity(reference, text) >= gold.get("min_similarity", 0.5)
    return True
