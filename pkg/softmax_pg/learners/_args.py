"""Argument checks shared by the learners (private module: trusted callers import it)."""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_positive


def check_gamma(gamma: object) -> float:
    """The discount as a float in (0, 1]."""
    if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma must be a real number in (0, 1]; got {gamma!r}")
    g = float(gamma)
    if not 0.0 < g <= 1.0:
        raise ValueError(f"gamma must lie in (0, 1]; got {g!r}")
    return g


def check_flag(value: object, name: str) -> bool:
    """A bool argument (numpy bools accepted)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_step_size(step_size: object, optimizer: object) -> float | None:
    """alpha of plain gradient ascent, or None when an optimiser steps instead (one is needed)."""
    if optimizer is None and step_size is None:
        raise TypeError(
            "give step_size (plain gradient ascent) or optimizer (e.g. Adam(0.05)); got neither"
        )
    return None if step_size is None else check_positive(step_size, "step_size")


def check_nonnegative(value: object, name: str) -> float:
    """A finite real number >= 0 (a coefficient such as entropy_coef)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0; got {value!r}")
    x = float(value)
    if not np.isfinite(x) or x < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0; got {x!r}")
    return x


def rewards_array(rewards: object, name: str = "rewards") -> np.ndarray:
    """A 1-d float64 array of finite rewards, the error naming the first bad step."""
    try:
        r = np.asarray(rewards, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 1-d array of real numbers; got {rewards!r}") from exc
    if r.ndim != 1:
        raise ValueError(f"{name} must have shape (n_steps,); got shape {r.shape}")
    if not np.isfinite(r).all():
        t = int(np.flatnonzero(~np.isfinite(r))[0])
        raise ValueError(f"{name} must be finite; got {float(r[t])!r} at step {t}")
    return r
