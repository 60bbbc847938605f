"""Explicit mappings: ``--map prompt=question --map responses=answer_a,answer_b
--map models=model_a,model_b --map id=uid`` (and the same fields in the web form).

A mapping names source columns for the canonical fields; every column it does
not name is kept in the item's metadata.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from annotate.ingest.errors import ImportFailed, RowError
from annotate.ingest.shapes.common import Item, Row, external_id, maybe_json, media_part, messages
from annotate.validation import describe

# field -> (what it takes, help)
FIELDS: dict[str, str] = {
    "id": "one column: the row's stable id (default: a content hash)",
    "prompt": "one column: the prompt, a string or a list of messages",
    "system": "one column: a system message put before the prompt",
    "responses": "one column holding a list, or several columns, one response each",
    "models": "columns naming the model of each response (same order as responses)",
    "suggestion": "one column: a machine judgment (object, or a response column name / number)",
    "gold": "one column: a known-correct answer (object)",
    "media": "one column: an image, audio or video (path relative to the source, or URL) shown with the prompt",
    "response_media": "columns: a media file per response (same order as responses)",
}
REQUIRED = ("prompt", "responses")
Mapping = dict[str, list[str]]


def parse_mapping(pairs: Iterable[str], source: str = "--map") -> Mapping:
    """``["prompt=question", "responses=a,b"]`` -> ``{"prompt": ["question"], "responses": ["a", "b"]}``."""
    mapping: Mapping = {}
    for pair in pairs:
        field, sep, columns = pair.partition("=")
        field = field.strip()
        if not sep or not field:
            raise ImportFailed(source, None, f"expected FIELD=COLUMN[,COLUMN…], got {pair!r}")
        if field not in FIELDS:
            raise ImportFailed(source, None, f"unknown field {field!r}; known fields: {', '.join(FIELDS)}")
        names = [c.strip() for c in columns.split(",") if c.strip()]
        if not names:
            raise ImportFailed(source, None, f"{field}: name at least one column")
        mapping[field] = names
    for field in REQUIRED:
        if field not in mapping:
            raise ImportFailed(source, None, f"a mapping needs {field}=COLUMN")
    for field in ("id", "prompt", "system", "suggestion", "gold", "media"):
        if len(mapping.get(field, [])) > 1:
            raise ImportFailed(source, None, f"{field} takes one column, got {', '.join(mapping[field])}")
    return mapping


def check_columns(mapping: Mapping, row: Row, source: str, location: str) -> None:
    """Fail early, naming the column, when the first row lacks a mapped column."""
    for field, columns in mapping.items():
        for column in columns:
            if column not in row:
                known = ", ".join(sorted(row)[:30])
                raise ImportFailed(source, location, f"{field}: no column {column!r} (columns: {known})")


def convert(mapping: Mapping, row: Row) -> Item:
    """A row -> canonical item, following ``mapping``."""
    consumed = {c for columns in mapping.values() for c in columns}
    for columns in mapping.values():
        for column in columns:
            if column not in row:
                raise RowError(column, "is required by the mapping but missing from this row")
    prompt = messages(row[mapping["prompt"][0]], mapping["prompt"][0])
    if "system" in mapping:
        system = row[mapping["system"][0]]
        if system not in (None, ""):
            prompt = [{"role": "system", "content": _text(system, mapping["system"][0])}, *prompt]
    if "media" in mapping:
        part = media_part(row[mapping["media"][0]], mapping["media"][0])
        if part:
            prompt[-1] = {**prompt[-1], "media": part}
    responses = _responses(mapping, row)
    item: Item = {
        "prompt": prompt,
        "responses": responses,
        "metadata": {k: v for k, v in row.items() if k not in consumed},
    }
    if "suggestion" in mapping:
        item["suggestion"] = _suggestion(row[mapping["suggestion"][0]], mapping, mapping["suggestion"][0])
    if "gold" in mapping:
        item["gold"] = maybe_json(row[mapping["gold"][0]])
    id_column = mapping.get("id", [None])[0]
    item["id"] = external_id(row.get(id_column) if id_column else None, prompt, responses, id_column or "id")
    return item


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise RowError(field, f"expected a string, got {describe(value)}")
    return value


def _responses(mapping: Mapping, row: Row) -> list[dict]:
    columns = mapping["responses"]
    if len(columns) == 1:
        value = maybe_json(row[columns[0]])
        values = value if isinstance(value, list) else [value]
        fields = [f"{columns[0]}[{i}]" if isinstance(value, list) else columns[0] for i in range(len(values))]
    else:
        values = [row[c] for c in columns]
        fields = columns
    models = _aligned(mapping, row, "models", len(values))
    media = _aligned(mapping, row, "response_media", len(values))
    responses = []
    for i, (value, field) in enumerate(zip(values, fields, strict=True)):
        response = dict(value) if isinstance(value, dict) else {"content": _text(value, field)}
        response.setdefault("id", f"r{i + 1}")
        if models[i] is not None:
            response["model"] = str(models[i])
        part = (
            media_part(media[i], mapping["response_media"][min(i, len(mapping["response_media"]) - 1)])
            if media[i] is not None
            else None
        )
        if part:
            response["media"] = part
        responses.append(response)
    return responses


def _aligned(mapping: Mapping, row: Row, field: str, count: int) -> list[Any]:
    columns = mapping.get(field)
    if not columns:
        return [None] * count
    if len(columns) == 1 and count > 1:
        value = maybe_json(row[columns[0]])
        if isinstance(value, list) and len(value) == count:
            return value
    if len(columns) != count:
        raise RowError(field, f"maps {len(columns)} columns but there are {count} responses")
    return [row[c] for c in columns]


def _suggestion(value: Any, mapping: Mapping, field: str) -> dict | None:
    value = maybe_json(value)
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return value
    columns = mapping["responses"]
    if isinstance(value, str) and value in columns:
        return {"preferred": f"r{columns.index(value) + 1}", "value": value}
    raise RowError(field, f"expected an object or the name of a response column, got {describe(value)}")
