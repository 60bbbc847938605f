"""What every task kind provides: the ``Kind`` record and the value shapes its hooks return.

A kind is one folder (``annotate/kinds/<name>/``, or a package of a lab's own registered
under the ``annotate.kinds`` entry point group) that builds one ``Kind``. Callers outside
the folder use only these fields and the registry's functions (``annotate.kinds``); none
of them branches on a kind's name. ``task_templates/README.md`` ("Writing a kind") explains
every field with an example.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

Config = dict[str, Any]
Answers = dict[str, Any]
# (path inside the answers or config, message)
Check = tuple[str, str]
# (chosen response id, rejected response id, margin or None)
Pair = tuple[str, str, float | None]
# Krippendorff's levels of measurement: how two values of a question may be compared.
Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
# A vote's value: a response id, a label, a rank, a score ... (compared by equality, and
# by order or distance for the ordinal, interval and ratio levels).
Value = str | int | float | bool
# How an answer compares with a gold answer: True (it matches), False (it does not), None
# (not applicable: an abstention, or a gold answer that says nothing this answer can be held to).
GoldMatch = bool | None
ITEM = ""  # the unit of a question asked once per item (``Vote.unit``)


@dataclass(frozen=True)
class Question:
    """One question a kind asks of every expert, on which experts can agree or not.

    ``per``: ``item`` (one value per item, ``Vote.unit`` is ``""``) or ``response`` (one value
    per response, ``Vote.unit`` is the response id). ``domain``: every value the question
    allows, in order (lowest first), when the template fixes them (a scale, the strength
    labels); None when the values depend on the item (response ids). ``headline``: the
    question says what the exported label is (the dataset card's agreement table shows
    these; quality pages show every question)."""

    id: str
    label: str
    level: Level
    per: Literal["item", "response"] = "item"
    domain: tuple[Hashable, ...] | None = None
    headline: bool = True


class Vote(NamedTuple):
    """One value one answer gives to one question: for agreement (alpha, kappa, majorities).

    The unit two experts' votes must share to be compared is (item, ``unit``): ``unit`` is
    ``""`` for a question asked once per item, the response id for one asked per response
    (never a screen position, so randomised display orders do not matter)."""

    question: str
    unit: str
    value: Value


@dataclass(frozen=True)
class Choice:
    """An answer read as a preference between an item's two responses, for the pair formats
    (trl, trl-standard, trl-kto, reward, hh-rlhf, battles).

    ``preferred``: a response id, or ``"tie"`` (no preference). ``strength``: how much
    better, 1-based (1 = the weakest or the only degree). ``both_bad``: with a tie, the
    expert said both responses are bad (trl-kto writes both as rejected)."""

    preferred: str
    strength: int = 1
    both_bad: bool = False


def _no_checks(*_args: Any) -> list[Check]:
    return []


def _nothing(*_args: Any) -> None:
    return None


def _empty_list(*_args: Any) -> list[Any]:
    return []


def _as_sent(config: Any, answers: Any, responses: Any) -> Any:
    return answers


# What the shared actions' keys do, for every kind's help overlay.
COMMON_KEY_LABELS = {"abstain": "Abstain (choose a reason)"}


@dataclass(frozen=True)
class Kind:
    """One task kind. Every field after ``folder`` has a default, so a small kind sets few."""

    name: str
    title: str
    # JSON Schema of the template's "config" object.
    config_schema: dict[str, Any]
    # (config, response ids of one item) -> JSON Schema of a valid answer.
    answer_schema: Callable[[Config, list[str]], dict[str, Any]]
    # The kind's folder: templates/_<name>.html is its partial, static/ holds its scripts and styles.
    folder: Path
    min_responses: int = 1
    max_responses: int | None = None

    # -- the page ----------------------------------------------------------------------------
    # Files under <folder>/static/, served at /static/kinds/<name>/<file> and loaded only on
    # the pages that show this kind (annotate/templates/kinds/_macros.html: kind_assets).
    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    # Functions the partial calls as ``kind.helpers.<name>(...)``.
    helpers: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # (config, the item's responses as the API shows them) -> the ones an API client may show
    # the expert (a demonstration's draft under ``draft: never`` is not sent).
    shown_responses: Callable[[Config, list[dict[str, Any]]], list[dict[str, Any]]] = field(
        default=lambda config, responses: responses
    )
    # (config, response ids, submitted form) -> answers, for the no-JavaScript and htmx forms.
    from_form: Callable[[Config, list[str], Any], Answers] = field(default=lambda config, ids, form: {})
    # (config) -> {action: key} shown on the page and in the help overlay.
    keys: Callable[[Config], dict[str, str]] = field(default=lambda config: {})
    # {action: what it does}, for the help overlay (actions not listed show their own name); the
    # actions every kind shares (COMMON_KEY_LABELS) are added unless the kind words them itself.
    key_labels: dict[str, str] = field(default_factory=dict)
    # An answer problem in the expert's words (annotate.kinds.messages): (config, path of the
    # field inside the answers, rule "missing" | "short" | "invalid", {response id: letter shown})
    # -> a sentence, or None for the generic wording.
    explain: Callable[[Config, str, str, dict[str, str]], str | None] = field(default=_nothing)
    # The field a problem's path is shown next to (e.g. every tier of a ranking -> "ranking"); None: the path.
    anchor: Callable[[str], str] | None = None
    # A config that shows the kind at its fullest (documentation, the OpenAPI document's answer examples).
    example_config: Config = field(default_factory=dict)

    # -- validation ----------------------------------------------------------------------------
    # What the server adds to an answer before it is checked and stored, whatever the client
    # sent (e.g. a demonstration's edit distance to the model draft): (config, answers as sent,
    # responses of the item) -> answers. Must leave answers of an unexpected shape as they are.
    complete: Callable[[Config, Any, Sequence[Mapping[str, Any]]], Any] = field(default=_as_sent)
    # Extra checks that JSON Schema cannot say (e.g. a rationale required only sometimes):
    # (config, answers) -> [(path inside answers, message)]. Runs only on schema-valid answers.
    extra_checks: Callable[[Config, Answers], list[Check]] = field(default=_no_checks)
    # Checks against the item's responses (e.g. a critique span's offsets and text):
    # (config, answers, responses of the item) -> [(path inside answers, message)].
    content_checks: Callable[[Config, Answers, Sequence[Mapping[str, Any]]], list[Check]] = field(default=_no_checks)
    # Checks on a template config that its JSON Schema cannot say (duplicate keys,
    # anchors outside the scale): (config) -> [(path inside config, message)].
    config_checks: Callable[[Config], list[Check]] = field(default=_no_checks)

    # -- what other features read ----------------------------------------------------------------
    # (answers) -> the preferred response id, "tie", or None (abstain, both bad, no preference):
    # the verdict whose spread opens an adjudication.
    preference: Callable[[Answers], str | None] = field(default=_nothing)
    # (config, answers, response ids of the item) -> the (chosen, rejected, margin) pairs an
    # answer implies; margin where the kind has one (pairwise strength, ranking tier gap,
    # rubric score gap), else None.
    pairs: Callable[[Config, Answers, list[str]], list[Pair]] = field(default=_empty_list)
    # (config) -> the questions the kind asks, for agreement (see Question).
    questions: Callable[[Config], list[Question]] = field(default=_empty_list)
    # (config, answers, response ids of the item) -> the answer's votes, one per (question, unit)
    # it answers; an abstention votes only on the "abstain" question (when the template has one).
    votes: Callable[[Config, Answers, list[str]], list[Vote]] = field(default=_empty_list)
    # (config, response ids of the item) -> JSON Schema of a gold answer; None: the kind takes none.
    gold_schema: Callable[[Config, list[str]], dict[str, Any]] | None = None
    # (config, answers, gold answer valid under gold_schema) -> GoldMatch. Never called with
    # an abstention (the registry's match_gold answers None for it).
    gold_match: Callable[[Config, Answers, dict[str, Any]], GoldMatch] = field(default=_nothing)
    # (config, answers) -> the answer as a preference between two responses, None for an
    # abstention; None (no hook): the kind's answers are no such preference.
    choice: Callable[[Config, Answers], Choice | None] | None = None
    # (config, answers, response ids of the item) -> {response id: score}, each a pointwise score
    # normalised to 0..1 (0 the scale's lowest point, 1 its highest; thumbs down 0, up 1); empty
    # for an abstention. None (no hook): the kind gives no pointwise score (trl-kto and reward
    # read it for unpaired rows and pointwise rewards).
    scores: Callable[[Config, Answers, list[str]], dict[str, float]] | None = None
    # The top-level answer field that holds the preferred response id or "tie", when there is
    # one: the data browser's verdict filter reads it in SQL.
    verdict_key: str | None = None
    # Export formats the kind's answers feed, by name (annotate/export). A format that reads
    # a hook (ExportFormat.reads) is offered only when the kind has it.
    formats: tuple[str, ...] = ("raw",)
    # Said when a format is refused for this kind, e.g. which format and option to use instead.
    export_hint: str = ""
    # Active seconds below which a judgment is flagged ``too_fast`` (annotate.timekeeping.flags),
    # unless the template's ``timing.min_active_seconds`` says otherwise.
    min_active_seconds: int = 10

    @property
    def partial(self) -> str:
        """The Jinja name of the kind's partial: ``<folder>/templates/_<name>.html``."""
        return f"kinds/{self.name}/_{self.name}.html"

    def asset(self, filename: str) -> str:
        """The ``static`` endpoint's filename of one of the kind's own files."""
        return f"kinds/{self.name}/{filename}"

    def responses_problem(self, count: int) -> str | None:
        """Why an item with ``count`` responses cannot be a task of this kind, or None."""
        if self.min_responses == self.max_responses and count != self.min_responses:
            return f"a {self.name} task needs exactly {self.min_responses} responses, got {count}"
        if count < self.min_responses:
            return f"a {self.name} task needs at least {self.min_responses} responses, got {count}"
        if self.max_responses is not None and count > self.max_responses:
            return f"a {self.name} task needs at most {self.max_responses} responses, got {count}"
        return None

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_labels", {**COMMON_KEY_LABELS, **self.key_labels})

    def key_help(self, config: Config) -> list[tuple[str, str]]:
        """(key, what it does) for every configured key, in the order the kind lists them."""
        return [
            (key, self.key_labels.get(action, action.replace("_", " "))) for action, key in self.keys(config).items()
        ]
