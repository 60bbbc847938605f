"""Helpers the shapes share: prompts and completions in their many spellings, neutral
response ids, external ids, content hashes, media parts."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from annotate.ingest.errors import RowError
from annotate.validation import describe

Row = dict[str, Any]
Item = dict[str, Any]

MEDIA_TYPES = {
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif"), "image"),
    **dict.fromkeys((".mp3", ".wav", ".ogg", ".oga", ".flac", ".m4a", ".aac"), "audio"),
    **dict.fromkeys((".mp4", ".webm", ".mov", ".m4v", ".ogv"), "video"),
}


def content_hash(prompt: list[dict], responses: list[dict]) -> str:
    """SHA-256 of what is judged (prompt and response contents), independent of key order."""
    body = {"prompt": prompt, "responses": [r.get("content") for r in responses]}
    return hashlib.sha256(_dumps(body, orjson.OPT_SORT_KEYS)).hexdigest()


def _dumps(value: dict | list, option: int = 0, names: tuple[str, ...] = ()) -> bytes:
    """orjson's bytes of ``value``, or RowError naming the part no JSON can hold (an integer past
    64 bits, bytes): a row is refused with its field before anything is hashed or stored.
    ``names``: the fields of a list's parts, in order."""
    try:
        return orjson.dumps(value, option=option)
    except TypeError as exc:  # orjson.JSONEncodeError is a TypeError
        parts = value.items() if isinstance(value, dict) else zip(names, value, strict=False)
        field = next((str(k) for k, v in parts if not fits_json(v)), "")
        raise RowError(field, f"cannot be stored as JSON ({exc})") from None


def fits_json(value: object) -> bool:
    """Can orjson write ``value`` (no integer past 64 bits, no bytes or other object)?"""
    try:
        orjson.dumps(value)
    except TypeError:
        return False
    return True


def external_id(value: Any, prompt: list[dict], responses: list[dict], field: str = "id") -> str:
    """The row's own id, or (without one) a content hash, so that a re-import is recognised."""
    if value is None or value == "":
        return "sha256:" + content_hash(prompt, responses)[:32]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RowError(field, f"expected a string or an integer, got {describe(value)}")
    if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot store it in a text column
        raise RowError(field, "contains a NUL character (\\x00), which an id cannot hold")
    return str(value)


def maybe_json(value: Any) -> Any:
    """A CSV cell that holds a JSON list or object (pandas writes lists so) decoded; else as is."""
    if isinstance(value, str) and value[:1] in "[{" and value[-1:] in "]}":
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def messages(value: Any, field: str) -> list[dict]:
    """A prompt given as a string or a list of {role, content} messages."""
    value = maybe_json(value)
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    if isinstance(value, list) and value:
        for i, message in enumerate(value):
            if not isinstance(message, dict):
                raise RowError(f"{field}[{i}]", f"expected a message object, got {describe(message)}")
            for key in ("role", "content"):
                if key not in message:
                    raise RowError(f"{field}[{i}]", f"{key!r} is required")
        return value  # the row is ours to keep: no copy
    if isinstance(value, list):
        raise RowError(field, "expected a non-empty list of messages, got an empty list")
    raise RowError(field, f"expected a string or a list of messages, got {describe(value)}")


def completion(value: Any, field: str) -> str:
    """A completion given as a string or as a list of messages ending with the assistant's reply."""
    value = maybe_json(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        content = value[-1].get("content")
        if not isinstance(content, str):
            raise RowError(f"{field}[{len(value) - 1}].content", f"expected a string, got {describe(content)}")
        return content
    raise RowError(field, f"expected a string or a list of messages, got {describe(value)}")


def label_order(prompt: list[dict], chosen: str, rejected: str) -> bool:
    """Whether the originally chosen reply gets the second id.

    Deterministic per row (so a re-import gives the same ids) but not always the
    same, so that ``r1`` never means "the chosen one".
    """
    digest = hashlib.sha256(_dumps([prompt, chosen, rejected], names=("prompt", "chosen", "rejected"))).digest()
    return bool(digest[0] & 1)


def pair(row: Row, prompt: list[dict], chosen: str, rejected: str, consumed: set[str]) -> Item:
    """A two-response item from a labelled pair; the original label goes to metadata only."""
    swap = label_order(prompt, chosen, rejected)
    first, second = (rejected, chosen) if swap else (chosen, rejected)
    responses = [{"id": "r1", "content": first}, {"id": "r2", "content": second}]
    chosen_id, rejected_id = ("r2", "r1") if swap else ("r1", "r2")
    metadata = rest(row, consumed)
    metadata["original_label"] = {"chosen": chosen_id, "rejected": rejected_id}
    return {
        "id": external_id(row.get("id"), prompt, responses),
        "prompt": prompt,
        "responses": responses,
        "metadata": metadata,
    }


def rest(row: Row, consumed: set[str]) -> dict[str, Any]:
    """Every column a shape did not use: preserved in the item's metadata."""
    return {k: v for k, v in row.items() if k not in consumed}


def media_part(src: Any, field: str) -> dict[str, str] | None:
    """A media reference (a path relative to the source, or a URL) with its type from the extension."""
    if src is None or src == "":
        return None
    if not isinstance(src, str):
        raise RowError(field, f"expected a file path or URL, got {describe(src)}")
    suffix = "." + src.rsplit(".", 1)[-1].lower().split("?")[0] if "." in src else ""
    kind = MEDIA_TYPES.get(suffix)
    if kind is None:
        known = ", ".join(sorted(MEDIA_TYPES))
        raise RowError(field, f"cannot tell the media type of {src[:80]!r}; expected one of {known}")
    return {"type": kind, "src": src}


def lift_suggestion(item: Item) -> Item:
    """A ``suggestion`` column that a shape kept in the metadata (every shape but the canonical
    one keeps unknown columns there) becomes the item's machine suggestion when it holds an
    object (or its JSON text, as a CSV cell or a Parquet string column gives it)."""
    metadata = item.get("metadata")
    if item.get("suggestion") is not None or not isinstance(metadata, dict) or "suggestion" not in metadata:
        return item
    value = maybe_json(metadata["suggestion"])
    if not isinstance(value, dict):
        return item
    item["suggestion"] = value
    item["metadata"] = {k: v for k, v in metadata.items() if k != "suggestion"}
    return item
