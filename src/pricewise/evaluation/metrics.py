"""Pricing metrics as the course scores them, with bootstrap confidence intervals.

A *hit* (green) is an error under $40 or under 20% of the truth; orange is under $80 or 40%; the
rest is red. RMSLE is ``sqrt(mean((log1p(truth) - log1p(estimate))^2))`` with estimates clipped at 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

GREEN, ORANGE, RED = "green", "orange", "red"


def colours(truth: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    """The course's traffic-light class of each estimate."""
    truth = np.asarray(truth, dtype=float)
    error = np.abs(np.asarray(estimate, dtype=float) - truth)
    relative = error / np.where(truth > 0, truth, np.nan)
    green = (error < 40) | (relative < 0.2)
    orange = ~green & ((error < 80) | (relative < 0.4))
    return np.where(green, GREEN, np.where(orange, ORANGE, RED))


def mean_absolute_error(truth: np.ndarray, estimate: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(estimate, float) - np.asarray(truth, float))))


def rmsle(truth: np.ndarray, estimate: np.ndarray) -> float:
    log_diff = np.log1p(np.asarray(truth, float)) - np.log1p(np.clip(np.asarray(estimate, float), 0, None))
    return float(np.sqrt(np.mean(log_diff**2)))


def hit_rate(truth: np.ndarray, estimate: np.ndarray) -> float:
    """Percentage of green estimates."""
    return float(np.mean(colours(truth, estimate) == GREEN) * 100)


METRICS = {"mae": mean_absolute_error, "rmsle": rmsle, "hits": hit_rate}


@dataclass(frozen=True)
class Metric:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Evaluation:
    """Figures of one pricer on one item set. ``failed`` counts items the pricer could not price;
    the metrics are over the ``n`` priced items."""

    n: int
    failed: int
    mae: Metric
    rmsle: Metric
    hits: Metric
    coverage: float | None = None
    mean_width: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def bootstrap(
    truth: np.ndarray, estimate: np.ndarray, resamples: int = 1000, seed: int = 0, level: float = 0.95
) -> dict[str, Metric]:
    """Point value and percentile interval of each metric over ``resamples`` resamples of the items."""
    truth = np.asarray(truth, float)
    estimate = np.asarray(estimate, float)
    rng = np.random.default_rng(seed)
    index = rng.integers(0, len(truth), size=(resamples, len(truth)))
    t, e = truth[index], estimate[index]
    samples = {
        "mae": np.mean(np.abs(e - t), axis=1),
        "rmsle": np.sqrt(np.mean((np.log1p(t) - np.log1p(np.clip(e, 0, None))) ** 2, axis=1)),
        "hits": np.mean(colours(t.ravel(), e.ravel()).reshape(t.shape) == GREEN, axis=1) * 100,
    }
    tail = (1 - level) / 2 * 100
    result = {}
    for name, fn in METRICS.items():
        low, high = np.percentile(samples[name], [tail, 100 - tail])
        result[name] = Metric(fn(truth, estimate), float(low), float(high))
    return result


def evaluate(
    truth: np.ndarray,
    estimate: np.ndarray,
    low: np.ndarray | None = None,
    high: np.ndarray | None = None,
    resamples: int = 1000,
    seed: int = 0,
) -> Evaluation:
    """All figures for one set. NaN estimates are failures: counted, and left out of the metrics."""
    truth = np.asarray(truth, float)
    estimate = np.asarray(estimate, float)
    ok = np.isfinite(estimate)
    if not ok.any():
        raise ValueError("no finite estimate to evaluate")
    metrics = bootstrap(truth[ok], estimate[ok], resamples=resamples, seed=seed)
    coverage = width = None
    if low is not None and high is not None:
        low, high = np.asarray(low, float)[ok], np.asarray(high, float)[ok]
        coverage = float(np.mean((truth[ok] >= low) & (truth[ok] <= high)) * 100)
        width = float(np.mean(high - low))
    return Evaluation(int(ok.sum()), int((~ok).sum()), coverage=coverage, mean_width=width, **metrics)
