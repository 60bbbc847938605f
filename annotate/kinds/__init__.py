"""Task kinds: code. Each kind is one folder (``annotate/kinds/<name>/``, or a lab's own
package registered under the ``annotate.kinds`` entry point group) that builds one ``Kind``.

A kind supplies the JSON Schema of its template ``config``, a builder for the answer JSON
Schema of one item, its partial, scripts and styles, the response counts it accepts, its
keyboard keys, a parser for the plain form post, and the hooks other features call: the
preference pairs an answer implies, the questions and votes agreement is computed on, the
shape of a gold answer and how an answer matches it, and the export formats it feeds.
Templates (``task_templates/*.json``) are data that pick a kind and configure it.

Callers use the functions here, never a kind's name: ``get_kind``, ``KINDS``,
``answer_problems`` / ``check_answers`` (the one validation path of a submit, a review fix
and the tests), ``gold_problems`` and ``match_gold``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from annotate.kinds.base import Choice, GoldMatch, Kind, Question, Vote
from annotate.kinds.registry import KINDS, builtin_kinds, get_kind, reload
from annotate.validation import InvalidDocument, Problem, problems

__all__ = [
    "KINDS",
    "Choice",
    "GoldMatch",
    "Kind",
    "Question",
    "Vote",
    "answer_problems",
    "builtin_kinds",
    "check_answers",
    "get_kind",
    "gold_problems",
    "match_gold",
    "reload",
]


def _prefixed(prefix: str, checks: list[tuple[str, str]]) -> list[Problem]:
    return [Problem(f"{prefix}.{p}" if p else prefix, m) for p, m in checks]


def answer_problems(
    kind: Kind, config: dict[str, Any], answers: Any, responses: Sequence[Mapping[str, Any]]
) -> list[Problem]:
    """Everything wrong with ``answers`` to an item with ``responses``: the answer schema,
    then the kind's extra checks, then the checks against the responses' content.
    Paths start with ``answers``."""
    found = problems(kind.answer_schema(config, [r["id"] for r in responses]), answers, prefix="answers")
    if found:
        return found
    return _prefixed("answers", kind.extra_checks(config, answers) or kind.content_checks(config, answers, responses))


def check_answers(kind: Kind, config: dict[str, Any], answers: Any, responses: Sequence[Mapping[str, Any]]) -> Any:
    """The answers to store: completed by the kind (``Kind.complete``: what the server measures,
    such as an edit distance), then checked; raise InvalidDocument (paths under ``answers``)
    unless they are valid."""
    answers = kind.complete(config, answers, responses)
    found = answer_problems(kind, config, answers, responses)
    if found:
        raise InvalidDocument(found, "answers")
    return answers


def gold_problems(kind: Kind, config: dict[str, Any], gold: Any, response_ids: list[str]) -> list[Problem]:
    """Everything wrong with a gold answer for an item with ``response_ids``; paths start with ``gold``."""
    if gold is None:
        return []
    if kind.gold_schema is None:
        return [Problem("gold", f"a {kind.name} task has no gold answers; leave the gold column out")]
    return problems(kind.gold_schema(config, list(response_ids)), gold, prefix="gold")


def match_gold(kind: Kind, config: dict[str, Any], answers: Any, gold: Any) -> GoldMatch:
    """Whether ``answers`` match the ``gold`` answer: True, False, or None when they cannot be
    compared (no gold answer, an abstention, a kind without gold answers, a gold answer
    stored before it was validated that no longer fits)."""
    if not gold or not isinstance(gold, dict) or not isinstance(answers, dict) or kind.gold_schema is None:
        return None
    if "abstain" in answers or "abstain" in gold:
        return None
    try:
        return kind.gold_match(config, answers, gold)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
