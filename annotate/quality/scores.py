"""One quality score per expert and project, from the parts a lab can check.

Each part is a rate in 0..1 with the number it rests on:

* ``gold``: share of the expert's gold items answered right (annotate.kinds.match_gold);
* ``consensus``: share of their votes that equal the leave-one-out majority;
* ``review``: share of their reviewed judgments accepted on the first review (annotate/review);
* ``integrity``: share of their judgments without an authenticity flag (annotate/timekeeping).

The score is the weighted mean of the parts that rest on at least one observation, weights
``WEIGHTS`` renormalised over those, times 100 and rounded to one decimal. A part resting on
nothing is shown as such and does not count. None: no part rests on anything.
"""

from __future__ import annotations

from typing import Any, Protocol

WEIGHTS = {"gold": 0.4, "consensus": 0.3, "review": 0.2, "integrity": 0.1}
LABELS = {
    "gold": "Gold accuracy",
    "consensus": "Agreement with the others' majority",
    "review": "Accepted on first review",
    "integrity": "Judgments without a flag",
}


class Counts(Protocol):
    judgments: int
    gold_right: int
    gold_compared: int
    consensus_agree: int
    consensus_compared: int
    flagged: int
    reviewed: int
    accepted_first: int


def parts(t: Counts) -> dict[str, dict[str, Any]]:
    """{part: {"value": rate or None, "n": observations, "weight": w}} for one expert."""
    raw = {
        "gold": (t.gold_right, t.gold_compared),
        "consensus": (t.consensus_agree, t.consensus_compared),
        "review": (t.accepted_first, t.reviewed),
        "integrity": (t.judgments - t.flagged, t.judgments),
    }
    return {
        name: {"value": round(k / n, 4) if n else None, "n": n, "weight": WEIGHTS[name]} for name, (k, n) in raw.items()
    }


def total(found: dict[str, dict[str, Any]]) -> float | None:
    """The score (0..100) from ``parts``; None when no part rests on anything."""
    present = {name: p for name, p in found.items() if p["value"] is not None}
    weight = sum(WEIGHTS[name] for name in present)
    if not weight:
        return None
    return round(100 * sum(WEIGHTS[name] * p["value"] for name, p in present.items()) / weight, 1)
