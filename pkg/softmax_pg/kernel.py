r"""The preference-space kernel, public and checked.

For preferences :math:`h \in \mathbb{R}^{n_\text{actions}}` (last axis; leading axes are a
batch) and a temperature :math:`\tau > 0`; every name says its input, the preferences:

====================================  ==========================================================
:func:`~softmax_pg.softmax`           :math:`\pi = \mathrm{softmax}(h/\tau)`
:func:`~softmax_pg.log_softmax`       :math:`\log\pi`, by the max-shifted log-sum-exp
:func:`~softmax_pg.preference_score`  :math:`\nabla_h\log\pi_a = (e_a - \pi)/\tau`
:func:`preference_entropy`            :math:`-\sum_b \pi_b\log\pi_b`, from :math:`\log\pi`
:func:`preference_entropy_gradient`   :math:`\nabla_h H(\pi)`, from :math:`\log\pi`
:func:`preference_sample`             :math:`a\sim\pi`, one uniform number per row (inverse CDF)
====================================  ==========================================================

Two rooms: this module is the checked one, for a reader's calls. Each function checks its
arguments, naming the one that is wrong, then calls its trusted twin of the same name in
``softmax_pg._kernel``, the only place the formulas are written; the package's inner loops
(learners, experiments, the policy, the step) call the twins directly, their arguments
checked once at their own boundary. A parametrisation's ``vjp`` pulls these vectors back
to :math:`\theta` (the book's chapter "Any differentiable preferences").

One concept, one name at each level (the API page's table): from preferences, the
kernel's names above; from :math:`\theta` and features, Part I's ``action_probs``,
``log_prob``, ``score``, ``entropy``, ``entropy_gradient``, ``sample_actions``; from a
policy object, ``SoftmaxPolicy.probs``, ``.log_prob``, ``.score``, ``.entropy``,
``.entropy_gradient``, ``.sample``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _kernel
from ._validation import (
    QUIET,
    as_real_array,
    check_actions,
    check_broadcastable,
    check_rng,
    check_temperature,
)

__all__ = [
    "log_softmax",
    "preference_entropy",
    "preference_entropy_gradient",
    "preference_sample",
    "preference_score",
    "softmax",
]


def _checked(h: ArrayLike, temperature: float) -> tuple[np.ndarray, float]:
    """``h`` as finite float64 with at least one action on the last axis, and tau."""
    arr, tau, _ = _check_axis(h, temperature, -1)
    return arr, tau


def _check_axis(h: ArrayLike, temperature: float, axis: int) -> tuple[np.ndarray, float, int]:
    arr = as_real_array(h, "preferences", min_ndim=1)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer; got {axis!r}")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(
            f"axis must be in [{-arr.ndim}, {arr.ndim}) for preferences of shape {arr.shape}; "
            f"got {axis}"
        )
    if arr.shape[axis] == 0:
        raise ValueError(
            f"preferences must have at least one action along axis {axis}; got shape {arr.shape}"
        )
    return arr, check_temperature(temperature), int(axis)


@QUIET
def log_softmax(preferences: ArrayLike, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    r"""Log-probabilities :math:`\log\mathrm{softmax}(h/\tau)`, computed in log space.

    :math:`(h - m)/\tau - \log\sum_k e^{(h_k - m)/\tau}` with :math:`m = \max_k h_k`, never
    ``log(softmax(h))``: accurate even where a probability underflows to zero.

    Parameters
    ----------
    preferences : array_like, shape (..., n_actions, ...)
        Finite preferences :math:`h`; ``axis`` indexes the actions.
    temperature : float, default 1.0
        :math:`\tau > 0`.
    axis : int, default -1
        The axis of the actions.

    Returns
    -------
    numpy.ndarray, the shape of ``preferences``

    References
    ----------
    Sutton & Barto (2018), eq. 13.2.
    """
    h, tau, axis = _check_axis(preferences, temperature, axis)
    return np.moveaxis(_kernel.log_softmax(np.moveaxis(h, axis, -1), tau), -1, axis)


@QUIET
def softmax(preferences: ArrayLike, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    r"""Probabilities :math:`\mathrm{softmax}(h/\tau)`, with the maximum subtracted first.

    Parameters and errors as :func:`log_softmax`; the result is non-negative, finite and
    sums to one along ``axis``.

    Examples
    --------
    >>> softmax([1000.0, 1000.0])  # the naive formula gives nan here
    array([0.5, 0.5])
    """
    h, tau, axis = _check_axis(preferences, temperature, axis)
    return np.moveaxis(_kernel.softmax(np.moveaxis(h, axis, -1), tau), -1, axis)


@QUIET
def preference_score(
    preferences: ArrayLike, actions: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""The score with respect to the preferences, :math:`\nabla_h\log\mathrm{softmax}(h/\tau)_a =
    (e_a-\pi)/\tau`.

    Row :math:`a` of the Jacobian of log-softmax, :math:`I - \mathbf{1}\pi^\top`:
    :math:`1-\pi_a` for the chosen action, :math:`-\pi_b` for every other, over :math:`\tau`
    (the book's chapter "The tabular case and the weight-matrix case"). It is the tabular
    score; every other score is a parametrisation's vjp of it.

    Parameters
    ----------
    preferences : array_like, shape (..., n_actions)
    actions : int or array_like of int, shape broadcasting with preferences.shape[:-1]
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(preferences.shape[:-1], actions.shape) + (n_actions,)``
        Each row sums to zero.
    """
    h, tau = _checked(preferences, temperature)
    a = check_actions(actions, h.shape[-1])
    check_broadcastable(
        "actions", a.shape, h.shape[:-1], f"preferences.shape[:-1] = {h.shape[:-1]}"
    )
    return _kernel.preference_score(h, a, tau)


@QUIET
def preference_entropy(preferences: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Entropy :math:`-\sum_b\pi_b\log\pi_b` of :math:`\pi = \mathrm{softmax}(h/\tau)`, from the
    log-probabilities.

    Parameters
    ----------
    preferences : array_like, shape (..., n_actions)
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (...)
        In nats, in :math:`[0, \log n_\text{actions}]`.
    """
    h, tau = _checked(preferences, temperature)
    return _kernel.preference_entropy(h, tau)


@QUIET
def preference_entropy_gradient(preferences: ArrayLike, temperature: float = 1.0) -> np.ndarray:
    r"""Gradient of the entropy with respect to the preferences,
    :math:`-\pi\odot(\log\pi-\mathbb{E}_\pi[\log\pi])/\tau`.

    Parameters
    ----------
    preferences : array_like, shape (..., n_actions)
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape (..., n_actions)
        Each row sums to zero (the book's chapter "Entropy regularisation").
    """
    h, tau = _checked(preferences, temperature)
    return _kernel.preference_entropy_gradient(h, tau)


@QUIET
def preference_sample(
    preferences: ArrayLike, rng: int | np.random.Generator, temperature: float = 1.0
) -> np.ndarray:
    r"""Draw :math:`a\sim\mathrm{softmax}(h/\tau)` for each row, by inverting the cumulative
    distribution.

    One uniform number per row, ``rng.random(preferences.shape[:-1])``, so a batch
    consumes ``rng`` as a loop over its rows would.

    Parameters
    ----------
    preferences : array_like, shape (..., n_actions)
    rng : numpy.random.Generator or int
        The random source, or a seed for a new one.
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray of int64, shape (...)
    """
    h, tau = _checked(preferences, temperature)
    gen = check_rng(rng)
    return _kernel.preference_sample(h, gen.random(h.shape[:-1]), tau)
