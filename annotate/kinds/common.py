"""Schema pieces and form helpers every kind shares: keys, rationale, abstention."""

from __future__ import annotations

from collections import Counter
from typing import Any

from annotate.kinds.base import ITEM, Answers, Check, Config, Question, Vote

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TEXT_MAX = 20_000
# The name of a task form button that shows the page again with what was typed, submitting
# nothing (a Markdown preview, "start from the draft", with JavaScript off); its value says why.
REFRESH = "_refresh"
# Reserved by the workbench page (help, submit, instructions, skip): a kind may not take them.
RESERVED_KEYS = frozenset({"?", "Enter", "Escape", "Tab", " "})

# One key: a single printable character, or a named key KeyboardEvent.key reports.
KEY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"^(.|Arrow(Up|Down|Left|Right)|Home|End|PageUp|PageDown|Delete|Backspace|F([1-9]|1[0-2]))$",
}
# The id of a criterion (pairwise verdicts, rubric scores): also a key of answers and export columns.
ID_SCHEMA = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}
REASON_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200}
RATIONALE_CONFIG = {
    "rationale": {"enum": ["off", "optional", "required"], "default": "optional"},
    "rationale_min_length": {"type": "integer", "minimum": 0, "maximum": 5000, "default": 0},
}
ABSTAIN_CONFIG = {
    "abstain_reasons": {
        "type": "array",
        "items": REASON_SCHEMA,
        "uniqueItems": True,
        "maxItems": 20,
        "description": "Reasons an expert may give instead of an answer; none means no abstaining.",
    },
}


def keys_schema(actions: list[str]) -> dict[str, Any]:
    """Config schema of a ``keys`` object that may rebind ``actions``."""
    return {"type": "object", "additionalProperties": False, "properties": dict.fromkeys(actions, KEY_SCHEMA)}


def merged_keys(defaults: dict[str, str], config: Config) -> dict[str, str]:
    """The template's keys over the kind's defaults, in the defaults' order; the
    abstain key only when the template offers abstain reasons."""
    found = {**defaults, **config.get("keys", {})}
    if not config.get("abstain_reasons"):
        found.pop("abstain", None)
    return found


def key_conflicts(keys: dict[str, str]) -> list[Check]:
    """Two actions on one key, or a key the page itself uses, as config problems."""
    found: list[Check] = []
    counts = Counter(keys.values())
    for action, key in keys.items():
        if key in RESERVED_KEYS:
            found.append((f"keys.{action}", f"{key!r} is reserved by the task page"))
        elif counts[key] > 1:
            others = sorted(a for a, k in keys.items() if k == key and a != action)
            found.append((f"keys.{action}", f"{key!r} is also the key for {', '.join(others)}"))
    return found


def rationale_schema(config: Config, max_length: int = TEXT_MAX) -> dict[str, Any]:
    """Schema of one rationale string under the config's rationale mode."""
    minimum = config.get("rationale_min_length", 0) if config.get("rationale", "optional") == "required" else 0
    return {"type": "string", "minLength": minimum, "maxLength": max_length}


def answer_with_rationale(
    config: Config, properties: dict[str, Any], required: list[str], max_length: int = TEXT_MAX
) -> dict[str, Any]:
    """The full answer schema of a kind whose answer is ``properties`` (``required`` of them)
    plus the template's rationale (off, optional or required), or an abstention."""
    properties, required = dict(properties), list(required)
    rationale = config.get("rationale", "optional")
    if rationale != "off":
        properties["rationale"] = rationale_schema(config, max_length)
        if rationale == "required":
            required.append("rationale")
    answer = {"type": "object", "additionalProperties": False, "required": required, "properties": properties}
    return with_abstain(config, answer)


