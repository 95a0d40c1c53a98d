"""The batched learner's arguments, checked once, and its per-run state (private module).

Everything :func:`~softmax_pg.learners.reinforce_batched` keeps between steps: the runs'
generators (drawn in the single-run learner's order), parameters, optimisers, baselines,
observation moments, the slots' episode buffers, and the log of every update.
"""

from __future__ import annotations

import numbers
import sys
import time

import numpy as np

from .._validation import check_count, check_positive, check_rng
from ..parametrisations.outputs import (
    checked_init,
    checked_preferences_many,
    checked_theta,
    checked_vjp,
    checked_vjp_sum,
)
from ._args import LearnerOptions, check_step_size
from .critic import value_function
from .optim import check_optimizer
from .results import Monitor, warn_if_collapsed
from .rollout import Spaces
from .standardize import RunningMoments, Standardized

__all__ = ["Setup", "check_envs", "check_rngs", "normalised_param"]


def normalised_param(param, mean: np.ndarray, std: np.ndarray) -> Standardized:
    """``param`` on (x - mean) / std, frozen: what a run's policy applies to raw observations."""
    return Standardized(param, mean, std).frozen()


def check_envs(envs: object) -> int:
    """``envs.num_envs``, once ``envs`` is checked to be a vector environment (not one env,
    not an id)."""
    if isinstance(envs, str):
        raise TypeError(
            f"envs must be a gymnasium vector environment, not an id; got the string {envs!r}: "
            f"pass gymnasium.make_vec({envs!r}, num_envs=n_runs * episodes_per_update)"
        )
    n = getattr(envs, "num_envs", None)
    if n is None or not hasattr(envs, "single_action_space"):
        raise TypeError(
            "envs must be a gymnasium vector environment (gymnasium.make_vec or "
            "gymnasium.vector.SyncVectorEnv), with num_envs and single_action_space; got "
            f"{envs!r}: "
            "a single environment goes to softmax_pg.learners.reinforce"
        )
    return int(n)


def check_rngs(rngs: object) -> list[np.random.Generator]:
    """One generator per run, from a sequence of seeds or generators, no generator used twice."""
    if rngs is None or isinstance(rngs, (numbers.Integral, np.random.Generator, str, bytes)):
        raise TypeError(
            "rngs must be a sequence with one seed or numpy.random.Generator per run, e.g. "
            f"rngs=range(10); got {rngs!r}"
        )
    try:
        items = list(rngs)
    except TypeError:
        raise TypeError(
            f"rngs must be a sequence of seeds or generators, one per run; got {rngs!r}"
        ) from None
    if not items:
        raise ValueError(
            "rngs must hold at least one seed or generator (one per run); got an empty sequence"
        )
    ids = [id(r) for r in items if isinstance(r, np.random.Generator)]
    if len(ids) != len(set(ids)):
        i = next(
            k
            for k, r in enumerate(items)
            if isinstance(r, np.random.Generator) and ids.count(id(r)) > 1
        )
        raise ValueError(
            f"rngs must give every run its own generator; rngs[{i}] is the same Generator object "
            "as "
            "another entry (two runs would share, and disturb, one stream): pass seeds or "
            "numpy.random.default_rng(seed).spawn(n)"
        )
    return [check_rng(r) for r in items]


