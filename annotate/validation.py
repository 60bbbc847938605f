"""JSON Schema validation with errors that say where: a JSON path and a plain message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (JSON path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class InvalidDocument(ValueError):
    """A document broke its schema; ``problems`` lists every violation found."""

    def __init__(self, problems: list[Problem], what: str = "document"):
        self.problems = problems
        self.what = what
        super().__init__("; ".join(str(p) for p in problems[:5]))


def json_path(parts: Iterable[str | int], prefix: str = "") -> str:
    """Render path parts as ``responses[1].content``."""
    out = prefix
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def describe(value: Any) -> str:
    """Name a JSON value's type the way an error message should: 'a string', 'null'."""
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    """``value`` as JSON, cut to 80 characters (Python's repr for what JSON cannot hold, such as
    an integer past 64 bits: a message must never fail on the value it reports)."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text[:80]


def _message(error: ValidationError) -> str:
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {'an' if str(expected)[0] in 'aeiou' else 'a'} {expected}, got {describe(error.instance)}"
    if error.validator == "required":
        return error.message.replace(" is a required property", " is required")
    if error.validator == "additionalProperties":
        return error.message.replace("were unexpected", "are not allowed").replace("was unexpected", "is not allowed")
    if error.validator == "enum":
        allowed = ", ".join(orjson.dumps(v).decode() for v in error.validator_value)
        return f"{_shown(error.instance)} is not one of {allowed}"
    return error.message


@lru_cache(maxsize=256)
def _validator(schema_json: bytes) -> Draft202012Validator:
    schema = orjson.loads(schema_json)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """A compiled validator, cached by the schema's content."""
    return _validator(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))


def problems(schema: dict[str, Any], document: Any, prefix: str = "") -> list[Problem]:
    """Every violation of ``schema`` in ``document``, shallowest path first."""
    errors = sorted(
        validator_for(schema).iter_errors(document),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    return [Problem(json_path(e.absolute_path, prefix), _message(e)) for e in errors]


def check(schema: dict[str, Any], document: Any, what: str = "document", prefix: str = "") -> None:
    """Raise InvalidDocument if ``document`` breaks ``schema``."""
    found = problems(schema, document, prefix)
    if found:
        raise InvalidDocument(found, what)
