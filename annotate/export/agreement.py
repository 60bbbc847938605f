"""Inter-annotator agreement for the dataset card: Krippendorff's alpha (``krippendorff`` package).

Computed over the judgments the export's filters keep (abstentions are
missing values; a unit with a single value carries no information about
agreement and is ignored by alpha). What a *unit* and a *value* are depends
on the kind:

- pairwise: unit = item, value = the preferred response id or "tie"; nominal;
- ranking: unit = (item, response), value = its rank; ordinal;
- rubric: unit = (item, response), value = the score; interval, one alpha per criterion;
- critique: unit = (item, response), value = the score; interval (only with a score scale).

Values are kept as two flat integer arrays per measure, so memory stays
small even for a million judgments.
"""

from __future__ import annotations

import math
from array import array
from typing import Any, Literal

from annotate.export.base import ExportContext
from annotate.export.ranking import ranks_of
from annotate.export.selection import groups, is_abstain

Level = Literal["nominal", "ordinal", "interval", "ratio"]


class Measure:
    """Values per unit for one alpha, kept sparse: (unit, value index) in two flat arrays."""

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
        domain = self.domain if self.level != "nominal" else list(range(len(self.domain)))
        try:
            value = krippendorff.alpha(value_counts=matrix, level_of_measurement=self.level, value_domain=domain)
        except (ValueError, ZeroDivisionError):
            return None
        return None if math.isnan(value) else round(float(value), 4)  # NaN: no variation at all


def measures_for(ctx: ExportContext) -> dict[str, Measure]:
    config = ctx.project.template.get("config", {})
    kind = ctx.project.kind
    if kind == "rubric":
        return {
            c["id"]: Measure("interval", list(range(c["scale"]["min"], c["scale"]["max"] + 1)))
            for c in config.get("criteria", [])
        }
    if kind == "critique":
        scale = config.get("score")
        if not scale:
            return {}
        return {"score": Measure("interval", list(range(scale["min"], scale["max"] + 1)))}
    return {}


def krippendorff_alpha(ctx: ExportContext) -> dict[str, Any]:
    """{"method": …, "alpha": {measure: value or None}, "units": {measure: n}} for the card."""
    kind = ctx.project.kind
    measures = measures_for(ctx)
    for group in groups(ctx):
        answers = [row.answers for row in group.judgments if not is_abstain(row.answers)]
        if len(answers) < 2:
            continue
        ids = [r["id"] for r in group.item.responses]
        if kind == "pairwise":
            measures.setdefault("preference", Measure("nominal")).add_unit([a.get("preferred") for a in answers])
        elif kind == "ranking":
            measure = measures.setdefault("rank", Measure("ordinal", list(range(1, 65))))
            rankings = [ranks_of(a.get("ranking", [])) for a in answers]
            for rid in ids:
                measure.add_unit([r.get(rid) for r in rankings])
        elif kind == "rubric":
            for cid, measure in measures.items():
                for rid in ids:
                    measure.add_unit([a.get("scores", {}).get(rid, {}).get(cid) for a in answers])
        elif kind == "critique" and "score" in measures:
            for rid in ids:
                measures["score"].add_unit([(a.get("critiques", {}).get(rid) or {}).get("score") for a in answers])
    return {
        "method": METHODS.get(kind, ""),
        "alpha": {name: m.alpha() for name, m in measures.items()},
        "units": {name: m.units for name, m in measures.items()},
    }


METHODS = {
    "pairwise": "Krippendorff's alpha, nominal: unit = item, value = the preferred response id or tie",
    "ranking": "Krippendorff's alpha, ordinal: unit = (item, response), value = its rank",
    "rubric": "Krippendorff's alpha, interval, per criterion: unit = (item, response), value = the score",
    "critique": "Krippendorff's alpha, interval: unit = (item, response), value = the score",
}