class Setup:
    """The checked arguments and the state of all runs of one batched call."""

    def __init__(
        self,
        envs,
        options: LearnerOptions,
        *,
        rngs,
        n_episodes,
        step_size,
        optimizer,
        param,
        theta0,
        callback,
        progress,
        baseline_step_size=None,
        value_features=None,
        value_param=None,
    ) -> None:
        n_envs = check_envs(envs)
        self.gens = check_rngs(rngs)
        self.n_runs = len(self.gens)
        self.options = options  # checked when built
        self.E = options.episodes_per_update
        if n_envs != self.n_runs * self.E:
            raise ValueError(
                f"envs.num_envs must be len(rngs) * episodes_per_update = {self.n_runs} * "
                f"{self.E} = "
                f"{self.n_runs * self.E} (one sub-environment per episode of an update of every "
                "run); "
                f"got num_envs = {n_envs}"
            )
        self.n_slots = n_envs
        self.slot_runs = np.arange(n_envs) // self.E
        self.spaces = Spaces(
            getattr(envs, "single_observation_space", None),
            getattr(envs, "single_action_space", None),
            "envs.single",
        )
        self.n_episodes = check_count(n_episodes, "n_episodes")
        self.n_updates = -(-self.n_episodes // self.E)
        self._step_size(step_size, optimizer)
        self.gamma, self.tau, self.max_steps = options.gamma, options.temperature, options.max_steps
        self.normalize_advantages = options.normalize_advantages
        self.discount_weighting = options.discount_weighting
        self.beta = options.entropy_coef
        self.param = self.spaces.parametrisation(None, param)
        self._moments(options.normalize_observations)
        self._critics(baseline_step_size, value_features, value_param)
        self._start(theta0)
        self._buffers()
        self.monitors = [Monitor(self.n_episodes, None, False) for _ in range(self.n_runs)]
        self.callback = None if callback is None else _callable(callback)
        self.progress = _Progress(self.n_episodes * self.n_runs, progress)
        self.updates = np.zeros(self.n_runs, dtype=np.int64)
        self.done_episodes = np.zeros(self.n_runs, dtype=np.int64)
        self.stopped = np.zeros(self.n_runs, dtype=bool)  # the callback returned False

    def _step_size(self, step_size, optimizer) -> None:
        self.alpha = check_step_size(step_size, optimizer)
        self.optimizers = [check_optimizer(optimizer) for _ in range(self.n_runs)]
        self.needs_scores = bool(getattr(optimizer, "needs_scores", False))

    def _moments(self, on: bool) -> None:
        self.moments = None
        if on:
            if self.spaces.discrete:
                raise ValueError(
                    "normalize_observations needs Box observations; got a Discrete observation "
                    "space"
                )
            self.moments = [RunningMoments(self.spaces.obs_size) for _ in range(self.n_runs)]
        self.obs_mean = None if not on else np.zeros((self.n_runs, self.spaces.obs_size))
        self.obs_std = None if not on else np.ones((self.n_runs, self.spaces.obs_size))
        if on:  # the same, one row per slot, for the step's batch
            self.slot_mean = np.repeat(self.obs_mean, self.E, axis=0)
            self.slot_std = np.repeat(self.obs_std, self.E, axis=0)

    def _critics(self, alpha_w, value_features, value_param) -> None:
        if alpha_w is None:
            if value_features is not None or value_param is not None:
                raise ValueError(
                    "value_features and value_param are only used with baseline_step_size; got none"
                )
            self.alpha_w, self.critics = None, None
            return
        self.alpha_w = check_positive(alpha_w, "baseline_step_size")
        self.critics = [
            value_function(self.spaces, value_features, value_param, g) for g in self.gens
        ]

    def _start(self, theta0) -> None:
        """Each run's first draws in the single run's order: the first seed (E = 1), theta, w."""
        self.first_seeds = [int(g.integers(2**32)) if self.E == 1 else None for g in self.gens]
        if theta0 is not None:
            th = checked_theta(self.param, theta0, "theta0")
            self.thetas = np.tile(th, (self.n_runs, 1))
        else:
            self.thetas = np.stack([checked_init(self.param, g) for g in self.gens])
        self.ws = None if self.critics is None else [c.zeros() for c in self.critics]

    def _buffers(self) -> None:
        n, T, sp = self.n_slots, self.max_steps, self.spaces
        shape = (n, T) if sp.discrete else (n, T, sp.obs_size)
        self.obs_buf = np.zeros(shape, dtype=np.int64 if sp.discrete else np.float64)
        self.act_buf = np.zeros((n, T), dtype=np.int64)
        self.rew_buf = np.zeros((n, T))

    def check_obs(self, obs) -> np.ndarray:
        """The slots' observations, flattened float64 (Box) or int64 states, checked."""
        sp = self.spaces
        if sp.discrete:
            x = np.asarray(obs).astype(np.int64).reshape(self.n_slots)
            if x.min() < 0 or x.max() >= sp.n_states:
                raise ValueError(
                    f"the observations from envs must be states in [0, {sp.n_states}); got {obs!r}"
                )
            return x
        x = np.asarray(obs, dtype=np.float64).reshape(self.n_slots, sp.obs_size)
        if not np.isfinite(x).all():
            bad = int(np.flatnonzero(~np.isfinite(x).all(axis=1))[0])
            raise ValueError(
                f"the observation of sub-environment {bad} from envs must be finite; got {x[bad]!r}"
            )
        return x

    def check_param(self, x: np.ndarray) -> None:
        """What the parametrisation returns, checked once on the first observations."""
        xin = x.reshape((self.n_runs, self.E) + x.shape[1:])
        checked_preferences_many(self.param, self.thetas, xin, self.E)
        g = np.zeros((self.E, self.param.n_actions))
        checked_vjp(self.param, self.thetas[0], xin[0], g)
        checked_vjp_sum(self.param, self.thetas[0], xin[0], g)

    def ascend(self, run: int, gradient: np.ndarray, scores) -> None:
        theta = self.thetas[run]
        opt = self.optimizers[run]
        new = theta + self.alpha * gradient if opt is None else opt.step(theta, gradient, scores)
        if not np.isfinite(new).all():
            what = f"step_size = {self.alpha!r} is" if opt is None else f"the optimizer {opt!r} is"
            raise FloatingPointError(
                f"run {run}: theta stopped being finite after episode "
                f"{self.done_episodes[run] - 1}: {what} too large for this problem; "
                "try a smaller step"
            )
        self.thetas[run] = new

    def observed(self, run: int, obs: np.ndarray) -> None:
        if self.moments is not None:
            m = self.moments[run]
            m.update(obs)
            self.obs_mean[run], self.obs_std[run] = m.mean, m.std()
            self.slot_mean[run * self.E : (run + 1) * self.E] = self.obs_mean[run]
            self.slot_std[run * self.E : (run + 1) * self.E] = self.obs_std[run]

    def log(self, run: int, first: int, rewards, discounted, entropy: float, norm: float) -> None:
        mon = self.monitors[run]
        for i, (r, g0) in enumerate(zip(rewards, discounted, strict=True)):
            mon.episode(first + i, r, g0)
        last = first + len(rewards) - 1
        mon.update(last, first, entropy, norm)
        if self.callback is not None:
            stats = {k: v[-1] for k, v in mon.history.items()}
            if self.callback({"run": run, **stats, "theta": self.thetas[run].copy()}) is False:
                self.stopped[run] = True
                mon.returns[last + 1 :] = mon.discounted[last + 1 :] = np.nan
                mon.lengths[last + 1 :] = 0
        self.progress.tick(int(self.done_episodes.sum()))

    def warn_if_collapsed(self) -> None:
        """A warning naming the runs whose policy's entropy collapsed to ~0."""
        last = {f"run {i}: ": m.history["entropy"][-1] for i, m in enumerate(self.monitors)}
        warn_if_collapsed(last)

    def history(self) -> dict:
        """Every run's per-update log, each key an array (n_runs, n_updates)."""
        n = max(len(m.history["episode"]) for m in self.monitors)  # a stopped run: padded
        return {
            k: np.array(
                [
                    m.history[k] + [-1 if k == "episode" else np.nan] * (n - len(m.history[k]))
                    for m in self.monitors
                ],
                dtype=np.int64 if k == "episode" else np.float64,
            )
            for k in Monitor.KEYS
        }


class _Progress:
    """A tqdm bar over all runs' episodes: always, never, or (None) on a terminal after 3 s."""

    def __init__(self, total: int, progress) -> None:
        if progress is not None and not isinstance(progress, (bool, np.bool_)):
            raise TypeError(f"progress must be True, False or None (automatic); got {progress!r}")
        self.total, self.progress, self.bar = total, progress, None
        self.start, self.done = time.perf_counter(), 0

    def _want(self) -> bool:
        if self.progress is not None:
            return bool(self.progress)
        isatty = getattr(sys.stderr, "isatty", None)
        slow = time.perf_counter() - self.start > 3.0 and self.done < 0.5 * self.total
        return bool(isatty is not None and isatty()) and slow

    def tick(self, done: int) -> None:
        if self.bar is None and self._want():
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, initial=self.done, unit="episode", leave=False)
        if self.bar is not None:
            self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _callable(callback):
    if not callable(callback):
        raise TypeError(
            "callback must be callable (called with a dict after every update) or None; got "
            f"{callback!r}"
        )
    return callback
