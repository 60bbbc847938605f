"""Limits on untrusted input: sizes, line lengths, nesting depth; one place for their settings.

A dataset or a request body is untrusted. Without limits, a gzip of 815 KB holding
one 800 MB line, or a JSON array nested a million levels deep, grows a worker to
gigabytes before any check runs. Every reader, the import preview and every API
route that reads JSON go through the limits here, each an ``ANNOTATE_*`` setting
(documented in the README), and a refusal names the limit, its setting and where.

The checks are cheap on ordinary rows: a reader bounds a line's length as it reads
it, and the walk over a row's values (depth and string sizes) only runs on rows
whose raw size or bracket count could exceed a limit at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

# Setting name (without the ANNOTATE_ prefix) -> default.
DEFAULTS: dict[str, int] = {
    # A compressed source (.gz) may expand to at most this many bytes.
    "IMPORT_MAX_DECOMPRESSED_BYTES": 4 * 1024**3,
    # One JSONL line, CSV record, or element of a JSON array.
    "IMPORT_MAX_ROW_BYTES": 32 * 1024**2,
    # One string value inside a row (a prompt, a response, a metadata value).
    "IMPORT_MAX_FIELD_BYTES": 8 * 1024**2,
    # Lists and objects inside lists and objects; the row itself is level 1.
    "IMPORT_MAX_DEPTH": 32,
    # A JSON request body of the API (the item import's JSON body has its own, larger limit).
    "API_MAX_JSON_BYTES": 1024**2,
    "API_IMPORT_MAX_JSON_BYTES": 64 * 1024**2,
    # Markdown longer than this is shown as plain text; the render cache holds at most this much text.
    "RENDER_MAX_CHARS": 200_000,
    "RENDER_CACHE_CHARS": 32 * 1024**2,
    # Import files at least this large (a .gz file: uncompressed) are read and converted in a
    # process of their own while the import writes (annotate/ingest/convert.py); 0: never.
    "IMPORT_PROCESS_BYTES": 64 * 1024**2,
}


def whole_number(raw: str, high: int) -> int | None:
    """``raw`` as an int in [0, high] when it is plain ASCII digits, else None.

    ``str.isdigit`` is true for "²" and "١٢", which ``int()`` then refuses or reads; a
    parameter from a URL or form is a number only in ASCII digits, and never a 4,300-digit one.
    """
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(high)):
        return None
    value = int(raw)
    return value if value <= high else None


def human_bytes(size: int) -> str:
    """``33554432`` -> ``32 MB`` (binary units, as the upload limit is shown)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}".replace(".0 ", " ")
        value /= 1024
    return f"{value:,.1f} GB"


def setting(name: str) -> int:
    """The value of ``ANNOTATE_<name>`` for the running app, or its default outside one."""
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get(name, DEFAULTS[name]))
    return DEFAULTS[name]


@dataclass(frozen=True)
class ReadLimits:
    """The limits a reader enforces (see DEFAULTS for what each one bounds)."""

    decompressed_bytes: int = DEFAULTS["IMPORT_MAX_DECOMPRESSED_BYTES"]
    row_bytes: int = DEFAULTS["IMPORT_MAX_ROW_BYTES"]
    field_bytes: int = DEFAULTS["IMPORT_MAX_FIELD_BYTES"]
    depth: int = DEFAULTS["IMPORT_MAX_DEPTH"]


def read_limits() -> ReadLimits:
    """The reader limits of the running app (defaults outside one)."""
    return ReadLimits(
        decompressed_bytes=setting("IMPORT_MAX_DECOMPRESSED_BYTES"),
        row_bytes=setting("IMPORT_MAX_ROW_BYTES"),
        field_bytes=setting("IMPORT_MAX_FIELD_BYTES"),
        depth=setting("IMPORT_MAX_DEPTH"),
    )


def too_large(what: str, limit: int, setting_name: str) -> str:
    """The message for a size limit: what, the limit, and the setting that raises it."""
    return f"{what} is larger than the limit of {human_bytes(limit)} (ANNOTATE_{setting_name})"


def too_deep(limit: int) -> str:
    return f"lists and objects are nested more than {limit} levels deep (the limit, ANNOTATE_IMPORT_MAX_DEPTH)"


