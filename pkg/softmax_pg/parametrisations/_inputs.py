"""Observations to the input matrix x (batch, n_inputs) of the matrix and network forms."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._validation import as_real_array

__all__ = ["check_inputs", "check_state_fn", "inputs"]


def check_state_fn(state_fn: object) -> Callable | None:
    if state_fn is not None and not callable(state_fn):
        raise TypeError(f"state_fn must be callable or None; got {state_fn!r}")
    return state_fn


def check_inputs(observations, state_fn: Callable | None, n_inputs: int) -> np.ndarray:
    """Checked observations: (batch, n_inputs) floats, trailing axes flattened (no state_fn)."""
    if state_fn is not None:
        return observations  # state_fn's output is checked by inputs()
    x = as_real_array(observations, "observations")
    if x.ndim < 2:
        raise ValueError(
            f"observations must have shape (batch, n_inputs) = (batch, {n_inputs}); got shape "
            f"{x.shape}"
        )
    x = x.reshape(x.shape[0], -1)
    if x.shape[1] != n_inputs:
        raise ValueError(
            f"observations must have shape (batch, n_inputs) = (batch, {n_inputs}); got shape "
            f"{x.shape}"
        )
    return x


def inputs(observations, state_fn: Callable | None, n_inputs: int) -> np.ndarray:
    """x(s) of a batch, (..., n_inputs): the observations, or ``state_fn``'s output checked."""
    if state_fn is None:
        return np.asarray(observations, dtype=np.float64)
    x = np.asarray(state_fn(observations), dtype=np.float64)
    if x.ndim < 2 or x.shape[-1] != n_inputs:
        raise ValueError(
            f"state_fn(observations) must have shape (batch, n_inputs) = (batch, {n_inputs}); "
            f"got shape {x.shape}"
        )
    return x
