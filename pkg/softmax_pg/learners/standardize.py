r"""Running observation normalisation, as a parametrisation wrapped around another.

:class:`Standardized` feeds :math:`(x - \mu)/s` to the parametrisation it wraps; the
learners update :math:`\mu, s` between episodes from the observations seen so far
(:class:`RunningMoments`, Welford's algorithm) and hand out a frozen copy with the
trained policy, so ``result.policy`` still takes raw observations.
"""

from __future__ import annotations

import numpy as np

from ..parametrisations import Parametrisation

__all__ = ["RunningMoments", "Standardized"]


class RunningMoments:
    """Mean and variance of every coordinate of the observations seen so far (Welford)."""

    def __init__(self, size: int) -> None:
        self.count = 0
        self.mean = np.zeros(size)
        self.m2 = np.zeros(size)

    def update(self, batch: np.ndarray) -> None:
        """Add a batch of observations, shape (n, size) (Chan et al.'s parallel update)."""
        n = batch.shape[0]
        if n == 0:
            return
        mean = batch.mean(axis=0)
        m2 = ((batch - mean) ** 2).sum(axis=0)
        total = self.count + n
        delta = mean - self.mean
        self.mean = self.mean + delta * (n / total)
        self.m2 = self.m2 + m2 + delta**2 * (self.count * n / total)
        self.count = total

    def std(self) -> np.ndarray:
        """The standard deviations; 1 where a coordinate has not varied yet."""
        if self.count < 2:
            return np.ones_like(self.mean)
        s = np.sqrt(self.m2 / self.count)
        return np.where(s > 0.0, s, 1.0)


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
        self.blocked_score = param.blocked_score
        self.mean = np.array(mean, dtype=np.float64)
        self.std = np.array(std, dtype=np.float64)

    def __repr__(self) -> str:
        return f"Standardized({self.param!r})"

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
