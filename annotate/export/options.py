"""Parse export options from text (CLI flags, web form, API query): one parser, one set of errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from annotate.export.base import AGGREGATIONS, UNITS, ExportError, ExportOptions

TRUE = {"1", "true", "yes", "on"}
FALSE = {"", "0", "false", "no", "off"}


def parse_flag(name: str, value: str | bool | None) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ExportError(f"{name}: {value!r} is not a yes/no value (1, 0, true, false)")


def parse_fraction(name: str, value: str | float | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise ExportError(f"{name}: {value!r} is not a number") from None
    if not 0 <= number <= 1:
        raise ExportError(f"{name}: {value!r} must be between 0 and 1")
    return number


def parse_moment(name: str, value: str | None, *, end_of_day: bool) -> datetime | None:
    """An ISO date or date-time; naive values are UTC. A bare ``until`` date includes that whole day."""
    if value is None or value == "":
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.min, tzinfo=UTC)
            return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ExportError(
            f"{name}: {value!r} is not an ISO date (2026-11-23) or date-time (2026-11-23T12:00:00Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_batches(values: list[str] | tuple[Any, ...]) -> tuple[int, ...]:
    out = []
    for value in values:
        for part in str(value).split(","):
            if not part.strip():
                continue
            try:
                out.append(int(part))
            except ValueError:
                raise ExportError(f"batch: {part!r} is not a batch id (a number)") from None
    return tuple(out)


def parse_options(
    *,
    unit: str | None = None,
    aggregation: str | None = None,
    accepted_only: str | bool | None = None,
    min_agreement: str | float | None = None,
    exclude_experts: list[str] | tuple[str, ...] = (),
    gold_only: str | bool | None = None,
    gold_threshold: str | float | None = None,
    batches: list[str] | tuple[Any, ...] = (),
    since: str | None = None,
    until: str | None = None,
    pairs: str | bool | None = None,
    binarize: str | bool | None = None,
    emails: str | bool | None = None,
    exclude_flagged: str | bool | None = None,
    label_threshold: str | float | None = None,
    prompt_completion: str | bool | None = None,
) -> ExportOptions:
    """ExportOptions from text values; ExportError names the field that is wrong and why."""
    if unit not in (None, "") and unit not in UNITS:
        raise ExportError(f"unit: {unit!r} is not one of {', '.join(UNITS)}")
    if aggregation not in (None, "") and aggregation not in AGGREGATIONS:
        raise ExportError(f"aggregation: {aggregation!r} is not one of {', '.join(AGGREGATIONS)}")
    threshold = parse_fraction("gold_threshold", gold_threshold)
    experts = tuple(e.strip() for value in exclude_experts for e in str(value).split(",") if e.strip())
    return ExportOptions(
        unit=unit or None,
        aggregation=aggregation or "majority",
        accepted_only=parse_flag("accepted_only", accepted_only),
        min_agreement=parse_fraction("min_agreement", min_agreement),
        exclude_experts=experts,
        gold_only=parse_flag("gold_only", gold_only),
        gold_threshold=0.8 if threshold is None else threshold,
        batches=parse_batches(batches),
        since=parse_moment("since", since, end_of_day=False),
        until=parse_moment("until", until, end_of_day=True),
        pairs=parse_flag("pairs", pairs),
        binarize=parse_flag("binarize", binarize),
        emails=parse_flag("emails", emails),
        exclude_flagged=parse_flag("exclude_flagged", exclude_flagged),
        label_threshold=parse_fraction("label_threshold", label_threshold),
        prompt_completion=parse_flag("prompt_completion", prompt_completion),
    )


def options_from_args(args) -> ExportOptions:
    """ExportOptions from a request's query string or form (a werkzeug MultiDict)."""
    return parse_options(
        unit=args.get("unit"),
        aggregation=args.get("aggregation"),
        accepted_only=args.get("accepted_only"),
        min_agreement=args.get("min_agreement"),
        exclude_experts=args.getlist("exclude_expert"),
        gold_only=args.get("gold_only"),
        gold_threshold=args.get("gold_threshold"),
        batches=args.getlist("batch"),
        since=args.get("since"),
        until=args.get("until"),
        pairs=args.get("pairs"),
        binarize=args.get("binarize"),
        emails=args.get("emails"),
        exclude_flagged=args.get("exclude_flagged"),
        label_threshold=args.get("label_threshold"),
        prompt_completion=args.get("prompt_completion"),
    )
