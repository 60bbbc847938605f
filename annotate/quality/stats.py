"""The small exact statistics quality needs, with numpy only (no scipy, no scikit-learn):
Cohen's kappa, the two-sided exact binomial test, Krippendorff's alpha from a coincidence
matrix (for bootstrap intervals; the point estimate is the ``krippendorff`` package's),
the Bradley-Terry fit and bootstrap percentiles.

Each is tested against a published value (tests/quality/test_stats.py).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

ELO_SCALE = 400.0
ELO_ANCHOR = 1000.0
BOOTSTRAP_ROUNDS = 200
BOOTSTRAP_SEED = 20261205  # fixed: the same data gives the same interval on every page view


def cohen_kappa_table(table: Sequence[Sequence[float]] | np.ndarray) -> float | None:
    """Cohen's kappa of a square contingency table (rater 1 in rows, rater 2 in columns);
    None when it is undefined (no data, or chance agreement is 1)."""
    m = np.asarray(table, dtype=float)
    n = m.sum()
    if n == 0 or m.ndim != 2 or m.shape[0] != m.shape[1]:
        return None
    observed = np.trace(m) / n
    expected = float((m.sum(axis=1) * m.sum(axis=0)).sum() / (n * n))
    if expected >= 1:
        return None
    return float((observed - expected) / (1 - expected))


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters' labels of the same units (in the same order)."""
    labels = {v: i for i, v in enumerate(dict.fromkeys([*first, *second]))}
    table = np.zeros((len(labels), len(labels)))
    for a, b in zip(first, second, strict=True):
        table[labels[a], labels[b]] += 1
    return cohen_kappa_table(table)


def binomial_two_sided(k: int, n: int, p: float = 0.5) -> float | None:
    """The exact two-sided binomial test's p-value of ``k`` successes in ``n`` trials: the total
    probability of every outcome no more likely than ``k`` (as R's binom.test and scipy do)."""
    if n <= 0:
        return None
    logs = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * math.log(p) + (n - i) * math.log1p(-p)
        for i in range(n + 1)
    ]
    threshold = logs[k] + math.log1p(1e-7)  # the same relative tolerance as R and scipy
    total = sum(math.exp(v) for v in logs if v <= threshold)
    return min(1.0, total)


def wilson_interval(k: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """The Wilson 95% interval of a rate ``k / n`` (the band drawn around a left-win rate)."""
    if n <= 0:
        return None
    phat = k / n
    denom = 1 + z * z / n
    centre = (phat + z * z / (2 * n)) / denom
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


# -- Krippendorff's alpha from coincidences (bootstrap) -----------------------------------------


def unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Each unit's coincidence matrix (units x V x V) from its value counts (units x V):
    ``n_uc n_uk / (m_u - 1)``, pairs of a value with itself counted without the pair itself."""
    counts = counts.astype(float)
    m = counts.sum(axis=1)
    outer = counts[:, :, None] * counts[:, None, :]
    idx = np.arange(counts.shape[1])
    outer[:, idx, idx] -= counts
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((m > 1)[:, None, None], outer / (m - 1)[:, None, None], 0.0)


def distances(level: str, values: Sequence[float], marginals: np.ndarray) -> np.ndarray:
    """Krippendorff's squared distance between every two values at ``level``."""
    v = np.asarray(values, dtype=float)
    if level == "nominal":
        return 1.0 - np.eye(len(v))
    if level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(marginals)])
        i, j = np.meshgrid(np.arange(len(v)), np.arange(len(v)), indexing="ij")
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        d = cum[hi + 1] - cum[lo] - (marginals[i] + marginals[j]) / 2
        return d * d
    diff = v[:, None] - v[None, :]
    if level == "interval":
        return diff * diff
    total = v[:, None] + v[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total == 0, 0.0, (diff / total) ** 2)


def alpha_from_coincidences(o: np.ndarray, level: str, values: Sequence[float]) -> float | None:
    """Krippendorff's alpha of the coincidence matrix ``o``; None when undefined."""
    marginals = o.sum(axis=1)
    n = marginals.sum()
    if n <= 1:
        return None
    d = distances(level, values, marginals)
    expected = (marginals[:, None] * marginals[None, :] * d).sum()
    if expected == 0:
        return None
    return float(1 - (n - 1) * (o * d).sum() / expected)


