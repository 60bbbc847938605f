"""What an export format is, the options every export takes, and the summary it keeps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from annotate.kinds.base import Kind
    from annotate.models import Project

Record = dict[str, Any]

UNITS = ("item", "judgment")
AGGREGATIONS = ("majority", "unanimous", "all")
# Options that only some formats take (ExportFormat.takes).
FORMAT_OPTIONS = ("pairs", "binarize", "emails", "prompt_completion")
DEFAULT_LABEL_THRESHOLD = 0.5
SIDECAR_FOLDERS = ("captions",)


class ExportError(ValueError):
    """The export cannot run as asked; the message names the option and why."""


@dataclass(frozen=True)
class ExportOptions:
    """Everything that shapes an export besides its format. Plain values, so the CLI,
    the web form and the API build the same thing and the manifest can record it."""

    unit: str | None = None  # None: the format's default unit
    aggregation: str = "majority"
    accepted_only: bool = False
    min_agreement: float | None = None
    exclude_experts: tuple[str, ...] = ()  # pseudonyms or emails
    gold_only: bool = False
    gold_threshold: float = 0.8
    batches: tuple[int, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    pairs: bool = False  # ranking: expand into trl rows
    binarize: bool = False  # rubric: chosen/rejected by aggregate score
    emails: bool = False  # raw: add the expert's email (only when asked)
    exclude_flagged: bool = False  # leave out judgments with an authenticity flag (annotate.timekeeping)
    # trl-kto from pointwise scores (ratings): a score above it is desirable (label true). None:
    # not asked for; resolve() fills in DEFAULT_LABEL_THRESHOLD where the export uses it.
    label_threshold: float | None = None
    prompt_completion: bool = False  # sft: prompt/completion columns instead of messages

    def as_json(self) -> dict[str, Any]:
        """The options as JSON values, for the manifest and the export record."""
        out = asdict(self)
        out["exclude_experts"] = list(self.exclude_experts)
        out["batches"] = list(self.batches)
        out["since"] = self.since.isoformat() if self.since else None
        out["until"] = self.until.isoformat() if self.until else None
        return out


@dataclass
class ExportSummary:
    """Counts of what was read, written and left out (and why): printed by the CLI,
    kept in the export record, the manifest and the dataset card."""

    rows: int = 0
    items: int = 0  # items that produced at least one row
    judgments_read: int = 0
    judgments_used: int = 0
    ties: int = 0  # judgments whose answer is a tie (pairwise "tie", or a tied tier)
    abstains: int = 0
    experts: set[int] = field(default_factory=set)
    left_out: dict[str, int] = field(default_factory=dict)
    # Of the judgments that passed the filters: how many had each number of active seconds (the
    # card's median, in constant memory), and how many carried an authenticity flag.
    seconds: Counter[int] = field(default_factory=Counter)
    flagged: int = 0
    # Called every so often with the row count, for progress bars.
    progress: Callable[[int], None] | None = field(default=None, repr=False, compare=False)

    def leave_out(self, reason: str, n: int = 1) -> None:
        self.left_out[reason] = self.left_out.get(reason, 0) + n

    def median_seconds(self) -> float | None:
        """The median active seconds of the judgments counted in ``seconds``; None when none."""
        total = self.seconds.total()
        wanted = [(total - 1) // 2, total // 2]  # the middle position(s), from 0
        found: list[int] = []
        seen = 0
        for value in sorted(self.seconds):
            seen += self.seconds[value]
            while wanted and wanted[0] < seen:
                found.append(value)
                wanted.pop(0)
        return (found[0] + found[1]) / 2 if total else None

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "items": self.items,
            "judgments_read": self.judgments_read,
            "judgments_used": self.judgments_used,
            "experts": len(self.experts),
            "ties": self.ties,
            "abstains": self.abstains,
            "left_out": dict(sorted(self.left_out.items())),
        }


@dataclass(frozen=True)
class ExportContext:
    """What a format's record builder gets: the session, the project and the options."""

    session: Session
    project: Project
    options: ExportOptions
    summary: ExportSummary

    @property
    def unit(self) -> str:
        return self.options.unit or "item"

    @cached_property
    def kind(self) -> Kind:
        """The project's task kind, whose hooks read the answers."""
        from annotate.kinds import get_kind

        return get_kind(self.project.kind)

    @property
    def config(self) -> dict[str, Any]:
        """The project's template config, as the kind's hooks take it."""
        config: dict[str, Any] = self.project.template.get("config", {})
        return config

    @cached_property
    def pseudonyms(self) -> dict[int, str]:
        """Each member's pseudonym by user id, read once per export."""
        from annotate.export.queries import member_lookup

        return dict(self.session.execute(member_lookup(self.project)).all())