def abstain_schema(config: Config) -> dict[str, Any]:
    """``{"abstain": {"reason": …, "comment": …}}`` with no other keys."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["abstain"],
        "properties": {
            "abstain": {
                "type": "object",
                "additionalProperties": False,
                "required": ["reason"],
                "properties": {
                    "reason": {"enum": list(config.get("abstain_reasons", []))},
                    "comment": {"type": "string", "maxLength": TEXT_MAX},
                },
            }
        },
    }


def with_abstain(config: Config, answer: dict[str, Any]) -> dict[str, Any]:
    """The full answer schema: an abstention (when the template allows it) or ``answer``.

    ``if``/``then``/``else`` rather than ``oneOf`` so that errors name the failing
    field instead of "not valid under any of the given schemas".
    """
    schema: dict[str, Any] = {"$schema": SCHEMA_DIALECT}
    if config.get("abstain_reasons"):
        schema.update(
            {"if": {"type": "object", "required": ["abstain"]}, "then": abstain_schema(config), "else": answer}
        )
    else:
        schema.update(answer)
    return schema


def is_abstain(answers: Answers) -> bool:
    return isinstance(answers, dict) and "abstain" in answers


ABSTAIN = "abstain-reason"  # the question id: never a criterion id (those have no "-")
ANSWERED = ""  # the ABSTAIN question's value for an answer that did not abstain (reasons are never empty)


def abstain_questions(config: Config) -> list[Question]:
    """Whether the expert abstained, and why (nominal), when the template offers abstain reasons."""
    reasons = config.get("abstain_reasons") or []
    if not reasons:
        return []
    label = "Abstained, and why (empty: answered)"
    return [Question(ABSTAIN, label, "nominal", domain=(ANSWERED, *reasons), headline=False)]


def abstain_votes(config: Config, answers: Answers) -> list[Vote]:
    """The answer's vote on the ABSTAIN question: the reason it gives, or ANSWERED."""
    if not config.get("abstain_reasons"):
        return []
    reason = answers["abstain"].get("reason", ANSWERED) if is_abstain(answers) else ANSWERED
    return [Vote(ABSTAIN, ITEM, reason)]


def one_or_several(values: list[Any]) -> dict[str, Any]:
    """Schema of a gold field that takes one of ``values``, or a list of the ones that count as right."""
    return {
        "if": {"type": "array"},
        "then": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": values}},
        "else": {"enum": values},
    }


def as_list(value: Any) -> list[Any]:
    """A gold field's accepted values: the list it holds, or the one value."""
    return list(value) if isinstance(value, list) else [value]


def ranks_of(ranking: list[list[str]]) -> dict[str, int]:
    """Response id -> rank (1 = best; tied responses share the rank, the next tier's rank
    counts them: [[a], [b, c], [d]] ranks a 1, b and c 2, d 4)."""
    found, seen = {}, 0
    for tier in ranking:
        for response_id in tier:
            found[response_id] = seen + 1
        seen += len(tier)
    return found


def abstain_from_form(config: Config, form: Any) -> Answers | None:
    """The abstention the form asks for (``abstain_reason`` set), or None."""
    reason = (form.get("abstain_reason") or "").strip()
    if not reason or not config.get("abstain_reasons"):
        return None
    abstain: dict[str, str] = {"reason": reason}
    comment = (form.get("abstain_comment") or "").strip()
    if comment:
        abstain["comment"] = comment
    return {"abstain": abstain}


def text_from_form(form: Any, name: str) -> str:
    """A text field with surrounding white space removed and line endings normalised."""
    return (form.get(name) or "").replace("\r\n", "\n").strip()


def rationale_from_form(config: Config, form: Any, answers: Answers, name: str = "rationale") -> None:
    """Put the form's rationale into ``answers`` as the config asks (left out when empty and optional)."""
    mode = config.get("rationale", "optional")
    if mode == "off":
        return
    text = text_from_form(form, name)
    if text or mode == "required":
        answers["rationale"] = text


def int_or_raw(value: str | None) -> int | str | None:
    """A form number as an int; a non-number is kept so the schema names it; empty is None."""
    if value is None or value.strip() == "":
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return value.strip()
    # A huge number is no scale point; kept as text it is refused with its path,
    # where as an int it would overflow JSON encoding (64-bit) in the error message.
    return number if abs(number) < 10**9 else value.strip()


def criterion_label(config: Config, cid: str) -> str:
    """The label a template gives criterion ``cid`` (the id when it has none)."""
    for criterion in config.get("criteria", []):
        if criterion.get("id") == cid:
            return criterion.get("label") or cid
    return cid


def shared_explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """Wording for the fields several kinds share: the rationale and an abstention."""
    if path == "rationale":
        minimum = config.get("rationale_min_length", 0)
        return f"Write a rationale of at least {minimum} characters." if minimum else "Write a rationale."
    if path.startswith("abstain"):
        return "Choose why you cannot answer, or choose “I will answer”."
    return None
