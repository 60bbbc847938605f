"""How the browser shows items and judgments: state, snippets, and each judgment in the
letters its expert saw (the assignment's recorded display order)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session

from annotate.models import Item, Judgment, Project, Review
from annotate.review import queries as review_queries
from annotate.review.show import answer_rows

SNIPPET = 160


def item_state(project: Project, judged: int, assigned: int) -> str:
    """open / in_progress / complete (the state filter's values, filters.ITEM_STATES), from the
    item's counts (disputes and skips are shown apart)."""
    if judged >= project.overlap:
        return "complete"
    if assigned or judged:
        return "in_progress"
    return "open"


def snippet(messages: list[dict[str, Any]], limit: int = SNIPPET) -> str:
    """The start of the last user turn (what the item asks), as plain text."""
    turns = [m for m in messages or [] if m.get("role") == "user"] or list(messages or [])
    content = turns[-1].get("content") if turns else ""
    if not isinstance(content, str):  # media parts
        content = " ".join(p.get("text", "") for p in content or [] if isinstance(p, dict))
    content = " ".join(content.split())
    return content if len(content) <= limit else content[: limit - 1] + "…"


def letters(order: list[str]) -> dict[str, str]:
    """Response id -> "Response A", … in the order this expert saw them."""
    return {rid: f"Response {chr(ord('A') + i)}" if i < 26 else f"Response {i + 1}" for i, rid in enumerate(order)}


@dataclass
class JudgmentView:
    judgment: Judgment
    pseudonym: str
    labels: dict[str, str]  # response id -> this expert's letter
    responses: list[dict[str, Any]]  # in this expert's order
    answers: list[tuple[str, str]]
    revisions: list[tuple[Any, str | None, list[tuple[str, str]]]]
    reviews: list[Review]


def judgment_view(
    session: Session, item: Item, judgment: Judgment, order: list[str], pseudonym: str | None, reviews: list[Review]
) -> JudgmentView:
    """One judgment as the researcher reads it: answers, revisions and reviews in its expert's letters."""
    by_id = {r["id"]: r for r in item.responses}
    # An order recorded before a response was added or removed: the rest follow in item order.
    order = [rid for rid in order or [] if rid in by_id] + [rid for rid in by_id if rid not in (order or [])]
    labels = letters(order)
    return JudgmentView(
        judgment=judgment,
        pseudonym=pseudonym or f"expert #{judgment.expert_id}",
        labels=labels,
        responses=[by_id[rid] for rid in order],
        answers=answer_rows(judgment.answers, labels),
        revisions=[
            (r, who, answer_rows(r.answers, labels))
            for r, who in session.execute(review_queries.revisions_of(judgment.id))
        ],
        reviews=[r for r in reviews if r.judgment_id == judgment.id],
    )


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def plain_rows(values: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(key, value as text) of a JSON object (metadata, a suggestion, a gold answer), as imported."""
    return [(str(k), _plain(v)) for k, v in (values or {}).items()]


def summary(answers: dict[str, Any] | None, limit: int = 140) -> str:
    """One line of a judgment's answers for a list (response ids as stored)."""
    line = "; ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in (answers or {}).items())
    return line if len(line) <= limit else line[: limit - 1] + "…"
