r"""The interface of a parametrisation of the preferences.

A softmax policy is preferences :math:`h_\theta(s)\in\mathbb{R}^{n_\text{actions}}`
followed by a softmax. Its score is the preference-space score pulled back through the
Jacobian :math:`\mathrm{D}h_\theta(s)` of the preferences,

.. math::

    \nabla_\theta\log\pi_\theta(a\mid s) = \mathrm{D}h_\theta(s)^\top(e_a - \pi)/\tau ,

so a parametrisation needs only its preferences and the vector-Jacobian product
:math:`\mathrm{D}h_\theta(s)^\top g` (the book's chapter "Any differentiable preferences").
"""

from __future__ import annotations

import numpy as np

from .._validation import check_rng

__all__ = ["Parametrisation"]


class Parametrisation:
    r"""Base class of every parametrisation: subclass it and write two methods.

    **Required.**

    ``n_actions``, ``n_params`` (int attributes)
        The number of actions and the length of :math:`\theta`.
    ``preferences(theta, observations)``
        :math:`h_\theta(s_i)` for a batch: ``theta`` (n_params,), ``observations``
        (batch, ...) give (batch, n_actions).
    ``vjp(theta, observations, g)``
        :math:`\mathrm{D}h_\theta(s_i)^\top g_i` for a batch: ``g`` (batch, n_actions)
        gives (batch, n_params).

    **Optional** (override for speed; the defaults use only the two above).

    ``vjp_sum(theta, observations, g)``
        :math:`\sum_i \mathrm{D}h_\theta(s_i)^\top g_i`, shape (n_params,).
    ``preferences_many(thetas, observations)``
        One :math:`\theta` per run: ``thetas`` (runs, n_params), ``observations``
        (runs, batch, ...) give (runs, batch, n_actions).
    ``init(rng)``
        A first :math:`\theta`, shape (n_params,); zeros (the uniform policy) by default.
    ``check_observations(observations)``
        Raise an error naming what is wrong with a batch of observations, or return it
        (possibly converted); the public functions call it once per call. By default it
        returns the batch unchanged.
    ``observation_shape`` (tuple of int or None)
        The shape of one observation (``()`` for a discrete state): lets
        :class:`softmax_pg.SoftmaxPolicy` take one observation without a batch axis.
        None (the default) means "always a batch".
    ``blocked_score`` (bool, default True)
        Whether :meth:`softmax_pg.SoftmaxPolicy.score` may compute a large batch in
        blocks of rows that stay in cache: faster when the vjp reads much per row (features,
        activations), the same numbers when row :math:`i` depends on :math:`s_i` alone.
        False for a vjp that only places ``g`` in a mostly-zero output (tabular), or for
        preferences that mix the rows of a batch.

    The methods are trusted: ``softmax_pg.parametrisations.outputs`` checks what
    they return once per public call, and :func:`softmax_pg.check_preferences` checks a
    new class thoroughly (its vjp against finite differences).
    """

    n_actions: int
    n_params: int
    observation_shape: tuple[int, ...] | None = None
    blocked_score: bool = True

    def preferences(self, theta: np.ndarray, observations) -> np.ndarray:
        """Preferences of a batch, shape (batch, n_actions). Required."""
        raise NotImplementedError(
            f"{type(self).__name__} must define preferences(theta, observations) returning "
            "an array of shape (batch, n_actions)"
        )

    def vjp(self, theta: np.ndarray, observations, g: np.ndarray) -> np.ndarray:
        """Row i is Dh(obs_i)^T g_i, shape (batch, n_params). Required."""
        raise NotImplementedError(
            f"{type(self).__name__} must define vjp(theta, observations, g) returning an array "
            "of shape (batch, n_params) whose row i is Dh(observations[i])^T g[i]"
        )

    def vjp_sum(self, theta: np.ndarray, observations, g: np.ndarray) -> np.ndarray:
        """Sum over the batch of the vjp, shape (n_params,); default ``vjp(...).sum(0)``."""
        return np.sum(self.vjp(theta, observations, g), axis=0)

    def preferences_many(self, thetas: np.ndarray, observations) -> np.ndarray:
        """Preferences with one theta per run, shape (runs, batch, n_actions); default a loop."""
        return np.stack(
            [
                np.asarray(self.preferences(thetas[r], observations[r]), dtype=np.float64)
                for r in range(len(thetas))
            ]
        )

    def init(self, rng: int | np.random.Generator) -> np.ndarray:
        """A first theta, shape (n_params,): zeros, the uniform policy (``rng`` unused)."""
        check_rng(rng)
        return np.zeros(self.n_params)

    def check_observations(self, observations):
        """Check a batch of observations and return it; default: unchanged."""
        return observations
