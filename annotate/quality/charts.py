"""Server-drawn SVG charts: the geometry here (plain numbers), the drawing in
templates/quality/_charts.html. No script, no build step; every chart on the page has its
numbers in a table beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

WIDTH = 640
LEFT = 190  # room for the row labels
RIGHT = 24
ROW = 28
TOP = 12
AXIS = 30


@dataclass
class Row:
    label: str
    x: float | None  # the point, None when there is no value
    low: float | None
    high: float | None
    y: float
    text: str


@dataclass
class Tick:
    x: float
    text: str


@dataclass
class IntervalChart:
    """Points with intervals, one row each, on a shared horizontal scale."""

    title: str
    rows: list[Row]
    ticks: list[Tick]
    height: float
    reference: float | None = None  # a vertical line (e.g. 0.5, no bias)
    band: tuple[float, float] | None = None  # a shaded band (e.g. the project's interval)
    plot_left: float = LEFT
    plot_right: float = WIDTH - RIGHT


def _scale(lo: float, hi: float) -> Any:
    span = (hi - lo) or 1.0
    return lambda v: LEFT + (v - lo) / span * (WIDTH - RIGHT - LEFT)


def _ticks(lo: float, hi: float, scale: Any, digits: int) -> list[Tick]:
    steps = 4
    return [
        Tick(scale(lo + (hi - lo) * i / steps), f"{lo + (hi - lo) * i / steps:.{digits}f}") for i in range(steps + 1)
    ]


def interval_chart(
    title: str,
    points: list[tuple[str, float | None, float | None, float | None]],
    *,
    lo: float,
    hi: float,
    digits: int = 2,
    reference: float | None = None,
    band: tuple[float, float] | None = None,
) -> IntervalChart:
    """Rows of (label, value, low, high); the scale spans lo..hi, widened to every value shown."""
    shown = [v for _, *vals in points for v in vals if v is not None]
    lo, hi = min([lo, *shown]), max([hi, *shown])
    scale = _scale(lo, hi)
    rows = [
        Row(
            label=label[:40],
            x=None if value is None else scale(value),
            low=None if low is None else scale(low),
            high=None if high is None else scale(high),
            y=TOP + ROW * i + ROW / 2,
            text="n/a" if value is None else f"{value:.{digits}f}",
        )
        for i, (label, value, low, high) in enumerate(points)
    ]
    return IntervalChart(
        title=title,
        rows=rows,
        ticks=_ticks(lo, hi, scale, digits),
        height=TOP + ROW * len(points) + AXIS,
        reference=None if reference is None else scale(reference),
        band=None if band is None else (scale(band[0]), scale(band[1])),
    )


@dataclass
class Scatter:
    title: str
    points: list[dict[str, Any]] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[dict[str, Any]] = field(default_factory=list)
    height: float = 260
    x_label: str = ""
    y_label: str = ""


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least ``value``."""
    power = 10 ** math.floor(math.log10(value))
    return next(power * m for m in (1, 2, 2.5, 5, 10) if power * m >= value)


def scatter(title: str, points: list[tuple[str, float, float]], *, x_label: str, y_label: str) -> Scatter:
    """(label, x, y) points; y runs 0..100 (a score), x from 0 to the largest value."""
    height, bottom, top = 260.0, 230.0, 12.0
    x_hi = nice_ceiling(max([1.0, *(x for _, x, _ in points)]) * 1.1)
    sx = _scale(0.0, x_hi)

    def sy(v: float) -> float:
        return bottom - v / 100 * (bottom - top)

    return Scatter(
        title=title,
        points=[
            {"label": label[:40], "x": sx(x), "y": sy(y), "text": f"{label}: {y:.1f} at {x:.0f} s"}
            for label, x, y in points
        ],
        x_ticks=_ticks(0.0, x_hi, sx, 0),
        y_ticks=[{"y": sy(v), "text": str(v)} for v in (0, 25, 50, 75, 100)],
        height=height,
        x_label=x_label,
        y_label=y_label,
    )


def page_charts(report: dict[str, Any]) -> dict[str, Any]:
    """Every chart of the Quality page from the report."""
    charts: dict[str, Any] = {}
    agreement = [a for a in report["agreement"] if a["units"]]
    if agreement:
        charts["agreement"] = interval_chart(
            "Krippendorff's alpha per question, with its 95% interval",
            [(a["question"], a["alpha"], *(a["ci"] or (None, None))) for a in agreement],
            lo=0.0,
            hi=1.0,
            reference=0.667,
        )
    experts = [e for e in report["experts"] if e["first_shown_decided"]]
    position = report["position"]
    if experts:
        from annotate.quality.stats import wilson_interval

        rows = []
        for e in experts:
            band = wilson_interval(
                round(e["first_shown_win_rate"] * e["first_shown_decided"]), e["first_shown_decided"]
            )
            rows.append((e["email"], e["first_shown_win_rate"], *(band or (None, None))))
        rows.append(("all experts", position["first_shown_win_rate"], *(position["ci"] or (None, None))))
        charts["position"] = interval_chart(
            "Rate at which the response shown first wins, with its 95% interval (0.5: no bias)",
            rows,
            lo=0.0,
            hi=1.0,
            reference=0.5,
            band=tuple(position["ci"]) if position["ci"] else None,
        )
    scored = [
        (e["email"], e["median_seconds"], e["score"])
        for e in report["experts"]
        if e["score"] is not None and e["median_seconds"] is not None
    ]
    if scored:
        charts["speed"] = scatter(
            "Each expert's score against their median active time per judgment",
            scored,
            x_label="median active seconds per judgment",
            y_label="score",
        )
    if report["leaderboard"]:
        rows = [(m["model"], m["rating"], m["ci_low"], m["ci_high"]) for m in report["leaderboard"]]
        charts["leaderboard"] = interval_chart(
            "Model ratings (Bradley-Terry, Elo scale), with 95% intervals",
            rows,
            lo=900.0,
            hi=1100.0,
            digits=0,
            reference=1000.0,
        )
    judge = report["judge"]["by_question"]
    if judge:
        charts["judge"] = interval_chart(
            "Automatic judge against the human majority (Cohen's kappa)",
            [(f"{j['judge']} · {j['question']}", j["kappa"], None, None) for j in judge],
            lo=0.0,
            hi=1.0,
        )
    return charts
