"""Shapes: what a row looks like, and how it becomes a canonical item.

Each shape is a detector (does the first row look like this?) and a converter
(row -> canonical item dict). Detection looks at the first row; every row is
then converted with the same shape, and a row that does not fit fails with
the field that is wrong.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from annotate.ingest.errors import RowError
from annotate.validation import describe

Row = dict[str, Any]
Item = dict[str, Any]

CANONICAL_KEYS = {"id", "prompt", "responses", "metadata", "suggestion", "gold"}
HH_TURN = re.compile(r"\n\n(Human|Assistant): ")
HH_ROLES = {"Human": "user", "Assistant": "assistant"}


@dataclass(frozen=True)
class Shape:
    name: str
    detect: Callable[[Row], bool]
    convert: Callable[[Row], Item]


def content_hash(prompt: list[dict], responses: list[dict]) -> str:
    """SHA-256 of what is judged (prompt and response contents), independent of key order."""
    body = {"prompt": prompt, "responses": [r.get("content") for r in responses]}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _external_id(row: Row, prompt: list[dict], responses: list[dict]) -> str:
    value = row.get("id")
    if value is None or value == "":
        return "sha256:" + content_hash(prompt, responses)[:32]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RowError("id", f"expected a string or an integer, got {describe(value)}")
    return str(value)


def _messages(value: Any, field: str) -> list[dict]:
    """A prompt given as a string or a list of {role, content} messages."""
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    if isinstance(value, list) and value:
        for i, message in enumerate(value):
            if not isinstance(message, dict):
                raise RowError(f"{field}[{i}]", f"expected a message object, got {describe(message)}")
            for key in ("role", "content"):
                if key not in message:
                    raise RowError(f"{field}[{i}]", f"{key!r} is required")
        return [dict(m) for m in value]
    if isinstance(value, list):
        raise RowError(field, "expected a non-empty list of messages, got an empty list")
    raise RowError(field, f"expected a string or a list of messages, got {describe(value)}")


def _completion(value: Any, field: str) -> str:
    """A completion given as a string or as a list of messages ending with the assistant's reply."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        content = value[-1].get("content")
        if not isinstance(content, str):
            raise RowError(f"{field}[{len(value) - 1}].content", f"expected a string, got {describe(content)}")
        return content
    raise RowError(field, f"expected a string or a list of messages, got {describe(value)}")


def _label_order(prompt: list[dict], chosen: str, rejected: str) -> bool:
    """Whether the originally chosen reply gets the second id.

    Deterministic per row (so a re-import gives the same ids) but not always the
    same, so that ``r1`` never means "the chosen one".
    """
    digest = hashlib.sha256(orjson.dumps([prompt, chosen, rejected])).digest()
    return bool(digest[0] & 1)


def _pair(row: Row, prompt: list[dict], chosen: str, rejected: str, consumed: set[str]) -> Item:
    """A two-response item from a labelled pair; the original label goes to metadata only."""
    swap = _label_order(prompt, chosen, rejected)
    first, second = (rejected, chosen) if swap else (chosen, rejected)
    responses = [{"id": "r1", "content": first}, {"id": "r2", "content": second}]
    chosen_id, rejected_id = ("r2", "r1") if swap else ("r1", "r2")
    metadata = {k: v for k, v in row.items() if k not in consumed}
    metadata["original_label"] = {"chosen": chosen_id, "rejected": rejected_id}
    return {
        "id": _external_id(row, prompt, responses),
        "prompt": prompt,
        "responses": responses,
        "metadata": metadata,
    }


# -- canonical -----------------------------------------------------------------


def _is_canonical(row: Row) -> bool:
    return "responses" in row and "prompt" in row


def _canonical(row: Row) -> Item:
    unknown = set(row) - CANONICAL_KEYS
    item: Item = {k: v for k, v in row.items() if k in CANONICAL_KEYS}
    if "prompt" in item:
        item["prompt"] = _messages(item["prompt"], "prompt")
    responses = item.get("responses")
    if isinstance(responses, list):
        item["responses"] = [
            {"id": f"r{i + 1}", "content": r} if isinstance(r, str) else r for i, r in enumerate(responses)
        ]
    metadata = dict(item.get("metadata") or {}) if isinstance(item.get("metadata"), dict) else item.get("metadata", {})
    if unknown and isinstance(metadata, dict):
        metadata.update({k: row[k] for k in sorted(unknown)})
    item["metadata"] = metadata
    if isinstance(item.get("prompt"), list) and isinstance(item.get("responses"), list):
        item["id"] = _external_id(row, item["prompt"], item["responses"])
    return item


# -- TRL preference (explicit prompt) ---------------------------------------------


def _is_trl(row: Row) -> bool:
    return {"prompt", "chosen", "rejected"} <= row.keys()


def _trl(row: Row) -> Item:
    prompt = _messages(row["prompt"], "prompt")
    chosen = _completion(row["chosen"], "chosen")
    rejected = _completion(row["rejected"], "rejected")
    return _pair(row, prompt, chosen, rejected, {"prompt", "chosen", "rejected", "id"})


# -- Anthropic HH-RLHF transcripts -------------------------------------------------


def _is_hh(row: Row) -> bool:
    chosen, rejected = row.get("chosen"), row.get("rejected")
    return (
        "prompt" not in row
        and isinstance(chosen, str)
        and isinstance(rejected, str)
        and "\n\nAssistant:" in chosen
    )


def parse_transcript(text: str, field: str) -> list[dict]:
    """Split ``"\\n\\nHuman: …\\n\\nAssistant: …"`` into role/content messages."""
    if not isinstance(text, str):
        raise RowError(field, f"expected a string, got {describe(text)}")
    parts = HH_TURN.split(text)
    # parts: [preamble, role, content, role, content, ...]
    if len(parts) < 3 or parts[0].strip():
        raise RowError(field, "expected a transcript starting with '\\n\\nHuman: '")
    return [{"role": HH_ROLES[role], "content": content} for role, content in zip(parts[1::2], parts[2::2], strict=True)]


def _hh(row: Row) -> Item:
    chosen = parse_transcript(row["chosen"], "chosen")
    rejected = parse_transcript(row["rejected"], "rejected")
    for field, turns in (("chosen", chosen), ("rejected", rejected)):
        if turns[-1]["role"] != "assistant":
            raise RowError(field, "the transcript must end with an Assistant turn")
    prompt = chosen[:-1]
    if rejected[:-1] != prompt:
        raise RowError("rejected", "the two transcripts differ before their last Assistant turn")
    if not prompt:
        raise RowError("chosen", "the transcript has no Human turn before the Assistant reply")
    return _pair(row, prompt, chosen[-1]["content"], rejected[-1]["content"], {"chosen", "rejected", "id"})


SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (
        Shape("canonical", _is_canonical, _canonical),
        Shape("trl", _is_trl, _trl),
        Shape("hh-rlhf", _is_hh, _hh),
    )
}


def detect_shape(row: Row) -> Shape | None:
    """The first shape whose detector accepts ``row``, or None."""
    return next((shape for shape in SHAPES.values() if shape.detect(row)), None)


def describe_shapes() -> str:
    return (
        "canonical items (prompt + responses), TRL preference rows (prompt/chosen/rejected) "
        "or HH-RLHF transcript pairs (chosen/rejected)"
    )
