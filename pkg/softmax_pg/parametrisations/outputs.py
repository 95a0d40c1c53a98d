"""Checks of a parametrisation and of what its methods return, once per public call.

The public functions of the package (and the learners, at their boundary) call these
instead of the methods themselves: a wrong shape or a NaN is reported with the method's
name, the shape got and the shape expected, never as a broadcast error further on.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import as_real_array
from .base import Parametrisation

__all__ = [
    "batch_size",
    "check_output",
    "checked",
    "checked_init",
    "checked_observations",
    "checked_preferences",
    "checked_preferences_many",
    "checked_theta",
    "checked_vjp",
    "checked_vjp_sum",
]

_INTERFACE = "n_actions, n_params, preferences(theta, observations) and vjp(theta, observations, g)"


def checked(param: object) -> Parametrisation:
    """``param`` after checking it is a :class:`Parametrisation` with sizes ``n_actions``,
    ``n_params`` >= 1."""
    if not isinstance(param, Parametrisation):
        raise TypeError(
            "param must be a parametrisation: an instance of a subclass of "
            f"softmax_pg.Parametrisation defining {_INTERFACE}; got {param!r} of type "
            f"{type(param).__name__}"
        )
    for name in ("n_actions", "n_params"):
        value = getattr(param, name, None)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise TypeError(
                f"{type(param).__name__}.{name} must be an integer >= 1 (set it in __init__); "
                f"got {value!r}"
            )
    return param


def _method(param: Parametrisation, method: str) -> str:
    return f"{type(param).__name__}.{method}"


def check_output(
    value: object, param: Parametrisation, method: str, expected: tuple[int, ...], meaning: str
) -> np.ndarray:
    """``value`` as float64 after checking its shape is ``expected`` and it is finite.

    ``meaning`` spells the expected shape in words, e.g. ``"(batch, n_actions)"``.
    """
    where = _method(param, method)
    try:
        out = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{where} must return an array of real numbers of shape {meaning} = "
            f"{expected}; got {type(value).__name__}"
        ) from exc
    if out.shape != expected:
        raise ValueError(f"{where} returned shape {out.shape}; expected {meaning} = {expected}")
    if not np.isfinite(out).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(out))[0])
        raise ValueError(
            f"{where} returned a non-finite value {out[bad]} at index {bad}; expected finite "
            "numbers (are theta or the observations too large, or is there a 0/0?)"
        )
    return out


def batch_size(observations: object) -> int:
    """The number of observations in a batch: its length (first axis)."""
    try:
        return len(observations)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            "observations must be a batch, with a first axis (an array of shape (batch, ...) or a "
            f"sequence); got {observations!r}"
        ) from None


def checked_theta(param: Parametrisation, theta: object, name: str = "theta") -> np.ndarray:
    """``theta`` as finite float64 of shape (n_params,)."""
    th = as_real_array(theta, name)
    if th.shape != (param.n_params,):
        raise ValueError(
            f"{name} must have shape (n_params,) = ({param.n_params},) for {param!r}; got shape "
            f"{th.shape}"
        )
    return th


def checked_observations(param: Parametrisation, observations: object):
    """``param.check_observations(observations)``, then its batch size."""
    obs = param.check_observations(observations)
    return obs, batch_size(obs)


def checked_preferences(
    param: Parametrisation, theta: np.ndarray, observations, batch: int
) -> np.ndarray:
    """``param.preferences``, checked: (batch, n_actions), finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        h = param.preferences(theta, observations)
    return check_output(
        h, param, "preferences(theta, observations)", (batch, param.n_actions), "(batch, n_actions)"
    )


def checked_vjp(
    param: Parametrisation, theta: np.ndarray, observations, g: np.ndarray
) -> np.ndarray:
    """``param.vjp``, checked: (batch, n_params), finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = param.vjp(theta, observations, g)
    return check_output(
        out, param, "vjp(theta, observations, g)", (g.shape[0], param.n_params), "(batch, n_params)"
    )


def checked_vjp_sum(
    param: Parametrisation, theta: np.ndarray, observations, g: np.ndarray
) -> np.ndarray:
    """``param.vjp_sum``, checked: (n_params,), finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = param.vjp_sum(theta, observations, g)
    return check_output(
        out, param, "vjp_sum(theta, observations, g)", (param.n_params,), "(n_params,)"
    )


def checked_preferences_many(
    param: Parametrisation, thetas: np.ndarray, observations, batch: int
) -> np.ndarray:
    """``param.preferences_many``, checked: (runs, batch, n_actions), finite."""
    with np.errstate(over="ignore", invalid="ignore"):
        h = param.preferences_many(thetas, observations)
    return check_output(
        h,
        param,
        "preferences_many(thetas, observations)",
        (thetas.shape[0], batch, param.n_actions),
        "(runs, batch, n_actions)",
    )


def checked_init(param: Parametrisation, rng) -> np.ndarray:
    """``param.init(rng)``, checked: (n_params,), finite."""
    return check_output(param.init(rng), param, "init(rng)", (param.n_params,), "(n_params,)")
