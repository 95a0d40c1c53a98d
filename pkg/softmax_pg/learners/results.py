r"""What a learner returns (:class:`LearningResult`), and its per-update log.

:class:`Monitor` keeps the log (:attr:`LearningResult.history`), calls the user's
``callback(stats)`` after every update (a callback that returns False stops the run) and
draws a tqdm progress bar on long runs.
"""

from __future__ import annotations

import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..policy import SoftmaxPolicy

__all__ = ["LearningResult", "Monitor", "warn_if_collapsed"]

_AUTO_PROGRESS_SECONDS = 3.0
ENTROPY_FLOOR = 1e-8  # nats: below it the policy is deterministic to double precision


def warn_if_collapsed(last_entropies: dict) -> None:
    """Warn when a run's last update saw a policy of entropy ~0 (``{run label: entropy}``):
    its scores, and so every later update, are ~0, and learning has stopped."""
    low = {k: e for k, e in last_entropies.items() if e < ENTROPY_FLOOR}
    if not low:
        return
    where = ", ".join(f"{k}{e:.2g} nats" for k, e in low.items())
    warnings.warn(
        f"the policy's entropy collapsed to ~0 ({where} at the last update): a deterministic "
        "policy has a score of ~0, so the updates stopped moving theta; the step size (or the "
        "optimizer's) is probably too large: try a smaller one, or an entropy_coef > 0",
        UserWarning,
        stacklevel=3,
    )


@dataclass(frozen=True)
class LearningResult:
    """What the learners of :mod:`softmax_pg.learners` return.

    Attributes
    ----------
    policy : SoftmaxPolicy
        The trained policy; it takes the environment's raw observations (states for a
        ``Discrete`` observation space), one at a time or in a batch.
    returns : numpy.ndarray, shape (n_episodes,)
        The undiscounted return :math:`\\sum_t R_{t+1}` of every episode (of the episodes
        played, when the callback stopped the run early).
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
    state : TrainingState or None
        Everything the run needs to go on (:class:`TrainingState`): pass it as
        ``resume=`` to the same learner, or save it with :func:`save_run`.
    """

    policy: SoftmaxPolicy
    returns: np.ndarray
    discounted_returns: np.ndarray
    lengths: np.ndarray
    value_weights: np.ndarray | None
    param: object
    history: dict = field(default_factory=dict)
    wall_time: float = 0.0
    state: object = field(default=None, repr=False, compare=False)


class Monitor:
    """Returns, lengths, the per-update history, the callback and the progress bar of one run."""

    KEYS = ("episode", "return", "entropy", "gradient_norm")

    def __init__(
        self, n_episodes: int, callback=None, progress: bool | None = None, offset: int = 0
    ) -> None:
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
        self.offset = offset  # episodes played before (a resumed run): the history counts on

    def episode(self, i: int, rewards: np.ndarray, discounted: float) -> None:
        """Record episode ``i``: its rewards' sum, its discounted return, its length."""
        self.returns[i] = float(sum(rewards.tolist()))
        self.discounted[i] = discounted
        self.lengths[i] = rewards.shape[0]

    def update(
        self,
        last_episode: int,
        first_episode: int,
        entropy: float,
        gradient_norm: float,
        theta: np.ndarray | None = None,
    ) -> bool:
        """Log one update (episodes ``first_episode..last_episode``) and report it; False
        when the callback asked to stop (it returned False)."""
        stats = {
            "episode": self.offset + last_episode,
            "return": float(np.mean(self.returns[first_episode : last_episode + 1])),
            "entropy": float(entropy),
            "gradient_norm": float(gradient_norm),
        }
        for k in self.KEYS:
            self.history[k].append(stats[k])
        go = True
        if self.callback is not None:
            extra = {} if theta is None else {"theta": np.array(theta, dtype=np.float64)}
            go = self.callback({**stats, **extra}) is not False
        self._tick(last_episode + 1, stats["return"])
        if not go:
            self.n = last_episode + 1  # the run stops here: its episodes are those played
        return go

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

    def result(self, policy, value_weights, param, state=None) -> LearningResult:
        wall = self.close()
        if self.history["entropy"]:
            warn_if_collapsed({"": self.history["entropy"][-1]})
        history = {
            k: np.asarray(v, dtype=np.int64 if k == "episode" else np.float64)
            for k, v in self.history.items()
        }
        n = self.n
        return LearningResult(
            policy,
            self.returns[:n],
            self.discounted[:n],
            self.lengths[:n],
            value_weights,
            param,
            history,
            wall,
            state,
        )
