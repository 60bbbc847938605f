"""Per-turn judgments: in a multi-turn prompt, a rating or a flag (with reasons) on each
assistant turn, for any kind, when the template asks (its top-level ``turns`` setting).

They are stored with the judgment (``Judgment.turns``), not in its answers, so every kind's
answer schema, hooks and exports stay as they are: ``[{"turn": 2, "rating": 4, "flagged":
false, "reasons": [], "comment": ""}, …]``, ``turn`` being the message's index in the item's
prompt (0-based, as in ``raw``'s ``prompt``). Checked on the server against the prompt; every
problem names the turn the way the page shows it ("Turn 2", the assistant's first reply).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from annotate.kinds.scales import SCALE_SCHEMA, scale_checks, scale_values
from annotate.validation import InvalidDocument, Problem

MAX_REASONS = 20
COMMENT_MAX = 2000
DEFAULT_SCALE = {"min": 1, "max": 5, "anchors": {"1": "Bad", "5": "Excellent"}}

# The template's top-level "turns" object (task_templates/schema.json carries it).
TURNS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ask"],
    "description": "Per-turn judgments (annotate/turns.py): a rating or a flag with reasons on each assistant "
    "turn of a multi-turn prompt, for any kind; stored with the judgment and exported in raw.",
    "properties": {
        "ask": {
            "enum": ["score", "flag"],
            "description": "score: a point of the scale; flag: flagged or not, with reasons",
        },
        "label": {"type": "string", "minLength": 1, "maxLength": 200},
        "scale": SCALE_SCHEMA,
        "reasons": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 200},
            "uniqueItems": True,
            "maxItems": MAX_REASONS,
        },
        "required": {"type": "boolean", "default": False},
    },
}


def config_of(template: Mapping[str, Any]) -> dict[str, Any] | None:
    """The template's per-turn setting, or None when it asks for none."""
    found = template.get("turns")
    return dict(found) if isinstance(found, dict) else None


def config_problems(config: Mapping[str, Any]) -> list[Problem]:
    """What the schema cannot say: a sound scale; reasons only make sense with a flag."""
    found = [Problem(f"turns.scale.{p}", m) for p, m in scale_checks(config["scale"])] if "scale" in config else []
    if config.get("ask") == "score" and config.get("reasons"):
        found.append(Problem("turns.reasons", "reasons go with ask: flag (not score)"))
    return found


def assistant_turns(prompt: Sequence[Mapping[str, Any]]) -> list[int]:
    """The indices of the prompt's assistant messages: the turns a judgment may rate."""
    return [i for i, m in enumerate(prompt) if m.get("role") == "assistant"]


def scale_of(config: Mapping[str, Any]) -> dict[str, Any]:
    return dict(config.get("scale") or DEFAULT_SCALE)


def label_of(config: Mapping[str, Any]) -> str:
    default = "Rate this reply" if config.get("ask") == "score" else "Flag this reply if something is wrong"
    return str(config.get("label") or default)


def number_of(prompt: Sequence[Mapping[str, Any]], index: int) -> int:
    """The turn's number as the page shows it: 1 for the assistant's first reply, and so on."""
    return assistant_turns(prompt).index(index) + 1


def from_form(config: Mapping[str, Any] | None, prompt: Sequence[Mapping[str, Any]], form: Any) -> list[dict] | None:
    """The per-turn fields of the task form (``turn-<i>-rating``, ``turn-<i>-flagged``,
    ``turn-<i>-reason`` repeated, ``turn-<i>-comment``) as the stored list; None without the setting."""
    if config is None:
        return None
    found = []
    for index in assistant_turns(prompt):
        rating = (form.get(f"turn-{index}-rating") or "").strip()
        flagged = form.get(f"turn-{index}-flagged") == "1"
        reasons = [r for r in form.getlist(f"turn-{index}-reason") if r]
        comment = (form.get(f"turn-{index}-comment") or "").replace("\r\n", "\n").strip()
        if not (rating or flagged or reasons or comment):
            continue
        value: int | str | None = None
        if rating:
            value = int(rating) if rating.lstrip("-").isdigit() and len(rating) < 6 else rating
        found.append({"turn": index, "rating": value, "flagged": flagged, "reasons": reasons, "comment": comment})
    return found


