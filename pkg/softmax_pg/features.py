r"""Feature maps for the two common cases of the linear softmax policy.

* **Tabular**: :math:`\phi(s,b) = e_{(s,b)}`, a one-hot vector with one entry per
  state-action pair. Then :math:`\phi(s,b)^\top\theta = \theta_{s,b}` is a table of
  preferences and the score :math:`\phi(s,a) - \mathbb{E}_\pi[\phi(s,\cdot)]` is
  :math:`e_a - \pi(\cdot\mid s)` in the entries of state :math:`s`, zero elsewhere.
* **State features times one-hot action**: :math:`\phi(s,b) = x(s)\otimes e_b`. Then
  :math:`\theta = \mathrm{vec}(W)` for a ``(n_state_features, n_actions)`` matrix
  :math:`W` and the preferences are :math:`W^\top x(s)`: the weight-matrix form of
  :func:`softmax_pg.score_matrix`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_actions, check_count

__all__ = ["one_hot", "state_action_features", "tabular_features"]


def one_hot(actions: ArrayLike, n_actions: int) -> np.ndarray:
    """One-hot vectors :math:`e_a`: shape ``actions.shape + (n_actions,)``, float64."""
    n = check_count(n_actions, "n_actions")
    a = check_actions(actions, n)
    return (a[..., None] == np.arange(n)).astype(np.float64)


def tabular_features(n_states: int, n_actions: int) -> np.ndarray:
    r"""Tabular features: ``features[s, b]`` is the one-hot vector of the pair ``(s, b)``.

    Parameters
    ----------
    n_states, n_actions : int
        Sizes of the state and action sets, each at least 1.

    Returns
    -------
    numpy.ndarray, shape (n_states, n_actions, n_states * n_actions)
        Entry ``s * n_actions + b`` of ``features[s, b]`` is 1, every other 0, so
        ``theta.reshape(n_states, n_actions)`` is the table of preferences.
    """
    ns = check_count(n_states, "n_states")
    na = check_count(n_actions, "n_actions")
    return np.eye(ns * na).reshape(ns, na, ns * na)


def state_action_features(state: ArrayLike, n_actions: int) -> np.ndarray:
    r"""Features :math:`\phi(s,b) = x(s)\otimes e_b` from a state vector.

    Parameters
    ----------
    state : array_like, shape (..., n_state_features)
        The state's feature vector :math:`x(s)`.
    n_actions : int
        Number of actions.

    Returns
    -------
    numpy.ndarray, shape (..., n_actions, n_state_features * n_actions)
        Entry ``i * n_actions + b`` of ``features[..., b, :]`` is ``state[..., i]``; so with
        ``theta = W.ravel()`` for ``W`` of shape ``(n_state_features, n_actions)`` the
        preferences are ``state @ W``.
    """
    x = as_real_array(state, "state", min_ndim=1)
    na = check_count(n_actions, "n_actions")
    eye = np.eye(na)
    # (..., 1, n_s, 1) * (n_a, 1, n_a) -> (..., n_a, n_s, n_a)
    phi = x[..., None, :, None] * eye[:, None, :]
    return phi.reshape(x.shape[:-1] + (na, x.shape[-1] * na))