@dataclass(frozen=True)
class ExportFormat:
    """One export format: a module under annotate/export/ registered in FORMATS.

    Which projects it exports is the kinds' business: a kind lists the formats its answers
    feed (``Kind.formats``), and a format names the kind hooks its records read (``reads``,
    e.g. ``choice`` for the pair formats), so adding a kind touches no export module. A format
    that reads no hook either reads what every answer has (``raw``) or reads one answer shape
    its module documents (``ranking``, ``rubric``, ``critique``)."""

    name: str
    description: str
    # exports/<schema>.schema.json; `schema_for` may pick another one for an option (--pairs).
    schema: str
    records: Callable[[ExportContext], Iterator[Record]]
    # Kind hooks (attributes of annotate.kinds.base.Kind) the records read.
    reads: tuple[str, ...] = ()
    # Hooks of which the records read the first the kind has (e.g. ``choice`` for pairs, else
    # ``scores`` for pointwise rows); a kind with none of them is refused.
    reads_any: tuple[str, ...] = ()
    # Whether the records take ``label_threshold`` (given the kind; see ``resolve``).
    takes_threshold: Callable[[Kind], bool] | None = None
    # The options of FORMAT_OPTIONS this format takes.
    takes: tuple[str, ...] = ()
    units: tuple[str, ...] = UNITS
    default_unit: str = "item"
    tags: tuple[str, ...] = ("rlhf", "human-feedback")
    task_categories: tuple[str, ...] = ("text-generation",)
    schema_for: Callable[[ExportOptions], str] | None = None
    # The folder form: files written beside the data for each record, as (path under the
    # folder, bytes); e.g. a WebVTT file per captioning judgment. Paths are the format's own
    # (never from the data unmade safe) and sit under one folder of SIDECAR_FOLDERS.
    sidecars: Callable[[Record], Iterator[tuple[str, bytes]]] | None = None

    def schema_name(self, options: ExportOptions) -> str:
        return self.schema_for(options) if self.schema_for else self.schema

    def kind_problem(self, kind: Kind) -> str | None:
        """Why this format cannot export a project of ``kind`` (the kind does not list it, or
        lacks a hook the format reads), or None."""
        from annotate.kinds import KINDS

        if self.name not in kind.formats:
            feeding = [k.name for k in KINDS.values() if self.name in k.formats]
            hint = f" ({kind.export_hint})" if kind.export_hint else ""
            return f"format: {self.name} exports {', '.join(feeding)} projects; this project is {kind.name}{hint}"
        missing = [hook for hook in self.reads if getattr(kind, hook, None) is None]
        if missing:
            return f"format: {self.name} reads the {', '.join(missing)} hook of a kind, which {kind.name} lacks"
        if self.reads_any and all(getattr(kind, hook, None) is None for hook in self.reads_any):
            hooks = " or ".join(self.reads_any)
            return f"format: {self.name} reads the {hooks} hook of a kind, and {kind.name} has none of them"
        return None

    def resolve(self, options: ExportOptions, kind: Kind) -> ExportOptions:
        """Check the options against this format and the project's kind; fill in the unit."""
        from dataclasses import replace

        from annotate.export import FORMATS

        problem = self.kind_problem(kind)
        if problem:
            raise ExportError(problem)
        unit = options.unit or self.default_unit
        if unit not in self.units:
            raise ExportError(f"unit: {self.name} has one row per {self.units[0]}; --unit {unit} does not apply")
        if options.aggregation not in AGGREGATIONS:
            raise ExportError(f"aggregation: {options.aggregation!r} is not one of {', '.join(AGGREGATIONS)}")
        for option in FORMAT_OPTIONS:
            if getattr(options, option) and option not in self.takes:
                takers = ", ".join(f.name for f in FORMATS.values() if option in f.takes)
                flag = option.replace("_", "-")
                raise ExportError(f"{option}: --{flag} applies to the {takers} format only")
        if options.min_agreement is not None and not 0 <= options.min_agreement <= 1:
            raise ExportError("min_agreement: must be between 0 and 1")
        if not 0 <= options.gold_threshold <= 1:
            raise ExportError("gold_threshold: must be between 0 and 1")
        if options.since and options.until and options.since > options.until:
            raise ExportError("since: the date range is empty (since is after until)")
        threshold = options.label_threshold
        if self.takes_threshold is not None and self.takes_threshold(kind):
            if threshold is None:
                threshold = DEFAULT_LABEL_THRESHOLD
            elif not 0 <= threshold < 1:
                raise ExportError("label_threshold: must be at least 0 and below 1 (a score above it is desirable)")
        elif threshold is not None:
            raise ExportError(
                f"label_threshold: applies to trl-kto exports of rated projects (pointwise scores), "
                f"not to {self.name} exports of a {kind.name} project"
            )
        return replace(options, unit=unit, label_threshold=threshold)
