"""Krippendorff's alpha per question (``krippendorff`` package) with a bootstrap 95% interval:
the one implementation the Quality page, ``annotate quality``, the API and the dataset card
share (annotate/export/agreement.py feeds the card from it).

A question is one of the kind's (``Kind.questions``), at the level of measurement it
declares; the votes are the kind's (``Kind.votes``). A unit is (item, ``Vote.unit``): the
item itself, or one of its responses. A unit with a single value carries no information
about agreement and is left out. Values are kept as two flat integer arrays per measure, so
memory stays small even for a million judgments.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from annotate.kinds.base import Level, Question, Value, Vote


class Measure:
    """Values per unit for one alpha, kept sparse: (unit, value index) in two flat arrays.

    ``domain``: the values in order (lowest first), or None to take the values seen (sorted,
    for the ordinal, interval and ratio levels). Interval and ratio values are numbers;
    nominal and ordinal ones may be any hashable value (labels, response ids)."""

    def __init__(self, level: Level, domain: list[Any] | None = None):
        self.level = level
        self.fixed = domain is not None
        self.domain: list[Any] = list(domain or [])
        self.index = {v: i for i, v in enumerate(self.domain)}
        self.unit_of = array("l")
        self.value_of = array("l")
        self.units = 0
        self.items = 0  # items with at least one unit counted
        self.judgments = 0  # values counted, summed over the items (one per answer and item)

    def add_unit(self, values: list[Any]) -> bool:
        """Add one unit's values; False when it has fewer than two comparable values."""
        if not self.fixed:
            for v in values:
                if v is not None and v not in self.index:
                    self.index[v] = len(self.domain)
                    self.domain.append(v)
        values = [v for v in values if v in self.index]
        if len(values) < 2:
            return False
        for v in values:
            self.unit_of.append(self.units)
            self.value_of.append(self.index[v])
        self.units += 1
        return True

    def counts(self) -> tuple[Any, list[Any]]:
        """(units x values count matrix, the values in order) as krippendorff takes them."""
        import numpy as np

        matrix = np.zeros((self.units, len(self.domain)), dtype=np.int64)
        np.add.at(matrix, (np.asarray(self.unit_of), np.asarray(self.value_of)), 1)
        domain = self.domain
        if not self.fixed and self.level != "nominal":  # values seen, in first-seen order: sort them
            order = sorted(range(len(domain)), key=lambda i: domain[i])
            matrix, domain = matrix[:, order], [domain[i] for i in order]
        if self.level in ("nominal", "ordinal"):  # only the values' order (ordinal) or identity counts
            domain = list(range(len(domain)))
        return matrix, domain

    def alpha(self) -> float | None:
        if self.units == 0 or len(self.domain) < 1:
            return None
        import krippendorff

        matrix, domain = self.counts()
        try:
            value = krippendorff.alpha(value_counts=matrix, level_of_measurement=self.level, value_domain=domain)
        except (ValueError, ZeroDivisionError):
            return None
        return None if math.isnan(value) else round(float(value), 4)  # NaN: no variation at all

    def interval(self) -> tuple[float, float] | None:
        """A bootstrap 95% interval of alpha (units resampled); None with fewer than two units."""
        if self.units < 2:
            return None
        from annotate.quality.stats import alpha_interval

        matrix, domain = self.counts()
        found = alpha_interval(matrix, self.level, [float(v) for v in domain])
        return None if found is None else (round(found[0], 4), round(found[1], 4))

    def as_json(self, question: Question) -> dict[str, Any]:
        """What the page, the CLI, the API and the card show of one question."""
        ci = self.interval()
        return {
            "question": question.id,
            "label": question.label,
            "headline": question.headline,
            "alpha": self.alpha(),
            "level": self.level,
            "items": self.items,
            "units": self.units,
            "judgments": self.judgments,
            "ci": None if ci is None else list(ci),
        }


def measures_for(questions: Iterable[Question]) -> dict[str, Measure]:
    """One empty measure per question, at its level, over its domain when the template fixes one."""
    return {q.id: Measure(q.level, list(q.domain) if q.domain is not None else None) for q in questions}


def add_item(measures: dict[str, Measure], answers_votes: Iterable[list[Vote]]) -> None:
    """Add one item's units: the votes of each of its answers, grouped by (question, unit)."""
    values: dict[tuple[str, str], list[Value]] = defaultdict(list)
    voters: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, votes in enumerate(answers_votes):
        for vote in votes:
            if vote.question in measures:
                values[(vote.question, vote.unit)].append(vote.value)
                voters[(vote.question, vote.unit)].append(n)
    counted: dict[str, set[int]] = defaultdict(set)
    for key, given in values.items():
        if measures[key[0]].add_unit(given):
            counted[key[0]].update(voters[key])
    for question, answers in counted.items():
        measures[question].items += 1
        measures[question].judgments += len(answers)


def method(questions: list[Question]) -> str:
    """What the card's alpha is computed on, in words."""

    def part(q: Question) -> str:
        unit = "item" if q.per == "item" else "(item, response)"
        return f"{q.level}: unit = {unit}, value = {q.label}"

    if len(questions) == 1:
        return f"Krippendorff's alpha, {part(questions[0])}"
    return "Krippendorff's alpha per question: " + "; ".join(f"{q.id} ({part(q)})" for q in questions)
