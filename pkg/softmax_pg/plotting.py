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

__all__ = ["mean_and_standard_error", "plot_grid_policy", "plot_grid_values", "plot_mean_with_band"]


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


# ----------------------------------------------------------------------- grid worlds

GRID_DIRECTIONS = np.array([(-1, 0), (0, 1), (1, 0), (0, -1)])
"""(row, column) step of the actions up, right, down, left (the order of the grid world)."""


def _grid_cells(cells: ArrayLike, n: int) -> np.ndarray:
    c = np.asarray(cells)
    if c.shape != (n, 2) or not np.issubdtype(c.dtype, np.integer):
        raise ValueError(
            f"cells must be an integer array of shape ({n}, 2), one (row, column) per state; "
            f"got {c!r}"
        )
    return c


def plot_grid_values(
    ax: Axes,
    values: ArrayLike,
    cells: ArrayLike,
    shape: tuple[int, int],
    *,
    labels: dict[int, str] | None = None,
    mask: ArrayLike | None = None,
    annotate: bool = True,
    fmt: str = "{:.1f}",
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
):
    r"""Draw one value per state of a grid world as a heat map; walls stay blank.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw; ticks are removed.
    values : array_like, shape (n_states,)
        The value of every state (for example :math:`\hat v(s, w)`).
    cells : array_like of int, shape (n_states, 2)
        ``cells[s]`` is the (row, column) of state ``s`` (``GridWorld.cells``).
    shape : tuple of int
        ``(n_rows, n_cols)`` of the map.
    labels : dict of int to str, optional
        Text to write on some states in place of their value (``{goal: "G"}``).
    mask : array_like of bool, shape (n_states,), optional
        States drawn light grey, without colour or value (goals, pits).
    annotate : bool, default True
        Write each value (formatted with ``fmt``) near the top of its cell, out of the
        way of :func:`plot_grid_policy`'s arrows.
    fmt : str, default "{:.1f}"
    cmap : str, default "viridis"
    vmin, vmax : float, optional
        Limits of the colour scale.

    Returns
    -------
    matplotlib.image.AxesImage
        For a colour bar: ``fig.colorbar(image, ax=ax)``.
    """
    v = as_real_array(values, "values", min_ndim=1)
    if v.ndim != 1:
        raise ValueError(f"values must have shape (n_states,); got shape {v.shape}")
    c = _grid_cells(cells, v.shape[0])
    hide = np.zeros(v.shape[0], dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if hide.shape != v.shape:
        raise ValueError(
            f"mask must have shape {v.shape}, one flag per state; got shape {hide.shape}"
        )
    grid = np.full(tuple(shape), np.nan)
    grid[c[~hide, 0], c[~hide, 1]] = v[~hide]
    import matplotlib
    from matplotlib.patches import Rectangle

    colours = matplotlib.colormaps[cmap].with_extremes(bad="0.35")  # walls: dark grey
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=colours, vmin=vmin, vmax=vmax)
    for i, j in c[hide]:
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1.0, 1.0, facecolor="0.85", edgecolor="none"))
    labels = labels or {}
    low, high = image.get_clim()
    for s, (i, j) in enumerate(c):
        if s in labels:
            ax.text(j, i, labels[s], ha="center", va="center", fontsize=10, fontweight="bold")
        elif annotate and not hide[s]:
            light = (v[s] - low) < 0.5 * (high - low)  # white text on dark cells
            ax.text(
                j - 0.45,
                i - 0.45,
                fmt.format(v[s]),
                ha="left",
                va="top",
                fontsize=7,
                color="w" if light else "k",
            )
    ax.set_xticks([])
    ax.set_yticks([])
    return image


def plot_grid_policy(
    ax: Axes,
    probs: ArrayLike,
    cells: ArrayLike,
    *,
    skip: ArrayLike | None = None,
    directions: ArrayLike = GRID_DIRECTIONS,
    scale: float = 0.45,
    color: str = "k",
    width: float = 0.012,
) -> None:
    r"""Draw a policy on a grid: from each cell, one arrow per action, its length the probability.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw, in the coordinates of :func:`plot_grid_values` (column right, row down).
    probs : array_like, shape (n_states, n_actions)
        :math:`\pi(a \mid s)`, for example ``policy.probs(features)``.
    cells : array_like of int, shape (n_states, 2)
        ``cells[s]`` is the (row, column) of state ``s``.
    skip : array_like of bool, shape (n_states,), optional
        States to leave without arrows (terminal cells).
    directions : array_like, shape (n_actions, 2), default up, right, down, left
        The (row, column) step of each action.
    scale : float, default 0.45
        Arrow length, in cells, of an action of probability 1.
    color : str, default "k"
    width : float, default 0.012
        Shaft width, as a fraction of the axes' width.
    """
    p = as_real_array(probs, "probs")
    if p.ndim != 2:
        raise ValueError(f"probs must have shape (n_states, n_actions); got shape {p.shape}")
    c = _grid_cells(cells, p.shape[0])
    d = as_real_array(directions, "directions")
    if d.shape != (p.shape[1], 2):
        raise ValueError(f"directions must have shape ({p.shape[1]}, 2); got shape {d.shape}")
    keep = np.ones(p.shape[0], dtype=bool) if skip is None else ~np.asarray(skip, dtype=bool)
    length = check_positive(scale, "scale") * p[keep]  # (states, actions)
    rows = np.repeat(c[keep, 0], p.shape[1])
    cols = np.repeat(c[keep, 1], p.shape[1])
    du = (length * d[:, 1]).ravel()  # column step: x
    dv = (length * d[:, 0]).ravel()  # row step: y, downwards on an image
    ax.quiver(
        cols, rows, du, dv, angles="xy", scale_units="xy", scale=1.0, color=color, width=width
    )
