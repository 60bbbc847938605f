"""Caption: what agreement reads from an answer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from annotate.kinds import common
from annotate.kinds.base import ITEM, Answers, Config, Question, Vote


def covered_seconds(segments: Iterable[Mapping[str, Any]]) -> float:
    """Seconds of the clip inside at least one segment (overlaps counted once)."""
    total, reach = 0.0, None
    for start, end in sorted((s["start"], s["end"]) for s in segments):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return round(total, 3)


def questions(config: Config) -> list[Question]:
    """How finely experts segment (the number of segments) and how much of the clip they
    caption (seconds covered), both on a ratio scale; abstaining. Caption texts are compared by
    people (review), not by agreement."""
    return [
        Question("segments", "Number of caption segments", "ratio"),
        Question("covered_seconds", "Seconds of the clip covered by captions", "ratio", headline=False),
        *common.abstain_questions(config),
    ]


def votes(config: Config, answers: Answers, response_ids: list[str]) -> list[Vote]:
    if common.is_abstain(answers):
        return common.abstain_votes(config, answers)
    segments = answers.get("segments")
    if not isinstance(segments, list):
        return []
    return [
        Vote("segments", ITEM, len(segments)),
        Vote("covered_seconds", ITEM, covered_seconds(segments)),
        *common.abstain_votes(config, answers),
    ]
