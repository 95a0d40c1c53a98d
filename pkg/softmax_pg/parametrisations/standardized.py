r"""A parametrisation on standardised observations: :math:`h_\theta((x-\mu)/s)`.

The learners' running observation normalisation (``normalize_observations=True``) wraps the
parametrisation in :class:`Standardized`, updating :math:`\mu, s` between episodes
(:class:`softmax_pg.learners.standardize.RunningMoments`).
"""

from __future__ import annotations

import numpy as np

from .base import Parametrisation, class_name, find_class

__all__ = ["Standardized"]


class Standardized(Parametrisation):
    r"""``param`` on standardised observations: :math:`h^{\text{param}}_\theta((x-\mu)/s)`.

    Parameters
    ----------
    param : Parametrisation
        On vectors (batch, n).
    mean, std : array_like, shape (n,)
    """

    def __init__(self, param: Parametrisation, mean: np.ndarray, std: np.ndarray) -> None:
        self.param = param
        self.n_actions, self.n_params = param.n_actions, param.n_params
        self.observation_shape = getattr(param, "observation_shape", None)
        self._blocked_score = getattr(param, "_blocked_score", True)
        self.mean = np.array(mean, dtype=np.float64)
        self.std = np.array(std, dtype=np.float64)

    def __repr__(self) -> str:
        return f"Standardized({self.param!r})"

    def to_config(self) -> dict | None:
        """The wrapped parametrisation's class and description, and the moments; None when
        the wrapped one cannot be described."""
        inner = self.param.to_config()
        if inner is None:
            return None
        return {
            "param_class": class_name(self.param),
            "param": inner,
            "mean": self.mean,
            "std": self.std,
        }

    @classmethod
    def from_config(cls, config: dict) -> Standardized:
        inner = find_class(config["param_class"]).from_config(config["param"])
        return cls(inner, config["mean"], config["std"])

    def frozen(self) -> Standardized:
        """A copy whose mean and standard deviation no longer change."""
        return Standardized(self.param, self.mean.copy(), self.std.copy())

    def _x(self, observations) -> np.ndarray:
        return (np.asarray(observations, dtype=np.float64) - self.mean) / self.std

    def check_observations(self, observations):
        return self.param.check_observations(observations)

    def preferences(self, theta, observations):
        return self.param.preferences(theta, self._x(observations))

    def vjp(self, theta, observations, g):
        return self.param.vjp(theta, self._x(observations), g)

    def vjp_sum(self, theta, observations, g):
        return self.param.vjp_sum(theta, self._x(observations), g)

    def init(self, rng):
        return self.param.init(rng)
