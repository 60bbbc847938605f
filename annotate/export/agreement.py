"""Inter-annotator agreement for the dataset card: Krippendorff's alpha (``krippendorff`` package).

Computed over the judgments the export's filters keep, one alpha per *headline* question
of the project's kind (``Kind.questions``: what the exported label is, e.g. pairwise's
preferred response, each rubric criterion's score), from the votes each answer gives
(``Kind.votes``). A unit is (item, ``Vote.unit``): the item itself, or one of its
responses. Abstentions give no headline vote (they are missing values); a unit with a
single value carries no information about agreement and is ignored by alpha. The level
of measurement (nominal, ordinal, interval, ratio) and the value domain are the question's.

Values are kept as two flat integer arrays per measure, so memory stays
small even for a million judgments.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from annotate.export.base import ExportContext
from annotate.export.selection import groups
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

    def add_unit(self, values: list[Any]) -> None:
        if not self.fixed:
            for v in values:
                if v is not None and v not in self.index:
                    self.index[v] = len(self.domain)
                    self.domain.append(v)
        values = [v for v in values if v in self.index]
        if len(values) < 2:
            return
        for v in values:
            self.unit_of.append(self.units)
            self.value_of.append(self.index[v])
        self.units += 1

    def alpha(self) -> float | None:
        if self.units == 0 or len(self.domain) < 1:
            return None
        import krippendorff
        import numpy as np

        matrix = np.zeros((self.units, len(self.domain)), dtype=np.int64)
        np.add.at(matrix, (np.asarray(self.unit_of), np.asarray(self.value_of)), 1)
        domain = self.domain
        if not self.fixed and self.level != "nominal":  # values seen, in first-seen order: sort them
            order = sorted(range(len(domain)), key=lambda i: domain[i])
            matrix, domain = matrix[:, order], [domain[i] for i in order]
        if self.level in ("nominal", "ordinal"):  # only the values' order (ordinal) or identity counts
            domain = list(range(len(domain)))
        try:
            value = krippendorff.alpha(value_counts=matrix, level_of_measurement=self.level, value_domain=domain)
        except (ValueError, ZeroDivisionError):
            return None
        return None if math.isnan(value) else round(float(value), 4)  # NaN: no variation at all


def measures_for(questions: Iterable[Question]) -> dict[str, Measure]:
    """One empty measure per question, at its level, over its domain when the template fixes one."""
    return {q.id: Measure(q.level, list(q.domain) if q.domain is not None else None) for q in questions}


def add_item(measures: dict[str, Measure], answers_votes: Iterable[list[Vote]]) -> None:
    """Add one item's units: the votes of each of its answers, grouped by (question, unit)."""
    values: dict[tuple[str, str], list[Value]] = defaultdict(list)
    for votes in answers_votes:
        for vote in votes:
            if vote.question in measures:
                values[(vote.question, vote.unit)].append(vote.value)
    for (question, _unit), given in values.items():
        measures[question].add_unit(given)


def method(questions: list[Question]) -> str:
    """What the card's alpha is computed on, in words."""

    def part(q: Question) -> str:
        unit = "item" if q.per == "item" else "(item, response)"
        return f"{q.level}: unit = {unit}, value = {q.label}"

    if len(questions) == 1:
        return f"Krippendorff's alpha, {part(questions[0])}"
    return "Krippendorff's alpha per question: " + "; ".join(f"{q.id} ({part(q)})" for q in questions)


def krippendorff_alpha(ctx: ExportContext) -> dict[str, Any]:
    """{"method": …, "alpha": {question: value or None}, "units": {question: n}} for the card."""
    kind, config = ctx.kind, ctx.config
    headline = [q for q in kind.questions(config) if q.headline]
    measures = measures_for(headline)
    if measures:
        for group in groups(ctx):
            ids = [r["id"] for r in group.item.responses]
            add_item(measures, (kind.votes(config, row.answers, ids) for row in group.judgments))
    return {
        "method": method(headline) if headline else "",
        "alpha": {name: m.alpha() for name, m in measures.items()},
        "units": {name: m.units for name, m in measures.items()},
    }
