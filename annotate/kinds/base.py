"""What every task kind provides."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Config = dict[str, Any]
Answers = dict[str, Any]
# (path inside the answers or config, message)
Check = tuple[str, str]
# (chosen response id, rejected response id, margin or None)
Pair = tuple[str, str, float | None]


@dataclass(frozen=True)
class Kind:
    """One task kind: config schema, answer-schema builder, partial, keys, form parser, export hooks."""

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
    # (config, answers) -> [(path inside answers, message)]. Runs only on schema-valid answers.
    extra_checks: Callable[[Config, Answers], list[Check]] = field(default=lambda config, answers: [])
    # Checks against the item's responses (e.g. a critique span's offsets and text):
    # (config, answers, responses of the item) -> [(path inside answers, message)].
    content_checks: Callable[[Config, Answers, list[Mapping[str, Any]]], list[Check]] = field(
        default=lambda config, answers, responses: []
    )
    # Checks on a template config that its JSON Schema cannot say (duplicate keys,
    # anchors outside the scale): (config) -> [(path inside config, message)].
    config_checks: Callable[[Config], list[Check]] = field(default=lambda config: [])
    # (config, response ids, submitted form) -> answers, for the no-JavaScript and htmx forms.
    from_form: Callable[[Config, list[str], Any], Answers] = field(default=lambda config, ids, form: {})
    # (config) -> {action: key} shown on the page and in the help overlay.
    keys: Callable[[Config], dict[str, str]] = field(default=lambda config: {})
    # {action: what it does}, for the help overlay (actions not listed show their own name).
    key_labels: dict[str, str] = field(default_factory=dict)
    # Export hook: (config, answers, response ids of the item) -> the (chosen, rejected,
    # margin) pairs an answer implies; margin where the kind has one (pairwise strength,
    # ranking tier gap, rubric score gap), else None.
    pairs: Callable[[Config, Answers, list[str]], list[Pair]] = field(default=lambda config, answers, ids: [])
    # An answer problem in the expert's words (annotate.kinds.messages): (config, path of the
    # field inside the answers, rule "missing" | "short" | "invalid", {response id: letter shown})
    # -> a sentence, or None for the generic wording.
    explain: Callable[[Config, str, str, dict[str, str]], str | None] = field(
        default=lambda config, path, rule, names: None
    )
    # The field a problem's path is shown next to (e.g. every tier of a ranking -> "ranking"); None: the path.
    anchor: Callable[[str], str] | None = None

    def responses_problem(self, count: int) -> str | None:
        """Why an item with ``count`` responses cannot be a task of this kind, or None."""
        if self.min_responses == self.max_responses and count != self.min_responses:
            return f"a {self.name} task needs exactly {self.min_responses} responses, got {count}"
        if count < self.min_responses:
            return f"a {self.name} task needs at least {self.min_responses} responses, got {count}"
        if self.max_responses is not None and count > self.max_responses:
            return f"a {self.name} task needs at most {self.max_responses} responses, got {count}"
        return None

    def key_help(self, config: Config) -> list[tuple[str, str]]:
        """(key, what it does) for every configured key, in the order the kind lists them."""
        return [
            (key, self.key_labels.get(action, action.replace("_", " "))) for action, key in self.keys(config).items()
        ]
