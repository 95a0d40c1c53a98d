r"""Running observation normalisation: the moments the learners keep between episodes.

:class:`~softmax_pg.parametrisations.Standardized` feeds :math:`(x - \mu)/s` to the
parametrisation it wraps; the learners update :math:`\mu, s` between episodes from the
observations seen so far (:class:`RunningMoments`, Welford's algorithm) and hand out a
frozen copy with the trained policy, so ``result.policy`` still takes raw observations.
"""

from __future__ import annotations

import numpy as np

# Standardized is a parametrisation and lives with them; imported here too, where the
# learners have always found it.
from ..parametrisations.standardized import Standardized

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
