"""Showing answers to reviewers and adjudicators: response ids become the labels on the page."""

from __future__ import annotations

from typing import Any


def labelled(responses: list[dict[str, Any]]) -> dict[str, str]:
    """Response id -> "Response A", "Response B", … in the order shown."""
    return {
        r["id"]: f"Response {chr(ord('A') + i)}" if i < 26 else f"Response {i + 1}" for i, r in enumerate(responses)
    }


def their_letters(theirs: list[str] | None, labels: dict[str, str]) -> str | None:
    """How another person's letters map to this page's, when they saw another order:
    "their A is Response B here; their B is Response A here"; None when the orders agree."""
    order = [rid for rid in theirs or [] if rid in labels]
    if order == list(labels)[: len(order)]:
        return None
    return "; ".join(f"their {chr(ord('A') + i)} is {labels[rid]} here" for i, rid in enumerate(order) if i < 26)


def _show(value: Any, labels: dict[str, str]) -> str:
    if isinstance(value, str):
        return labels.get(value, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_show(v, labels) for v in value)
    if isinstance(value, dict):
        # Keys that are response ids (a critique per response, rubric scores) show as labels too.
        return "; ".join(f"{labels.get(k, k)}: {_show(v, labels)}" for k, v in value.items())
    return str(value)


def summary(answers: dict[str, Any], responses: list[dict[str, Any]], order: list[str] | None) -> dict[str, Any]:
    """One judgment as its expert saw it, for lists (history, returned): ``answer`` rows with the
    letters of ``order`` (the assignment's display order) and a ``snippet`` of each response."""
    from annotate.kinds.jinja import in_display_order

    shown = in_display_order(responses, order)
    labels = labelled(shown)
    snippets = [(labels[r["id"]].removeprefix("Response "), " ".join((r.get("content") or "").split())) for r in shown]
    return {"answer": answer_rows(answers, labels), "snippets": snippets}


def answer_rows(answers: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    """(field, value as shown) for each answer field; ids of responses shown as their labels."""
    return [(key.replace("_", " "), _show(value, labels)) for key, value in (answers or {}).items()]


def turn_rows(turns: list[dict[str, Any]] | None, prompt: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(which turn, the judgment of it as shown) for each per-turn judgment (annotate.turns)."""
    from annotate.turns import assistant_turns

    numbers = {index: n for n, index in enumerate(assistant_turns(prompt), 1)}
    rows = []
    for entry in turns or []:
        index = entry.get("turn")
        parts = []
        if entry.get("rating") is not None:
            parts.append(f"rated {entry['rating']}")
        if entry.get("flagged"):
            reasons = ", ".join(entry.get("reasons") or [])
            parts.append(f"flagged ({reasons})" if reasons else "flagged")
        if entry.get("comment"):
            parts.append(f"“{entry['comment']}”")
        number = numbers.get(index, "?") if isinstance(index, int) else "?"
        rows.append((f"Turn {number} (prompt message {index})", "; ".join(parts) or "no judgment"))
    return rows


def suggestion_seen(record: dict[str, Any] | None) -> str:
    """What the expert saw of the item's machine suggestion, in a sentence for reviewers."""
    if not record:
        return "The item has no machine suggestion."
    policy = record.get("policy", "hidden")
    if not record.get("seen"):
        return f"Hidden from the expert (policy: {policy})."
    when = (record.get("seen_at") or "")[:16].replace("T", " ")
    text = f"Seen by the expert from {when} UTC (policy: {policy})."
    if record.get("revised"):
        revised = (record.get("revised_at") or "")[:16].replace("T", " ")
        text += f" They changed their answer after seeing it ({revised} UTC)."
    elif policy == "after_answer":
        text += " They kept their answer."
    return text
