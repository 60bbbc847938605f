"""Checking a converted item: the canonical item JSON Schema, then the project's task kind.

Validating 100k items with ``jsonschema`` alone costs seconds, so a hand-written
check that accepts exactly a subset of what the schema accepts runs first; only an
item it rejects goes through ``jsonschema``, which names the JSON path and reason.
``tests/ingest/test_validate.py`` keeps the two in step.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson

from annotate.ingest.errors import RowError
from annotate.kinds import get_kind, gold_problems
from annotate.validation import problems

ROLES = frozenset({"system", "user", "assistant", "tool"})
MEDIA_TYPES = frozenset({"image", "audio", "video"})
ITEM_KEYS = frozenset({"id", "prompt", "responses", "metadata", "suggestion", "gold"})


@cache
def item_schema() -> dict[str, Any]:
    """The canonical item JSON Schema (published with the package)."""
    return orjson.loads((Path(__file__).parent / "item.schema.json").read_bytes())


def _media_ok(part: dict) -> bool:
    media = part.get("media")
    if media is None and "media" not in part:
        return True
    return (
        type(media) is dict
        and type(media.get("type")) is str
        and media["type"] in MEDIA_TYPES
        and type(media.get("src")) is str
        and len(media["src"]) >= 1
    )


def looks_valid(item: Any) -> bool:
    """A fast check that never accepts an item the schema rejects (it may reject more)."""
    if type(item) is not dict or not ITEM_KEYS.issuperset(item):
        return False
    ident, prompt, responses = item.get("id"), item.get("prompt"), item.get("responses")
    if type(ident) is not str or not 1 <= len(ident) <= 255:
        return False
    if type(prompt) is not list or not prompt or type(responses) is not list:
        return False
    for message in prompt:
        if type(message) is not dict or type(message.get("content")) is not str:
            return False
        role = message.get("role")
        if type(role) is not str or role not in ROLES:  # an unhashable role must not raise
            return False
        if not _media_ok(message):
            return False
    for response in responses:
        if type(response) is not dict or type(response.get("content")) is not str:
            return False
        rid = response.get("id")
        if type(rid) is not str or not 1 <= len(rid) <= 64:
            return False
        if "model" in response and response["model"] is not None and type(response["model"]) is not str:
            return False
        if not _media_ok(response):
            return False
    if "metadata" in item and type(item["metadata"]) is not dict:
        return False
    if not _suggestion_ok(item.get("suggestion")):
        return False
    return item.get("gold") is None or type(item["gold"]) is dict


# The suggestion's known fields and the type each must have (item.schema.json $defs/suggestion).
SUGGESTION_TEXT = {"preferred": 64, "model": 200, "source": 200, "rationale": 20_000, "label": 200}


def _suggestion_ok(suggestion: Any) -> bool:
    if suggestion is None:
        return True
    if type(suggestion) is not dict:
        return False
    for key, most in SUGGESTION_TEXT.items():
        value = suggestion.get(key)
        if key in suggestion and (type(value) is not str or len(value) > most or (key == "preferred" and not value)):
            return False
    score = suggestion.get("score")
    return "score" not in suggestion or (type(score) in (int, float))


def check_item(
    item: dict[str, Any], kind_name: str, blank_is_missing: bool = False, config: dict[str, Any] | None = None
) -> None:
    """Raise RowError (with the JSON path) unless ``item`` is a valid item for the kind.

    ``blank_is_missing``: the row came from a table (CSV, TSV), where an empty cell is a
    value left out, not an empty text: a blank response or prompt is then an error.
    ``config``: the project's template config, against which a gold answer is checked
    (``Kind.gold_schema``: it names the field, e.g. ``gold.preferred``)."""
    if not looks_valid(item):
        found = problems(item_schema(), item)
        if found:
            raise RowError(found[0].path, found[0].message)
    if blank_is_missing:
        _check_not_blank(item)
    ids = [r["id"] for r in item["responses"]]
    if len(set(ids)) != len(ids):
        raise RowError("responses", f"response ids must be unique, got {ids}")
    kind = get_kind(kind_name)
    problem = kind.responses_problem(len(ids))
    if problem:
        raise RowError("responses", problem)
    if config is not None and item.get("gold") is not None:
        found = gold_problems(kind, config, item["gold"], ids)
        if found:
            raise RowError(found[0].path, found[0].message)


def _blank(part: dict) -> bool:
    return not part["content"].strip() and not part.get("media")


def _check_not_blank(item: dict[str, Any]) -> None:
    # JSON sources keep "" (an HH-RLHF reply can be empty on purpose); a table cannot say
    # "empty" apart from "missing", and experts must never be asked to judge a missing reply.
    for index, response in enumerate(item["responses"]):
        if _blank(response):
            raise RowError(f"responses[{index}].content", "is blank: every response needs text (or media)")
    asks = [(i, m) for i, m in enumerate(item["prompt"]) if m["role"] == "user"]
    if asks and all(_blank(m) for _i, m in asks):
        raise RowError(f"prompt[{asks[-1][0]}].content", "is blank: the prompt needs text (or media)")
