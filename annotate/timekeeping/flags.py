"""Authenticity flags on a judgment: each with the value that raised it and the limit it crossed.

* ``too_fast``: fewer active seconds than the template's minimum (``timing.min_active_seconds``
  in the template; else the kind's ``Kind.min_active_seconds``; else ``DEFAULT_MIN_SECONDS``).
* ``mostly_pasted``: of the characters the person put into the answer's text fields, a
  share above ``ANNOTATE_FLAG_PASTED_SHARE`` was pasted or dropped (and at least
  ``ANNOTATE_FLAG_PASTED_MIN_CHARS`` characters: pasting a word is no sign of anything).
* ``idle_submit``: no interaction before the submit: the page saw no key, pointer, wheel or
  touch (or, for an API client that sends no signals, no heartbeat ever reached the server).

Flags inform reviewers and researchers; they never reject work. Stored twice, from one
computation: ``Judgment.flags`` (name -> value and limit, for people and exports) and
``Judgment.flag_bits`` (for filters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotate.timekeeping.settings import TimeSettings
from annotate.timekeeping.signals import entered


@dataclass(frozen=True)
class Flag:
    name: str
    bit: int
    label: str  # what a reviewer reads
    explain: str  # the value's meaning, with {value} and {limit}


FLAGS: dict[str, Flag] = {
    flag.name: flag
    for flag in (
        Flag("too_fast", 1, "Too fast", "{value} active seconds, below the minimum of {limit}"),
        Flag("mostly_pasted", 2, "Mostly pasted", "{value:.0%} of the text pasted or dropped, above {limit:.0%}"),
        Flag("idle_submit", 4, "Submitted without interaction", "{value} interactions before the submit"),
    )
}

# Seconds below which a judgment of the kind is too fast to have been read, when neither the
# template nor the kind says otherwise. A reading task with a written rationale takes longer
# than a click; these are deliberately low: a flag should mean something.
DEFAULT_MIN_SECONDS = 10


def minimum_seconds(template: dict[str, Any]) -> int:
    """The active seconds a judgment under ``template`` (a project's snapshot) should take at least."""
    timing = template.get("timing") or {}
    if isinstance(timing.get("min_active_seconds"), int):
        return timing["min_active_seconds"]
    from annotate.kinds import KINDS

    kind = KINDS.get(template.get("kind", ""))
    return kind.min_active_seconds if kind is not None else DEFAULT_MIN_SECONDS


def raised(
    template: dict[str, Any], seconds: int, intervals: int, signals: dict[str, Any] | None, settings: TimeSettings
) -> dict[str, dict[str, Any]]:
    """The flags a judgment raises: name -> {"value", "limit"} (empty when none)."""
    flags: dict[str, dict[str, Any]] = {}
    least = minimum_seconds(template)
    if seconds < least:
        flags["too_fast"] = {"value": seconds, "limit": least}
    if signals is not None:
        total, outside = entered(signals)
        share = outside / total if total else 0.0
        if outside >= settings.pasted_min_chars and share > settings.pasted_share:
            flags["mostly_pasted"] = {"value": round(share, 3), "limit": settings.pasted_share, "characters": outside}
        if signals.get("interactions", 0) == 0:
            flags["idle_submit"] = {"value": 0, "limit": 1}
    elif intervals == 0:
        flags["idle_submit"] = {"value": 0, "limit": 1, "heartbeats": 0}
    return flags


def bits(flags: dict[str, Any] | None) -> int:
    """The bits of ``flags`` (see ``FLAGS``)."""
    return sum(FLAGS[name].bit for name in flags or {} if name in FLAGS)


def described(flags: dict[str, Any] | None) -> list[tuple[Flag, str]]:
    """(flag, what its value means) for each flag raised, in ``FLAGS`` order."""
    out = []
    for name, flag in FLAGS.items():
        if flags and name in flags:
            value = flags[name]
            out.append((flag, flag.explain.format(value=value.get("value"), limit=value.get("limit"))))
    return out
