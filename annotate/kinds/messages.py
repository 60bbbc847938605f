"""Answer problems in the expert's words.

The answer schema reports JSON paths and schema terms (``answers: 'preferred' is
required``); that is right for the API and wrong for a person at the task page.
``for_people`` turns each problem into one sentence the kind writes (each kind knows
its fields: ``Kind.explain``), keyed by the path of the field it belongs to, so the page
shows it next to that field. A problem no kind explains keeps a plain generic wording.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from annotate.kinds.base import Kind
from annotate.validation import Problem

_REQUIRED = re.compile(r"^'([^']+)' is required$")


def rule_of(message: str) -> str:
    """The kind of a schema message: ``missing``, ``short`` (a text under its minimum) or ``invalid``."""
    if message.endswith((" is too short", "should be non-empty")):
        return "short" if "too short" in message else "missing"
    if "got null" in message or message.startswith("null is not one of") or "does not contain" in message:
        return "missing"
    return "invalid"


def field_of(problem: Problem) -> tuple[str, str]:
    """(path of the field inside ``answers``, rule): a required property's path names the property."""
    path = problem.path.removeprefix("answers").lstrip(".")
    found = _REQUIRED.match(problem.message)
    if found:
        return (f"{path}.{found.group(1)}" if path else found.group(1)), "missing"
    return path, rule_of(problem.message)


GENERIC = {
    "missing": "Answer this before submitting.",
    "short": "Write a little more here.",
    "invalid": "This answer cannot be accepted as it is; check it and try again.",
}


def for_people(
    kind: Kind, config: Mapping[str, Any], problems: list[Problem], names: Mapping[str, str]
) -> list[Problem]:
    """``problems`` reworded by the kind, at the path of their field, one per field and wording.
    ``names``: response id -> the letter this person sees it under."""
    found: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for problem in problems:
        if not problem.path.startswith("answers"):
            found.append(problem)  # not about the answer (the page's own message)
            continue
        path, rule = field_of(problem)
        message = kind.explain(dict(config), path, rule, dict(names)) or GENERIC[rule]
        anchor = kind.anchor(path) if kind.anchor else path
        full = f"answers.{anchor}" if anchor else "answers"
        if (full, message) not in seen:
            seen.add((full, message))
            found.append(Problem(full, message))
    return found


def letters_list(names: Mapping[str, str]) -> str:
    """ "A, B or C" for the letters of ``names`` in order."""
    letters = list(names.values())
    if len(letters) <= 1:
        return "".join(letters)
    return ", ".join(letters[:-1]) + " or " + letters[-1]
