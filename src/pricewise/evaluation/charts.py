"""The course's scatter chart: truth against estimate, points coloured by hit class, a diagonal."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pricewise.evaluation.metrics import colours, hit_rate, mean_absolute_error, rmsle


def scatter_chart(truth: np.ndarray, estimate: np.ndarray, title: str, path: Path) -> Path:
    """Save the chart as PNG (matplotlib's Agg backend: works without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = np.isfinite(estimate)
    truth, estimate = np.asarray(truth, float)[ok], np.asarray(estimate, float)[ok]
    top = float(max(truth.max(), estimate.max()) * 1.05)
    fig, ax = plt.subplots(figsize=(9, 7), dpi=100)
    ax.plot([0, top], [0, top], color="deepskyblue", linewidth=1.5, label="estimate = truth")
    ax.scatter(truth, estimate, s=10, c=colours(truth, estimate))
    ax.set(xlim=(0, top), ylim=(0, top), xlabel="true price ($)", ylabel="estimate ($)")
    ax.set_title(
        f"{title}\nerror ${mean_absolute_error(truth, estimate):,.2f}  RMSLE {rmsle(truth, estimate):.2f}  "
        f"hits {hit_rate(truth, estimate):.1f}%"
    )
    ax.legend(loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
