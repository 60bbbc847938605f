"""Template helpers every kind's partial may use (registered as Jinja globals by the kinds
blueprint). A kind's own helpers are ``Kind.helpers``, called as ``kind.helpers.<name>``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from annotate.kinds.diff import diff_html
from annotate.validation import Problem

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
R = TypeVar("R", bound=Mapping[str, Any])


def response_letters(responses: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """{response id: "A"…} by display position: experts see letters, never ids."""
    return {r["id"]: LETTERS[i] for i, r in enumerate(responses)}


def in_display_order(responses: Sequence[R], order: list[str] | None) -> list[R]:
    """The responses in the order one expert saw them (their assignment's display order), so
    every page that shows their answer uses their letters; any response not in it comes last."""
    by_id = {r["id"]: r for r in responses}
    shown = [by_id[i] for i in order or [] if i in by_id]
    return shown + [r for r in responses if r["id"] not in set(order or [])]


def errors_under(errors: list[Problem] | None, prefix: str) -> list[Problem]:
    """The problems at ``prefix`` or inside it (``answers.criteria`` matches ``answers.criteria.safety``)."""
    return [p for p in errors or [] if p.path == prefix or p.path.startswith((prefix + ".", prefix + "["))]


def missing_in(key: str, errors: list[Problem] | None, path: str) -> bool:
    """True when ``errors`` say ``key`` is required at ``path`` (a grid cell left empty)."""
    return any(p.path == path and p.message == f"{key!r} is required" for p in errors or [])


GLOBALS = {
    "word_diff": diff_html,
    "response_letters": response_letters,
}
FILTERS = {"errors_under": errors_under}
TESTS = {"missing_in": missing_in}
