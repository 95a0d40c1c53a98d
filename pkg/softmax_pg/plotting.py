"""Plots shared by the book's experiment chapters (needs matplotlib).

Learning curves are drawn as the mean over independent runs with a shaded band of
plus or minus ``n_se`` standard errors of that mean, the convention of the book's
figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_positive

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["mean_and_standard_error", "plot_mean_with_band"]


def mean_and_standard_error(runs: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Mean over runs and its standard error.

    Parameters
    ----------
    runs : array_like, shape (n_runs, ...)
        One row per independent run; at least two runs.

    Returns
    -------
    mean, standard_error : numpy.ndarray, shape (...)
        ``runs.mean(0)`` and ``runs.std(0, ddof=1) / sqrt(n_runs)``.
    """
    x = as_real_array(runs, "runs", min_ndim=1)
    if x.shape[0] < 2:
        raise ValueError(f"runs must hold at least 2 runs along axis 0; got shape {x.shape}")
    return x.mean(axis=0), x.std(axis=0, ddof=1) / np.sqrt(x.shape[0])


def plot_mean_with_band(
    ax: Axes,
    runs: ArrayLike,
    *,
    x: ArrayLike | None = None,
    label: str | None = None,
    n_se: float = 2.0,
    color: str | None = None,
    **line_kwargs: object,
) -> None:
    """Draw the mean of ``runs`` against ``x`` with a band of ``n_se`` standard errors.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    runs : array_like, shape (n_runs, n_points)
        One learning curve per independent run.
    x : array_like, shape (n_points,), optional
        Abscissae; ``1, 2, ..., n_points`` by default.
    label : str, optional
        Legend label of the mean line.
    n_se : float, default 2.0
        Half-width of the band in standard errors.
    color : str, optional
        Colour of line and band.
    **line_kwargs
        Passed to ``ax.plot``.
    """
    mean, se = mean_and_standard_error(runs)
    if mean.ndim != 1:
        raise ValueError(f"runs must have shape (n_runs, n_points); got shape {np.shape(runs)}")
    half = check_positive(n_se, "n_se") * se
    xs = np.arange(1, mean.shape[0] + 1) if x is None else as_real_array(x, "x")
    if xs.shape != mean.shape:
        raise ValueError(f"x must have shape {mean.shape} to match runs; got shape {xs.shape}")
    (line,) = ax.plot(xs, mean, label=label, color=color, **line_kwargs)
    ax.fill_between(xs, mean - half, mean + half, color=line.get_color(), alpha=0.25, linewidth=0)
