r"""The softmax and log-softmax, stable for any finite preferences.

For preferences :math:`h_1, \dots, h_n` and a temperature :math:`\tau > 0`,

.. math::

    \mathrm{softmax}(h)_b = \frac{e^{h_b/\tau}}{\sum_k e^{h_k/\tau}}, \qquad
    \log \mathrm{softmax}(h)_b = \frac{h_b - m}{\tau} - \log \sum_k e^{(h_k - m)/\tau},

with :math:`m = \max_k h_k`. Subtracting :math:`m` changes nothing mathematically (it
multiplies numerator and denominator by :math:`e^{-m/\tau}`) and keeps every exponent
:math:`\le 0`, so nothing overflows and the sum is at least 1 (the book's chapter
"The softmax policy").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_temperature

__all__ = ["log_softmax", "softmax"]





def _max_last(h: np.ndarray) -> np.ndarray:
    """Maximum over the last axis, keeping it (no checks).

    For the few actions of a policy a running ``np.maximum`` over the columns is about
    three times faster than ``h.max(-1)``, whose inner loop is the short axis.
    """
    if h.shape[-1] > 16:
        return np.max(h, axis=-1, keepdims=True)
    m = h[..., 0].copy()
    for b in range(1, h.shape[-1]):
        np.maximum(m, h[..., b], out=m)
    return m[..., None]


def _sum_last(z: np.ndarray) -> np.ndarray:
    """Sum over the last axis, one column at a time (no checks).

    For a few actions this is faster than ``z.sum(-1)``, and unlike a product with a
    vector of ones (BLAS) it adds in the same order whatever the batch size, so a batch
    of runs gives bit for bit the numbers of the same runs one at a time.
    """
    if z.shape[-1] > 16:
        return np.sum(z, axis=-1)
    s = z[..., 0].copy()
    for b in range(1, z.shape[-1]):
        s += z[..., b]
    return s


def _log_softmax(h: np.ndarray, tau: float, axis: int = -1) -> np.ndarray:
    """Log-softmax of checked float preferences ``h`` along ``axis`` (no checks)."""
    h = np.moveaxis(h, axis, -1)
    z = h - _max_last(h)
    if tau != 1.0:
        z /= tau
    z -= np.log(_sum_last(np.exp(z)))[..., None]
    return np.moveaxis(z, -1, axis)


def _softmax(h: np.ndarray, tau: float, axis: int = -1) -> np.ndarray:
    """Softmax of checked float preferences ``h`` along ``axis`` (no checks).

    Normalises the shifted exponentials directly: as stable as ``exp(_log_softmax)``
    (every exponent is <= 0 and the sum is >= 1) with one ``exp`` and one ``log`` fewer,
    which matters in the batched learners' inner loops.
    """
    h = np.moveaxis(h, axis, -1)
    z = h - _max_last(h)
    if tau != 1.0:
        z /= tau
    np.exp(z, out=z)
    z /= _sum_last(z)[..., None]
    return np.moveaxis(z, -1, axis)


def _check(preferences: ArrayLike, temperature: float, axis: int) -> tuple[np.ndarray, float, int]:
    h = as_real_array(preferences, "preferences", min_ndim=1)
    tau = check_temperature(temperature)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer; got {axis!r}")
    if not -h.ndim <= axis < h.ndim:
        raise ValueError(f"axis must be in [{-h.ndim}, {h.ndim}) for preferences of shape {h.shape}; got {axis}")
    if h.shape[axis] == 0:
        raise ValueError(f"preferences must have at least one action along axis {axis}; got shape {h.shape}")
    return h, tau, int(axis)


def log_softmax(preferences: ArrayLike, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    r"""Log-probabilities :math:`\log \mathrm{softmax}(h/\tau)`, computed in log space.

    Computed as :math:`(h - m)/\tau - \log\sum_k e^{(h_k - m)/\tau}` with :math:`m` the
    maximum preference, never as ``log(softmax(h))``: the result stays accurate even for
    actions whose probability underflows to zero.

    Parameters
    ----------
    preferences : array_like, shape (..., n_actions, ...)
        Finite real preferences :math:`h`; ``axis`` indexes the actions.
    temperature : float, default 1.0
        :math:`\tau > 0`; large values flatten the distribution, small ones sharpen it.
    axis : int, default -1
        The axis of the actions.

    Returns
    -------
    numpy.ndarray
        Same shape as ``preferences``; ``exp`` of it sums to one along ``axis``.

    Raises
    ------
    TypeError
        If ``preferences`` is not real or ``temperature`` is not a number.
    ValueError
        If ``preferences`` has NaN or infinity or no action, or ``temperature <= 0``.

    References
    ----------
    Sutton & Barto (2018), *Reinforcement Learning: An Introduction*, eq. 13.2.
    """
    h, tau, axis = _check(preferences, temperature, axis)
    return _log_softmax(h, tau, axis)


def softmax(preferences: ArrayLike, temperature: float = 1.0, axis: int = -1) -> np.ndarray:
    r"""Probabilities :math:`\mathrm{softmax}(h/\tau)`, with the maximum subtracted first.

    Parameters
    ----------
    preferences : array_like, shape (..., n_actions, ...)
        Finite real preferences :math:`h`; ``axis`` indexes the actions.
    temperature : float, default 1.0
        :math:`\tau > 0`.
    axis : int, default -1
        The axis of the actions.

    Returns
    -------
    numpy.ndarray
        Same shape as ``preferences``: non-negative, finite, summing to one along ``axis``.

    Raises
    ------
    TypeError, ValueError
        As :func:`log_softmax`.

    Examples
    --------
    >>> softmax([1000.0, 1000.0])  # the naive formula gives nan here
    array([0.5, 0.5])
    """
    h, tau, axis = _check(preferences, temperature, axis)
    return _softmax(h, tau, axis)
