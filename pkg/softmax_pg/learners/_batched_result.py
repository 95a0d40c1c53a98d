"""What :func:`~softmax_pg.learners.reinforce_batched` returns, and greedy or sampled
evaluation of its policies on a vector environment (all runs' episodes stepped together)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _kernel
from .._validation import check_count, check_rng
from ..policy import SoftmaxPolicy
from ._batched_setup import check_envs, normalised_param

__all__ = ["BatchedResult", "evaluate_batched"]


@dataclass(frozen=True)
class BatchedResult:
    """What :func:`reinforce_batched` returns, one row per run.

    Attributes
    ----------
    thetas : numpy.ndarray, shape (n_runs, n_params)
        The trained parameters.
    returns, discounted_returns, lengths : numpy.ndarray, shape (n_runs, n_episodes)
        The undiscounted return, :math:`G_0` and the number of steps of every episode.
    wall_time : float
        Seconds the whole call took.
    param : Parametrisation
        The parametrisation (on the normalised observations when they are normalised).
    history : dict of numpy.ndarray, each (n_runs, n_updates)
        Per update, as :attr:`LearningResult.history`: ``"episode"`` (its last episode),
        ``"return"`` (the mean undiscounted return of its episodes), ``"entropy"`` (mean
        over its steps) and ``"gradient_norm"``.
    observation_mean, observation_std : numpy.ndarray (n_runs, obs_size), or None
        The running statistics the policies standardise by, with ``normalize_observations``.
    temperature : float
    value_weights : numpy.ndarray (n_runs, n_value_params), or None
        The baselines' weights; None without a baseline.
    """

    thetas: np.ndarray
    returns: np.ndarray
    discounted_returns: np.ndarray
    lengths: np.ndarray
    wall_time: float
    param: object
    history: dict = field(repr=False)
    observation_mean: np.ndarray | None = None
    observation_std: np.ndarray | None = None
    temperature: float = 1.0
    value_weights: np.ndarray | None = None

    @property
    def n_runs(self) -> int:
        return self.thetas.shape[0]

    def policy(self, run: int) -> SoftmaxPolicy:
        """Run ``run``'s trained policy, taking raw observations (normalised inside)."""
        param = self.param
        if self.observation_mean is not None:
            param = normalised_param(param, self.observation_mean[run], self.observation_std[run])
        return SoftmaxPolicy(param, self.thetas[run], self.temperature)


def evaluate_batched(
    envs,
    result: BatchedResult,
    *,
    rng: int | np.random.Generator = 0,
    greedy: bool = True,
    max_steps: int = 100_000,
) -> np.ndarray:
    """Play one episode per sub-environment with the trained policies; the returns (n_runs, k).

    ``envs.num_envs = k * result.n_runs``: sub-environments ``i*k .. i*k + k - 1`` play
    run ``i``'s policy, greedily (argmax of the preferences, the first on ties) or
    sampled. The episodes start from one ``envs.reset(seed=...)`` whose seed is drawn
    from ``rng``, so the same ``rng`` gives the same returns.
    """
    if not isinstance(result, BatchedResult):
        raise TypeError(
            "result must be the BatchedResult of reinforce_batched; got an object of type "
            f"{type(result).__name__}: evaluate one policy with evaluate(policy, env)"
        )
    n = check_envs(envs)
    runs = result.n_runs
    if n % runs:
        raise ValueError(f"envs.num_envs must be a multiple of the {runs} runs; got {n}")
    k, gen, steps = n // runs, check_rng(rng), check_count(max_steps, "max_steps")
    obs, _ = envs.reset(seed=int(gen.integers(2**32)))
    active, total = np.ones(n, dtype=bool), np.zeros(n)
    mean, std = result.observation_mean, result.observation_std
    for _ in range(steps):
        x = np.asarray(obs, dtype=np.float64).reshape(n, -1) if obs.ndim > 1 else np.asarray(obs)
        if mean is not None:
            x = (x - np.repeat(mean, k, axis=0)) / np.repeat(std, k, axis=0)
        h = result.param.preferences_many(
            result.thetas, x.reshape((runs, k) + x.shape[1:])
        ).reshape(n, -1)
        a = (
            np.argmax(h, axis=1)
            if greedy
            else _kernel.inverse_cdf(_kernel.softmax(h, result.temperature), gen.random(n))
        )
        obs, r, terminated, truncated, _ = envs.step(a.astype(np.int64))
        total += np.where(active, r, 0.0)
        active &= ~np.logical_or(terminated, truncated)
        if not active.any():
            break
    return total.reshape(runs, k)