def problems(config: Mapping[str, Any] | None, prompt: Sequence[Mapping[str, Any]], turns: Any) -> list[Problem]:
    """Everything wrong with ``turns`` for a prompt, in the expert's words, paths under ``turns``."""
    if config is None:
        return [] if turns in (None, []) else [Problem("turns", "this task asks for no per-turn judgments")]
    if turns is None:
        turns = []
    if not isinstance(turns, list):
        return [Problem("turns", "expected a list of per-turn judgments")]
    allowed = assistant_turns(prompt)
    ask = config.get("ask")
    values = scale_values(scale_of(config))
    reasons = list(config.get("reasons") or [])
    found: list[Problem] = []
    seen: set[int] = set()
    for i, entry in enumerate(turns):
        where = f"turns[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("turn"), int) or isinstance(entry["turn"], bool):
            found.append(Problem(where, "expected an object with the turn's index in the prompt (turn)"))
            continue
        extra = set(entry) - {"turn", "rating", "flagged", "reasons", "comment"}
        if extra:
            found.append(Problem(where, f"unknown field(s): {', '.join(sorted(extra))}"))
        index = entry["turn"]
        if index not in allowed:
            found.append(Problem(f"{where}.turn", f"{index} is not an assistant turn of the prompt ({allowed})"))
            continue
        if index in seen:
            found.append(Problem(f"{where}.turn", f"turn {index} is judged twice"))
            continue
        seen.add(index)
        name = f"Turn {number_of(prompt, index)}"
        rating, flagged = entry.get("rating"), entry.get("flagged", False)
        given = entry.get("reasons", [])
        comment = entry.get("comment", "")
        if ask == "score":
            if rating is not None and (isinstance(rating, bool) or rating not in values):
                found.append(Problem(f"{where}.rating", f"{name}: choose a rating from {values[0]} to {values[-1]}."))
            elif rating is None and config.get("required"):
                found.append(Problem(f"{where}.rating", f"{name}: choose a rating."))
            if flagged or given:
                found.append(Problem(f"{where}.flagged", f"{name}: this task rates turns; it does not flag them."))
        else:
            if rating is not None:
                found.append(Problem(f"{where}.rating", f"{name}: this task flags turns; it does not rate them."))
            if not isinstance(flagged, bool):
                found.append(Problem(f"{where}.flagged", f"{name}: flagged is true or false."))
            elif not isinstance(given, list) or not all(isinstance(r, str) for r in given):
                found.append(Problem(f"{where}.reasons", f"{name}: reasons are a list of the template's reasons."))
            elif any(r not in reasons for r in given):
                bad = next(r for r in given if r not in reasons)
                found.append(Problem(f"{where}.reasons", f"{name}: “{bad[:60]}” is not one of the reasons offered."))
            elif flagged and reasons and not given:
                found.append(Problem(f"{where}.reasons", f"{name}: say why you flag it (choose a reason)."))
            elif given and not flagged:
                found.append(Problem(f"{where}.flagged", f"{name}: tick “Flag” to give reasons."))
        if not isinstance(comment, str) or len(comment) > COMMENT_MAX:
            found.append(Problem(f"{where}.comment", f"{name}: a comment is text of at most {COMMENT_MAX} characters."))
    if ask == "score" and config.get("required"):
        for index in allowed:
            if index not in seen:
                found.append(Problem(f"turns.{index}", f"Turn {number_of(prompt, index)}: choose a rating."))
    return found


def check(config: Mapping[str, Any] | None, prompt: Sequence[Mapping[str, Any]], turns: Any) -> list[dict] | None:
    """The per-turn judgments to store (each with every field, in prompt order), or
    InvalidDocument naming each problem; None when the template asks for none."""
    found = problems(config, prompt, turns)
    if found:
        raise InvalidDocument(found, "turns")
    if config is None:
        return None
    return sorted(
        (
            {
                "turn": e["turn"],
                "rating": e.get("rating"),
                "flagged": bool(e.get("flagged", False)),
                "reasons": list(e.get("reasons", [])),
                "comment": e.get("comment", ""),
            }
            for e in turns or []
        ),
        key=lambda e: e["turn"],
    )


def by_turn(turns: list[dict] | None) -> dict[int, dict]:
    """The stored (or refilled) per-turn judgments by the turn's index, for the pages."""
    return {e["turn"]: e for e in turns or [] if isinstance(e, dict) and isinstance(e.get("turn"), int)}


def errors_by_turn(errors: Sequence[Problem] | None, turns: list[dict] | None) -> dict[int, list[str]]:
    """Each turn's problems (by the turn's index in the prompt), to show next to its controls."""
    found: dict[int, list[str]] = {}
    listed = list(turns or [])
    for problem in errors or []:
        path = problem.path
        index: int | None = None
        if path.startswith("turns[") and "]" in path:
            position = int(path[6 : path.index("]")])
            if position < len(listed) and isinstance(listed[position], dict):
                index = listed[position].get("turn")
        elif path.startswith("turns.") and path[6:].isdigit():
            index = int(path[6:])
        if isinstance(index, int):
            found.setdefault(index, []).append(problem.message)
    return found
