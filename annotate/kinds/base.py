"""What every task kind provides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Config = dict[str, Any]
Answers = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    # JSON Schema of the template's "config" object.
    config_schema: dict[str, Any]
    # (config, response ids of one item) -> JSON Schema of a valid answer.
    answer_schema: Callable[[Config, list[str]], dict[str, Any]]
    # Jinja partial with the kind's controls, under annotate/templates/.
    partial: str
    min_responses: int = 1
    max_responses: int | None = None
    # (answers) -> the preferred response id, "tie", or None when the answer
    # expresses no preference (abstain, both bad). Kinds without a preference return None.
    preference: Callable[[Answers], str | None] = field(default=lambda answers: None)
    # Extra checks that JSON Schema cannot say (e.g. a rationale required only sometimes):
    # (config, answers) -> [(path inside answers, message)].
    extra_checks: Callable[[Config, Answers], list[tuple[str, str]]] = field(default=lambda config, answers: [])
    # (config, response ids, submitted form) -> answers, for the no-JavaScript and htmx forms.
    from_form: Callable[[Config, list[str], Any], Answers] = field(default=lambda config, ids, form: {})
    # (config) -> {action: key} shown on the page and in the help overlay.
    keys: Callable[[Config], dict[str, str]] = field(default=lambda config: {})

    def responses_problem(self, count: int) -> str | None:
        """Why an item with ``count`` responses cannot be a task of this kind, or None."""
        if self.min_responses == self.max_responses and count != self.min_responses:
            return f"a {self.name} task needs exactly {self.min_responses} responses, got {count}"
        if count < self.min_responses:
            return f"a {self.name} task needs at least {self.min_responses} responses, got {count}"
        if self.max_responses is not None and count > self.max_responses:
            return f"a {self.name} task needs at most {self.max_responses} responses, got {count}"
        return None
