"""The wall time of a run, in the one form every Recipes page prints and glues.

``wall_time_line(86.6)`` gives ``"87 s wall clock at load 3.2"``: the run's wall time in
whole seconds and the 1-minute load average of the machine, by default read when the line
is written (the end of the run). Both numbers move from run to run, so strict nbval
replaces them with one rule of ``tests/nbval_sanitize.cfg``, which matches this form.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

__all__ = ["wall_time_line"]


def _non_negative(value: object, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number >= 0; got {value!r} of type {type(value).__name__}"
        )
    x = float(value)
    if not np.isfinite(x) or x < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0; got {x!r}")
    return x


def wall_time_line(seconds: float, load: float | None = None) -> str:
    """A wall time and the load it was measured at: ``"87 s wall clock at load 3.2"``.

    Parameters
    ----------
    seconds : float
        The run's wall time in seconds (``time.perf_counter`` differences), >= 0; shown
        rounded to whole seconds.
    load : float, optional
        The 1-minute load average to show (one decimal), >= 0, for a time measured
        earlier (a stored row); by default ``os.getloadavg()[0]`` now, at the end of the
        run just timed (Unix only).

    Returns
    -------
    str
        ``f"{round(seconds)} s wall clock at load {load:.1f}"``.
    """
    seconds = _non_negative(seconds, "seconds")
    load = os.getloadavg()[0] if load is None else _non_negative(load, "load")
    return f"{round(seconds)} s wall clock at load {load:.1f}"
