"""Authenticity signals: how the text of an answer was entered, as the task page recorded it.

Per text field of the answer form (every textarea and text input, by its ``name``:
rationale, critique, rewrite, demonstration, caption, …) the page counts the characters
typed, pasted, dropped and put in by the page itself (a restored draft), the number and
sizes of the pastes, the milliseconds from the task's arrival to the first keystroke, and
whether the window lost focus while the field was being filled. ``interactions`` counts
keys, pointer presses, wheel turns and touches on the page before the submit.

The page is untrusted: ``parse`` checks the shape and bounds every number and list, so a
forged body can neither grow the row nor smuggle in other keys. Nothing is recorded
outside the task page, and nothing here reads what was typed: only counts.
"""

from __future__ import annotations

from typing import Any

from annotate.validation import Problem

MAX_FIELDS = 50
MAX_NAME = 100
MAX_PASTES_KEPT = 50
MAX_COUNT = 100_000_000
MAX_MS = 7 * 24 * 3600 * 1000
COUNTS = ("typed", "pasted", "dropped", "restored", "deleted", "pastes")
FIELD_KEYS = {*COUNTS, "paste_sizes", "first_key_ms", "focus_lost"}


def _count(value: Any, high: int = MAX_COUNT) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= high


def parse(value: Any, prefix: str = "signals") -> tuple[dict[str, Any] | None, list[Problem]]:
    """(signals, problems): the signals in their stored shape, or None with what is wrong (JSON paths)."""
    if value is None:
        return None, []
    if not isinstance(value, dict):
        return None, [Problem(prefix, "expected an object with interactions and fields")]
    problems: list[Problem] = []
    for key in value:
        if key not in ("interactions", "fields"):
            problems.append(Problem(f"{prefix}.{key}", "unknown key: signals have interactions and fields"))
    interactions = value.get("interactions", 0)
    if not _count(interactions):
        problems.append(Problem(f"{prefix}.interactions", f"a whole number from 0 to {MAX_COUNT}"))
    fields = value.get("fields", {})
    out: dict[str, Any] = {}
    if not isinstance(fields, dict):
        problems.append(Problem(f"{prefix}.fields", "expected an object: field name -> counts"))
    elif len(fields) > MAX_FIELDS:
        problems.append(Problem(f"{prefix}.fields", f"at most {MAX_FIELDS} fields"))
    else:
        for name, counts in fields.items():
            where = f"{prefix}.fields.{name[:MAX_NAME]}"
            if not 1 <= len(name) <= MAX_NAME:
                problems.append(Problem(where, f"a field name has 1 to {MAX_NAME} characters"))
                continue
            parsed = _field(counts, where, problems)
            if parsed is not None:
                out[name] = parsed
    if problems:
        return None, problems
    return {"interactions": interactions, "fields": out}, []


def _field(counts: Any, where: str, problems: list[Problem]) -> dict[str, Any] | None:
    if not isinstance(counts, dict):
        problems.append(Problem(where, "expected an object of counts"))
        return None
    before = len(problems)
    for key in counts:
        if key not in FIELD_KEYS:
            problems.append(Problem(f"{where}.{str(key)[:40]}", f"unknown key: one of {', '.join(sorted(FIELD_KEYS))}"))
    out: dict[str, Any] = {}
    for key in COUNTS:
        value = counts.get(key, 0)
        if not _count(value):
            problems.append(Problem(f"{where}.{key}", f"a whole number from 0 to {MAX_COUNT}"))
        out[key] = value
    sizes = counts.get("paste_sizes", [])
    if not isinstance(sizes, list) or len(sizes) > MAX_PASTES_KEPT or not all(_count(s) for s in sizes):
        problems.append(Problem(f"{where}.paste_sizes", f"a list of at most {MAX_PASTES_KEPT} character counts"))
    out["paste_sizes"] = sizes
    first = counts.get("first_key_ms")
    if first is not None and not _count(first, MAX_MS):
        problems.append(Problem(f"{where}.first_key_ms", "milliseconds from the task's arrival, or null"))
    out["first_key_ms"] = first
    lost = counts.get("focus_lost", False)
    if not isinstance(lost, bool):
        problems.append(Problem(f"{where}.focus_lost", "true or false"))
    out["focus_lost"] = lost
    return out if len(problems) == before else None


def merge(earlier: dict[str, Any] | None, later: dict[str, Any] | None) -> dict[str, Any] | None:
    """The signals of a judgment changed after its submit: the text is the work of both sittings."""
    if earlier is None or later is None:
        return later if earlier is None else earlier
    fields = {name: dict(counts) for name, counts in earlier.get("fields", {}).items()}
    for name, counts in later.get("fields", {}).items():
        if name not in fields:
            fields[name] = dict(counts)
            continue
        mine = fields[name]
        for key in COUNTS:
            mine[key] = min(MAX_COUNT, mine.get(key, 0) + counts.get(key, 0))
        mine["paste_sizes"] = (mine.get("paste_sizes", []) + counts.get("paste_sizes", []))[:MAX_PASTES_KEPT]
        firsts = [v for v in (mine.get("first_key_ms"), counts.get("first_key_ms")) if v is not None]
        mine["first_key_ms"] = min(firsts) if firsts else None
        mine["focus_lost"] = bool(mine.get("focus_lost") or counts.get("focus_lost"))
    interactions = min(MAX_COUNT, earlier.get("interactions", 0) + later.get("interactions", 0))
    return {"interactions": interactions, "fields": fields}


def entered(signals: dict[str, Any]) -> tuple[int, int]:
    """(characters put in by the person, of which pasted or dropped), over every field."""
    total = outside = 0
    for counts in signals.get("fields", {}).values():
        total += counts.get("typed", 0) + counts.get("pasted", 0) + counts.get("dropped", 0)
        outside += counts.get("pasted", 0) + counts.get("dropped", 0)
    return total, outside


MAX_FORM_BYTES = 64 * 1024


def from_form(text: str | None) -> dict[str, Any] | None:
    """The signals the task page put in its form (JSON text). A page that sent none, or sent
    something unreadable, gives None: the submit goes on, with no signals recorded (the
    expert cannot fix a broken script, and flags never refuse work)."""
    if not text or len(text) > MAX_FORM_BYTES:
        return None
    import orjson

    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    signals, _problems = parse(value)
    return signals
