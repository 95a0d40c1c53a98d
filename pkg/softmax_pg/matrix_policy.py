r"""Part I's weight-matrix form: :math:`\pi = \mathrm{softmax}(W^\top x/\tau)`, the score
:math:`x(e_a-\pi)^\top/\tau`.

Thin wrappers over the kernel and the vjp of
:class:`~softmax_pg.MatrixPreferences` without bias (the book's chapter "The tabular case
and the weight-matrix case").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _kernel
from ._validation import (
    as_real_array,
    check_actions,
    check_broadcastable,
    check_temperature,
    finite_preferences,
)
from .parametrisations.matrix import MatrixPreferences

__all__ = ["log_prob_matrix", "score_matrix"]


def _setup(weights: ArrayLike, state: ArrayLike, actions: ArrayLike, temperature: float):
    w = as_real_array(weights, "weights")
    if w.ndim != 2 or 0 in w.shape:
        raise ValueError(
            f"weights must have shape (n_state_features, n_actions), both >= 1; got shape {w.shape}"
        )
    x = as_real_array(state, "state")
    if x.ndim < 1 or x.shape[-1] != w.shape[0]:
        raise ValueError(
            "state must have shape (..., n_state_features) with n_state_features = "
            f"weights.shape[0] = {w.shape[0]}; got shape {x.shape}"
        )
    a = check_actions(actions, w.shape[1])
    check_broadcastable("actions", a.shape, x.shape[:-1], f"state.shape[:-1] = {x.shape[:-1]}")
    param = MatrixPreferences(w.shape[0], w.shape[1], bias=False)
    theta = w.ravel()
    h = finite_preferences(lambda: param.preferences(theta, x), "state @ weights", x, "state")
    return param, theta, x, a, check_temperature(temperature), h


def log_prob_matrix(
    weights: ArrayLike, state: ArrayLike, actions: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""Log-probability :math:`\log\pi(a\mid s)` for :math:`\pi = \mathrm{softmax}(W^\top x/\tau)`.

    Parameters
    ----------
    weights : array_like, shape (n_state_features, n_actions)
        :math:`W`; column :math:`b` holds the weights of action :math:`b`.
    state : array_like, shape (..., n_state_features)
        :math:`x(s)`.
    actions : int or array_like of int, shape broadcasting with state.shape[:-1]
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(state.shape[:-1], actions.shape)``
    """
    *_, a, tau, h = _setup(weights, state, actions, temperature)
    return _kernel.take(_kernel.log_softmax(h, tau), a)


def score_matrix(
    weights: ArrayLike, state: ArrayLike, actions: ArrayLike, temperature: float = 1.0
) -> np.ndarray:
    r"""The score :math:`\nabla_W\log\pi(a\mid s) = x\,(e_a-\pi)^\top/\tau` of the weight-matrix
    form.

    Column :math:`a` gets :math:`x(1-\pi_a)/\tau`, every other column :math:`-x\pi_b/\tau`:
    :func:`softmax_pg.score` with features :math:`x\otimes e_b` and :math:`\theta=\mathrm{vec}(W)`.

    Parameters
    ----------
    weights : array_like, shape (n_state_features, n_actions)
    state : array_like, shape (..., n_state_features)
    actions : int or array_like of int, shape broadcasting with state.shape[:-1]
    temperature : float, default 1.0

    Returns
    -------
    numpy.ndarray, shape ``broadcast(state.shape[:-1], actions.shape) + (n_state_features,
    n_actions)``

    References
    ----------
    Sutton & Barto (2018), eq. 13.9 with features :math:`x(s)\otimes e_b`.
    """
    param, theta, x, a, tau, h = _setup(weights, state, actions, temperature)
    out = param.vjp(theta, x, _kernel.preference_score(h, a, tau))
    return out.reshape(out.shape[:-1] + (param.n_inputs, param.n_actions))
