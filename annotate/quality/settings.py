"""A project's gold and qualification settings: parsed from text (web form, CLI) with a
problem per field, in the researcher's words, and applied only when every field is valid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from annotate.models import Project

FIELDS = (
    "gold_rate",
    "qualification_size",
    "qualification_threshold",
    "qualification_retake_hours",
    "qualification_tag",
)
MAX_SIZE = 1000
MAX_RETAKE_HOURS = 24 * 365
TAG_MAX = 100


class SettingsError(ValueError):
    """Some fields are invalid; ``problems`` maps each to what is wrong."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def _fraction(text: str, name: str, problems: dict[str, str], *, percent: bool) -> float | None:
    text = text.strip().removesuffix("%").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problems[name] = "a number between 0 and 1 (or a percentage such as 10%)"
        return None
    if percent and value > 1:
        value /= 100
    if not 0 <= value <= 1:
        problems[name] = "must be between 0 and 1 (or 0% and 100%)"
        return None
    return value


def _whole(text: str, name: str, problems: dict[str, str], lowest: int, highest: int) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not lowest <= int(text) <= highest:
        problems[name] = f"a whole number from {lowest} to {highest}"
        return None
    return int(text)


def parse(form: Mapping[str, Any]) -> dict[str, Any]:
    """The settings from text values (empty: off); SettingsError names every bad field."""
    problems: dict[str, str] = {}
    values: dict[str, Any] = {
        "gold_rate": _fraction(str(form.get("gold_rate") or ""), "gold_rate", problems, percent=True),
        "qualification_size": _whole(
            str(form.get("qualification_size") or ""), "qualification_size", problems, 1, MAX_SIZE
        ),
        "qualification_threshold": _fraction(
            str(form.get("qualification_threshold") or ""), "qualification_threshold", problems, percent=True
        ),
        "qualification_retake_hours": _whole(
            str(form.get("qualification_retake_hours") or ""),
            "qualification_retake_hours",
            problems,
            0,
            MAX_RETAKE_HOURS,
        ),
        "qualification_tag": str(form.get("qualification_tag") or "").strip().lower() or None,
    }
    if values["qualification_tag"] and len(values["qualification_tag"]) > TAG_MAX:
        problems["qualification_tag"] = f"at most {TAG_MAX} characters"
    if values["qualification_threshold"] is None and "qualification_threshold" not in problems:
        values["qualification_threshold"] = 0.8
    if problems:
        raise SettingsError(problems)
    return values


def apply(project: Project, values: dict[str, Any]) -> None:
    """Set the parsed settings on the project (the caller's transaction commits them)."""
    for name in FIELDS:
        setattr(project, name, values[name])


def current(project: Project) -> dict[str, str]:
    """The project's settings as the form shows them."""
    return {
        "gold_rate": "" if project.gold_rate is None else f"{project.gold_rate:g}",
        "qualification_size": "" if project.qualification_size is None else str(project.qualification_size),
        "qualification_threshold": f"{project.qualification_threshold:g}",
        "qualification_retake_hours": ""
        if project.qualification_retake_hours is None
        else str(project.qualification_retake_hours),
        "qualification_tag": project.qualification_tag or "",
    }
