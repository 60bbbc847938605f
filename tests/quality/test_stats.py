"""The statistics against published values: Krippendorff's 2011 reliability data, a textbook
kappa, an exact binomial test, and a Bradley-Terry fit worked by hand."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest

from annotate.quality.agreement import Measure
from annotate.quality.stats import (
    alpha_from_coincidences,
    alpha_interval,
    binomial_two_sided,
    bradley_terry,
    cohen_kappa,
    cohen_kappa_table,
    elo,
    leaderboard,
    unit_coincidences,
)

NAN = math.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders x 12 units.
RELIABILITY = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def _units() -> list[list[int]]:
    return [[int(row[u]) for row in RELIABILITY if not math.isnan(row[u])] for u in range(12)]


@pytest.mark.parametrize("level", PUBLISHED)
def test_alpha_reproduces_krippendorff_2011(level):
    measure = Measure(level, [1, 2, 3, 4, 5])
    for values in _units():
        measure.add_unit(values)
    assert measure.alpha() == pytest.approx(PUBLISHED[level], abs=5e-4)
    assert measure.units == 11  # the unit with one value carries no information


@pytest.mark.parametrize("level", PUBLISHED)
def test_the_bootstrap_alpha_is_the_package_alpha(level):
    counts = np.array([[values.count(v) for v in range(1, 6)] for values in _units()])
    ours = alpha_from_coincidences(unit_coincidences(counts).sum(axis=0), level, [1, 2, 3, 4, 5])
    theirs = krippendorff.alpha(reliability_data=np.array(RELIABILITY), level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-12)
    low, high = alpha_interval(counts, level, [1.0, 2, 3, 4, 5])
    assert low < PUBLISHED[level] <= high <= 1.0


def test_the_interval_narrows_with_more_data():
    few = np.array([[2, 0], [0, 2], [1, 1], [2, 0]] * 3)
    many = np.concatenate([few] * 50)
    (lo1, hi1), (lo2, hi2) = alpha_interval(few, "nominal", [0, 1]), alpha_interval(many, "nominal", [0, 1])
    assert hi2 - lo2 < (hi1 - lo1) / 3


def test_cohen_kappa_of_the_textbook_table():
    assert cohen_kappa_table([[20, 5], [10, 15]]) == pytest.approx(0.4)
    first = ["y"] * 25 + ["n"] * 25
    second = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None  # chance agreement is 1: undefined


def test_exact_binomial_test():
    assert binomial_two_sided(62, 100) == pytest.approx(0.021, abs=5e-4)
    assert binomial_two_sided(50, 100) == pytest.approx(1.0)
    assert binomial_two_sided(38, 100) == pytest.approx(binomial_two_sided(62, 100))
    assert binomial_two_sided(10, 10) == pytest.approx(2 / 1024)
    assert binomial_two_sided(0, 0) is None


def test_bradley_terry_strengths_relative_to_a():
    wins = np.zeros((3, 3))
    wins[0, 1], wins[1, 0], wins[0, 2], wins[2, 0], wins[1, 2], wins[2, 1] = 2, 1, 3, 1, 2, 2
    logs = bradley_terry(wins)
    assert list(np.round(logs - logs[0], 3)) == [0.0, -0.856, -0.962]
    ratings = elo(logs)
    assert ratings.mean() == pytest.approx(1000)
    assert ratings[0] - ratings[1] == pytest.approx(400 / math.log(10) * 0.856, abs=0.1)


def test_the_leaderboard_counts_ties_as_half_a_win():
    battles = [("A", "B", 1.0)] * 2 + [("A", "B", 0.0)] + [("A", "C", 1.0)] * 3 + [("A", "C", 0.0)]
    battles += [("B", "C", 1.0)] * 2 + [("B", "C", 0.0)] * 2
    rows = {r["model"]: r for r in leaderboard(battles)}
    assert rows["A"]["rating"] - rows["B"]["rating"] == pytest.approx(400 / math.log(10) * 0.856, abs=0.2)
    assert rows["A"]["battles"] == 7
    assert rows["C"]["battles"] == 8
    assert all(r["ci_low"] <= r["rating"] <= r["ci_high"] for r in rows.values())
    # Ties count as battles and as half a win each way: two models that only tie are equal.
    tied = {r["model"]: r for r in leaderboard([("X", "Y", 0.5)] * 3 + [("Y", "X", 0.5)])}
    assert tied["X"]["battles"] == 4
    assert tied["X"]["rating"] == tied["Y"]["rating"] == 1000.0
    one_sided = {r["model"]: r for r in leaderboard([("X", "Y", 0.5)] * 2 + [("X", "Y", 1.0)])}
    assert one_sided["X"]["rating"] > one_sided["Y"]["rating"]
