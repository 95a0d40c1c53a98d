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


def check_inputs(
    observations, state_fn: Callable | None, n_inputs: int, owner: str = "the parametrisation"
) -> np.ndarray:
    """Checked observations: (batch, n_inputs) floats, trailing axes flattened (no state_fn).

    ``owner`` (the parametrisation's repr) is named when the sizes disagree: either side
    may be the one to change."""
    if state_fn is not None:
        return observations  # state_fn's output is checked by inputs()
    x = as_real_array(observations, "observations")
    if x.ndim < 2:
        integers = np.issubdtype(np.asarray(observations).dtype, np.integer)
        hint = (
            ": integer observations of shape (batch,) look like discrete states (a Discrete "
            "observation space); these take TabularPreferences, LinearPreferences with a "
            "features table, or a state_fn mapping a state to a vector (e.g. one-hot)"
            if integers and x.ndim == 1
            else ""
        )
        raise ValueError(
            f"observations must have shape (batch, n_inputs) = (batch, {n_inputs}) for {owner}; "
            f"got shape {x.shape}{hint}"
        )
    size = int(np.prod(x.shape[1:]))
    if size != n_inputs:
        each = f"{size} numbers each" + (f", flattened from {x.shape[1:]}" if x.ndim > 2 else "")
        raise ValueError(
            f"observations must have shape (batch, n_inputs) = (batch, {n_inputs}); got shape "
            f"{x.shape} ({each}) for {owner}: if the observations are right, the "
            f"parametrisation's n_inputs is wrong (make it with n_inputs = {size})"
        )
    return x.reshape(x.shape[0], size)


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
