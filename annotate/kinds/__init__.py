"""Task kinds: code. Each kind is one module registered here by name.

A kind supplies the JSON Schema of its template ``config``, a builder for the
answer JSON Schema of one item, the Jinja partial that renders its controls,
the response counts it accepts, its keyboard keys, a parser for the plain form
post, and what it contributes to exports (``preference``, ``pairs``).
Templates (``task_templates/*.json``) are data that pick a kind and configure it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from annotate.kinds.base import Kind
from annotate.kinds.critique import CRITIQUE
from annotate.kinds.pairwise import PAIRWISE
from annotate.kinds.ranking import RANKING
from annotate.kinds.rubric import RUBRIC
from annotate.validation import Problem

KINDS: dict[str, Kind] = {kind.name: kind for kind in (PAIRWISE, RANKING, CRITIQUE, RUBRIC)}


def get_kind(name: str) -> Kind:
    """The kind registered under ``name``; KeyError names the known kinds."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown task kind {name!r}; known kinds: {', '.join(sorted(KINDS))}") from None


def answer_problems(
    kind: Kind, config: dict[str, Any], answers: Any, responses: list[Mapping[str, Any]]
) -> list[Problem]:
    """Everything wrong with ``answers`` to an item with ``responses``: the answer schema,
    then the kind's extra checks, then the checks against the responses' content.
    Paths start with ``answers``."""
    from annotate.validation import problems

    found = problems(kind.answer_schema(config, [r["id"] for r in responses]), answers, prefix="answers")
    if found:
        return found
    checks = kind.extra_checks(config, answers) or kind.content_checks(config, answers, responses)
    return [Problem(f"answers.{p}" if p else "answers", m) for p, m in checks]