def alpha_interval(
    counts: np.ndarray, level: str, values: Sequence[float], rounds: int = BOOTSTRAP_ROUNDS
) -> tuple[float, float] | None:
    """A bootstrap 95% interval of alpha, resampling units.

    Exact and fast at any size: units with the same value counts contribute the same
    coincidences, so they are grouped into patterns, and a bootstrap sample is a multinomial
    draw of how many units of each pattern it holds."""
    if counts.shape[0] < 2:
        return None
    patterns, freq = np.unique(counts, axis=0, return_counts=True)
    per_pattern = unit_coincidences(patterns)  # P x V x V
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = rng.multinomial(counts.shape[0], freq / freq.sum(), size=rounds)  # rounds x P
    found = []
    for weights in draws:
        a = alpha_from_coincidences(np.tensordot(weights, per_pattern, axes=1), level, values)
        if a is not None:
            found.append(a)
    return percentile_interval(found)


def percentile_interval(samples: Sequence[float]) -> tuple[float, float] | None:
    """The 2.5th and 97.5th percentiles of bootstrap ``samples``; None with fewer than 20."""
    if len(samples) < 20:
        return None
    lo, hi = np.percentile(np.asarray(samples, dtype=float), [2.5, 97.5])
    return float(lo), float(hi)


# -- Bradley-Terry ---------------------------------------------------------------------------------


def bradley_terry(wins: np.ndarray, iterations: int = 1000, tol: float = 1e-10) -> np.ndarray | None:
    """Log-strengths (natural log, mean 0) of a Bradley-Terry fit by Hunter's MM algorithm.

    ``wins[i, j]``: how often i beat j (a tie counted as half a win each way). None when a
    player has no game. Players who won nothing get a small floor so that the fit exists."""
    w = np.asarray(wins, dtype=float)
    games = w + w.T
    played = games.sum(axis=1)
    if len(w) == 0 or (played == 0).any():
        return None
    won = np.maximum(w.sum(axis=1), 1e-3)
    p = np.ones(len(w))
    for _ in range(iterations):
        denom = (games / (p[:, None] + p[None, :])).sum(axis=1)
        new = won / denom
        new /= np.exp(np.log(new).mean())
        if np.abs(new - p).max() < tol:
            p = new
            break
        p = new
    logs: np.ndarray = np.log(p)
    return logs - logs.mean()


def elo(logs: np.ndarray) -> np.ndarray:
    """Log-strengths on the 400-point Elo scale, their mean anchored at 1000."""
    return ELO_ANCHOR + ELO_SCALE / math.log(10) * (logs - logs.mean())


def leaderboard(battles: Sequence[tuple[str, str, float]], rounds: int = BOOTSTRAP_ROUNDS) -> list[dict[str, Any]]:
    """Models by Elo rating from (model a, model b, score of a: 1, 0.5 or 0) battles, with
    bootstrap 95% intervals (battles resampled) and the battles each took part in."""
    models = sorted({m for a, b, _ in battles for m in (a, b)})
    if len(models) < 2:
        return []
    index = {m: i for i, m in enumerate(models)}
    # Battles with the same (a, b, score) weigh the same: a bootstrap sample is a multinomial
    # draw over these few patterns, however many battles there are.
    keyed = np.array([(index[a], index[b], s) for a, b, s in battles], dtype=float)
    patterns, freq = np.unique(keyed, axis=0, return_counts=True)
    pair_a, pair_b, score = patterns[:, 0].astype(int), patterns[:, 1].astype(int), patterns[:, 2]

    def fit(weights: np.ndarray) -> np.ndarray | None:
        w = np.zeros((len(models), len(models)))
        np.add.at(w, (pair_a, pair_b), weights * score)
        np.add.at(w, (pair_b, pair_a), weights * (1 - score))
        logs = bradley_terry(w)
        return None if logs is None else elo(logs)

    point = fit(freq.astype(float))
    if point is None:
        return []
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    samples = []
    for weights in rng.multinomial(len(battles), freq / freq.sum(), size=rounds):
        rated = fit(weights.astype(float))
        if rated is not None:
            samples.append(rated)
    stacked = np.array(samples) if samples else np.empty((0, len(models)))
    counts = np.bincount(pair_a, weights=freq, minlength=len(models)) + np.bincount(
        pair_b, weights=freq, minlength=len(models)
    )
    rows = []
    for i, model in enumerate(models):
        interval = percentile_interval(list(stacked[:, i])) if len(stacked) else None
        rows.append(
            {
                "model": model,
                "rating": round(float(point[i]), 1),
                "ci_low": None if interval is None else round(interval[0], 1),
                "ci_high": None if interval is None else round(interval[1], 1),
                "battles": int(counts[i]),
            }
        )
    return sorted(rows, key=lambda r: -r["rating"])
