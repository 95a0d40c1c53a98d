r"""What a learner returns (:class:`LearningResult`), and its per-update log.

:class:`Monitor` keeps the log (:attr:`LearningResult.history`), calls the user's
``callback(stats)`` after every update and draws a tqdm progress bar on long runs.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ..policy import SoftmaxPolicy

__all__ = ["LearningResult", "Monitor"]

_AUTO_PROGRESS_SECONDS = 3.0


@dataclass(frozen=True)
class LearningResult:
    """What the learners of :mod:`softmax_pg.learners` return.

    Attributes
    ----------
    policy : SoftmaxPolicy
        The trained policy; it takes the environment's raw observations (states for a
        ``Discrete`` observation space), one at a time or in a batch.
    returns : numpy.ndarray, shape (n_episodes,)
        The undiscounted return :math:`\\sum_t R_{t+1}` of every episode.
    discounted_returns : numpy.ndarray, shape (n_episodes,)
        :math:`G_0 = \\sum_t \\gamma^t R_{t+1}` of every episode.
    lengths : numpy.ndarray of int64, shape (n_episodes,)
    value_weights : numpy.ndarray or None
        The weights :math:`w` of the learned state value; None without a baseline or critic.
    param : Parametrisation
        The parametrisation the policy uses (``policy.param``).
    history : dict of str to numpy.ndarray, each of shape (n_updates,)
        Per update: ``"episode"`` (the index of its last episode), ``"return"`` (the mean
        undiscounted return of its episodes), ``"entropy"`` (the policy's mean entropy
        over its steps), ``"gradient_norm"`` (:math:`\\lVert\\hat g\\rVert` of the update's
        gradient estimate).
    wall_time : float
        Seconds the run took.
    """

    policy: SoftmaxPolicy
    returns: np.ndarray
    discounted_returns: np.ndarray
    lengths: np.ndarray
    value_weights: np.ndarray | None
    param: object
    history: dict = field(default_factory=dict)
    wall_time: float = 0.0


class Monitor:
    """Returns, lengths, the per-update history, the callback and the progress bar of one run."""

    KEYS = ("episode", "return", "entropy", "gradient_norm")

    def __init__(self, n_episodes: int, callback=None, progress: bool | None = None) -> None:
        if callback is not None and not callable(callback):
            raise TypeError(
                "callback must be callable (it is called with a dict per update) or None; got "
                f"{callback!r}"
            )
        if progress is not None and not isinstance(progress, (bool, np.bool_)):
            raise TypeError(f"progress must be True, False or None (automatic); got {progress!r}")
        self.n = n_episodes
        self.callback = callback
        self.progress = progress
        self.returns = np.empty(n_episodes)
        self.discounted = np.empty(n_episodes)
        self.lengths = np.empty(n_episodes, dtype=np.int64)
        self.history = {k: [] for k in self.KEYS}
        self.start = time.perf_counter()
        self.bar = None
        self.done = 0

    def episode(self, i: int, rewards: np.ndarray, discounted: float) -> None:
        """Record episode ``i``: its rewards' sum, its discounted return, its length."""
        self.returns[i] = float(sum(rewards.tolist()))
        self.discounted[i] = discounted
        self.lengths[i] = rewards.shape[0]

    def update(
        self, last_episode: int, first_episode: int, entropy: float, gradient_norm: float
    ) -> None:
        """Log one update (episodes ``first_episode..last_episode``) and report it."""
        stats = {
            "episode": last_episode,
            "return": float(np.mean(self.returns[first_episode : last_episode + 1])),
            "entropy": float(entropy),
            "gradient_norm": float(gradient_norm),
        }
        for k in self.KEYS:
            self.history[k].append(stats[k])
        if self.callback is not None:
            self.callback(stats)
        self._tick(last_episode + 1, stats["return"])

    def _tick(self, done: int, mean_return: float) -> None:
        if self.bar is None and self._want_bar():
            from tqdm import tqdm

            self.bar = tqdm(total=self.n, initial=self.done, unit="episode", leave=False)
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.bar.set_postfix(ret=f"{mean_return:.1f}", refresh=False)
        self.done = done

    def _want_bar(self) -> bool:
        if self.progress is not None:
            return bool(self.progress)
        # automatic: only on a terminal (never in a notebook or under nbval), on a long run
        isatty = getattr(sys.stderr, "isatty", None)
        long = (
            time.perf_counter() - self.start > _AUTO_PROGRESS_SECONDS and self.done < 0.5 * self.n
        )
        return bool(isatty is not None and isatty()) and long

    def close(self) -> float:
        """Close the bar; the wall time in seconds."""
        if self.bar is not None:
            self.bar.close()
        return time.perf_counter() - self.start

    def result(self, policy, value_weights, param) -> LearningResult:
        wall = self.close()
        history = {
            k: np.asarray(v, dtype=np.int64 if k == "episode" else np.float64)
            for k, v in self.history.items()
        }
        return LearningResult(
            policy, self.returns, self.discounted, self.lengths, value_weights, param, history, wall
        )
