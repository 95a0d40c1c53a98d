r"""Linear preferences on features, :math:`h_\theta(s) = \Phi(s)\theta`."""

from __future__ import annotations

import numpy as np

from .._validation import as_real_array, check_count
from .base import Parametrisation
from .tabular import check_states

__all__ = ["LinearPreferences", "features_as_observations"]


class LinearPreferences(Parametrisation):
    r"""Linear preferences :math:`h_\theta(s)_b = \phi(s,b)^\top\theta`, i.e. :math:`h =
    \Phi(s)\theta`.

    :math:`\mathrm{D}h(s) = \Phi(s)`, so the score
    :math:`\Phi(s)^\top(e_a-\pi)/\tau = (\phi(s,a) - \mathbb{E}_\pi[\phi(s,\cdot)])/\tau`
    is :func:`softmax_pg.score` (Sutton & Barto 2018, eq. 13.9).

    Parameters
    ----------
    features : array_like, shape (n_states, n_actions, n_features), or callable
        A table indexed by a discrete observation (``features[s, b]`` is
        :math:`\phi(s,b)`), or a callable mapping a batch of observations to an array
        (batch, n_actions, n_features).
    n_actions, n_features : int, optional
        Needed with a callable; with a table they must match its shape.
    """

    def __init__(
        self, features, n_actions: int | None = None, n_features: int | None = None
    ) -> None:
        if callable(features):
            if n_actions is None or n_features is None:
                raise TypeError(
                    "LinearPreferences with a callable features needs n_actions and n_features "
                    "(its output has shape (batch, n_actions, n_features)); got "
                    f"n_actions={n_actions!r}, n_features={n_features!r}"
                )
            self.table, self.features_fn = None, features
            self.n_actions = check_count(n_actions, "n_actions")
            self.n_params = check_count(n_features, "n_features")
            return
        phi = as_real_array(features, "features")
        if phi.ndim != 3 or 0 in phi.shape:
            raise ValueError(
                "features must be a callable or an array of shape "
                "(n_states, n_actions, n_features), "
                f"all >= 1; got shape {phi.shape}"
            )
        for name, value, axis in (("n_actions", n_actions, 1), ("n_features", n_features, 2)):
            if value is not None and check_count(value, name) != phi.shape[axis]:
                raise ValueError(
                    f"{name} must equal features.shape[{axis}] = {phi.shape[axis]}; got {value}"
                )
        self.table, self.features_fn = phi, None
        self.n_states, self.n_actions, self.n_params = (int(n) for n in phi.shape)
        self.observation_shape = ()

    def __repr__(self) -> str:
        if self.table is None:
            return (
                f"LinearPreferences(<callable>, n_actions={self.n_actions}, "
                f"n_features={self.n_params})"
            )
        return f"LinearPreferences(features of shape {self.table.shape})"

    def to_config(self) -> dict | None:
        """The features table; None with a callable (a function is not stored)."""
        return None if self.table is None else {"features": self.table}

    def check_observations(self, observations):
        if self.table is not None:
            return check_states(observations, self.n_states)
        return observations

    def features(self, observations) -> np.ndarray:
        r""":math:`\Phi(s)` of a batch, shape (..., n_actions, n_features)."""
        if self.table is not None:
            return self.table[observations]
        phi = np.asarray(self.features_fn(observations), dtype=np.float64)
        if phi.ndim < 2 or phi.shape[-2:] != (self.n_actions, self.n_params):
            raise ValueError(
                f"features(observations) must have shape (batch, n_actions, n_features) = "
                f"(batch, {self.n_actions}, {self.n_params}); got shape {phi.shape}"
            )
        return phi

    def preferences(self, theta, observations):
        return self.features(observations) @ theta

    def vjp(self, theta, observations, g):
        return (g[..., None, :] @ self.features(observations))[..., 0, :]  # Phi^T g

    def vjp_sum(self, theta, observations, g):
        phi = self.features(observations)
        return np.tensordot(g, phi, axes=([0, 1], [0, 1]))

    def preferences_many(self, thetas, observations):
        if self.table is None:  # a callable sees batches (batch, ...) only
            return super().preferences_many(thetas, observations)
        phi = self.features(np.asarray(observations))  # (runs, batch, n_actions, d)
        return (phi @ np.asarray(thetas)[:, None, :, None])[..., 0]

    def linearise_many(self, thetas, observations):
        if self.table is None:
            return super().linearise_many(thetas, observations)
        s = np.asarray(observations)  # (runs, batch) states
        phi = self.features(s)

        def pullback(g, summed=False):
            if not summed:
                return (g[..., None, :] @ phi)[..., 0, :]  # Phi(s)^T g, step by step
            # sum_i Phi(s_i)^T g_i = sum over the states seen of Phi(s)^T (g summed per state)
            seen, where = np.unique(s, return_inverse=True)
            per_state = np.zeros((s.shape[0], seen.size, self.n_actions))
            np.add.at(per_state, (np.arange(s.shape[0])[:, None], where.reshape(s.shape)), g)
            return np.sum((per_state[..., None, :] @ self.table[seen])[..., 0, :], axis=1)

        return (phi @ np.asarray(thetas)[:, None, :, None])[..., 0], pullback


def features_as_observations(n_actions: int, n_features: int) -> LinearPreferences:
    """Linear preferences whose observations are the features Phi(s) themselves (Part I's form)."""
    return LinearPreferences(_same, n_actions, n_features)


def _same(features: np.ndarray) -> np.ndarray:
    return features
