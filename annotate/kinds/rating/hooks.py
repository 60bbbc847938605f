"""Rating: what exports, agreement and gold scoring read from an answer."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import ITEM, Answers, Config, GoldMatch, Level, Question, Vote
from annotate.kinds.rating.schema import THUMBS, criterion_scale, mode, overall_scale, values

GOLD_TOLERANCE = 0  # a gold rating matches only itself, unless the gold answer gives a tolerance


def normalised(config: Config, scale: dict[str, Any], value: Any) -> float | None:
    """A rating as a score from 0 (the lowest point, thumbs down) to 1 (the highest, thumbs up)."""
    if mode(config) == "thumbs":
        return float(THUMBS.index(value)) if value in THUMBS else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    low, high = scale["min"], scale["max"]
    return round((value - low) / (high - low), 6) if high > low else None


def scores(config: Config, answers: Answers, response_ids: list[str]) -> dict[str, float]:
    """The rated response's overall rating, normalised to 0..1; nothing for an abstention."""
    if common.is_abstain(answers) or not response_ids:
        return {}
    score = normalised(config, overall_scale(config), answers.get("rating"))
    return {} if score is None else {response_ids[0]: score}


def level(scale: dict[str, Any]) -> Level:
    """A likert scale is ordinal unless the template says interval."""
    return "interval" if scale.get("level") == "interval" else "ordinal"


def _question(config: Config, qid: str, label: str, scale: dict[str, Any], headline: bool) -> Question:
    if mode(config) == "thumbs":
        return Question(qid, label, "nominal", domain=THUMBS, headline=headline)
    return Question(qid, label, level(scale), domain=tuple(values(config, scale)), headline=headline)


def questions(config: Config) -> list[Question]:
    """The overall rating (ordinal on a likert scale unless it says interval; nominal for thumbs),
    each criterion's rating (``criteria.<id>``), abstaining."""
    found = [_question(config, "rating", str(config.get("question") or "Rating"), overall_scale(config), True)]
    found += [
        _question(config, f"criteria.{c['id']}", c["label"], criterion_scale(config, c), False)
        for c in config.get("criteria", [])
    ]
    return found + common.abstain_questions(config)


def votes(config: Config, answers: Answers, response_ids: list[str]) -> list[Vote]:
    if common.is_abstain(answers):
        return common.abstain_votes(config, answers)
    if "rating" not in answers:
        return []
    found = [Vote("rating", ITEM, answers["rating"])]
    for cid, value in (answers.get("criteria") or {}).items():
        found.append(Vote(f"criteria.{cid}", ITEM, value))
    return found + common.abstain_votes(config, answers)


def _matches(given: Any, gold: Any, tolerance: int) -> bool:
    if isinstance(gold, list):
        return given in gold
    if isinstance(gold, int) and isinstance(given, int) and not isinstance(given, bool):
        return abs(given - gold) <= tolerance
    return bool(given == gold)


def gold_match(config: Config, answers: Answers, gold: dict[str, Any]) -> GoldMatch:
    """The overall rating and every criterion the gold answer fixes: the same value, one of a
    list, or (likert) within the gold answer's ``tolerance`` (default 0)."""
    tolerance = int(gold.get("tolerance", GOLD_TOLERANCE))
    checks = []
    if "rating" in gold:
        checks.append(_matches(answers.get("rating"), gold["rating"], tolerance))
    given = answers.get("criteria") or {}
    for cid, value in (gold.get("criteria") or {}).items():
        checks.append(_matches(given.get(cid), value, tolerance))
    return all(checks) if checks else None