def _key(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def value_problem(value: Any, depth_limit: int, field_limit: int | None) -> tuple[str, str] | None:
    """``(JSON path, problem)`` for the first value nested deeper than ``depth_limit`` or, when
    ``field_limit`` is given, the first string longer than that many bytes; None if all is well.

    A fast recursive pass (it never descends past the limit, so it cannot exhaust the
    stack) answers for ordinary rows; only a row it flags is walked again for the path.
    """
    chars = field_limit // 4 if field_limit is not None else None
    if not _may_exceed(value, depth_limit - 1, chars):
        return None
    return _find(value, depth_limit, field_limit)


def _may_exceed(value: Any, budget: int, chars: int | None) -> bool:
    """True if ``value`` nests deeper than ``budget`` more levels or holds a string that may be too long."""
    for child in value.values() if type(value) is dict else value:
        kind = type(child)
        if kind is str:
            if chars is not None and len(child) > chars:
                return True
        elif (kind is dict or kind is list) and (budget == 0 or _may_exceed(child, budget - 1, chars)):
            return True
    return False


def _find(value: Any, depth_limit: int, field_limit: int | None) -> tuple[str, str] | None:
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        current, path, depth = stack.pop()
        if depth > depth_limit:
            return path, too_deep(depth_limit)
        children = current.items() if isinstance(current, dict) else enumerate(current)
        for key, child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, _key(path, key), depth + 1))
            elif (
                field_limit is not None
                and isinstance(child, str)
                and len(child) * 4 > field_limit
                and _utf8_len(child) > field_limit
            ):
                return _key(path, key), too_large("this value", field_limit, "IMPORT_MAX_FIELD_BYTES")
    return None


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def might_exceed(raw: bytes, limits: ReadLimits) -> bool:
    """Whether a row read from ``raw`` could break the depth or field limit at all (cheap: two
    ``count`` calls in C). Only such rows are walked with ``value_problem``."""
    return len(raw) > limits.field_bytes or len(raw.translate(None, _NOT_OPENING)) > limits.depth


# Every byte but ``[`` and ``{``: deleting them leaves the opening brackets (one pass in C,
# where two ``count`` calls take two).
_NOT_OPENING = bytes(range(256)).translate(None, b"[{")


# -- JSON request bodies ----------------------------------------------------------------------


class BodyRefused(ValueError):
    """A request body we will not parse: ``status`` is 413 (too large), 422 (too deep) or 400."""

    def __init__(self, status: int, message: str, path: str = ""):
        self.status = status
        self.message = message
        self.path = path
        super().__init__(message)


def parse_json(data: bytes, max_bytes: int, setting_name: str, depth_limit: int | None = None) -> Any:
    """Parse a JSON document of at most ``max_bytes`` and ``depth_limit`` levels, or raise BodyRefused.

    orjson itself stops at 1024 levels (so parsing cannot blow the stack or the memory
    past the size limit); the walk then holds the document to ``depth_limit``.
    """
    if len(data) > max_bytes:
        raise BodyRefused(413, too_large(f"the JSON body ({human_bytes(len(data))})", max_bytes, setting_name))
    depth_limit = depth_limit or setting("IMPORT_MAX_DEPTH")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc).lower():
            raise BodyRefused(422, f"the JSON body's {too_deep(depth_limit)}") from None
        raise BodyRefused(400, f"the body is not valid JSON: {exc}") from None
    if data.count(b"[") + data.count(b"{") > depth_limit:
        found = value_problem(value, depth_limit, None)
        if found is not None:
            raise BodyRefused(422, f"the JSON body's {found[1]}", found[0])
    return value


def request_json(
    max_bytes: int | None = None, setting_name: str = "API_MAX_JSON_BYTES", depth_limit: int | None = None
) -> Any:
    """The current request's JSON body, parsed within the limits; raises BodyRefused.

    For API views: the body is read only up to the limit (a larger Content-Length is
    refused before reading), parsed by orjson, and refused when nested too deep.
    """
    from flask import request

    limit = max_bytes if max_bytes is not None else setting(setting_name)
    length = request.content_length
    if length is not None and length > limit:
        raise BodyRefused(413, too_large(f"the JSON body ({human_bytes(length)})", limit, setting_name))
    data = request.stream.read(limit + 1)
    if not data.strip():
        raise BodyRefused(400, "the request body is empty; send JSON")
    return parse_json(data, limit, setting_name, depth_limit)
