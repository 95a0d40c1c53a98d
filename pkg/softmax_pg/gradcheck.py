"""Central finite differences: the independent check of every gradient in the book.

The book's chapters compare each analytic formula with a numerical derivative of the
function it claims to differentiate. The numerical derivative knows nothing of the
formula, so agreement is evidence, not a tautology.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_positive

__all__ = ["numerical_gradient"]


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-6
) -> np.ndarray:
    r"""Gradient of a scalar function by central differences.

    Entry :math:`i` is :math:`\bigl(f(x + \epsilon e_i) - f(x - \epsilon e_i)\bigr) / 2\epsilon`,
    whose error is :math:`O(\epsilon^2)` from truncation plus :math:`O(u/\epsilon)` from
    rounding (:math:`u \approx 10^{-16}`): with the default :math:`\epsilon = 10^{-6}`
    about :math:`10^{-10}` for well-scaled functions.

    Parameters
    ----------
    f : callable
        Maps an array of the shape of ``x`` to a scalar.
    x : array_like, any shape
        Where to differentiate (finite).
    eps : float, default 1e-6
        The step :math:`\epsilon > 0`.

    Returns
    -------
    numpy.ndarray, same shape as ``x``
    """
    x0 = as_real_array(x, "x")
    step = check_positive(eps, "eps")
    grad = np.empty_like(x0)
    for index in np.ndindex(x0.shape):
        up, down = x0.copy(), x0.copy()
        up[index] += step
        down[index] -= step
        grad[index] = (float(f(up)) - float(f(down))) / (2.0 * step)
    return grad
