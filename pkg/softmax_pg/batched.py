r"""Independent REINFORCE runs stepped together on a vectorised Gymnasium environment.

:func:`reinforce_batched` runs :func:`softmax_pg.learners.reinforce` once per generator, each run
with its own :math:`\theta` (and baseline weights), and steps all of them with one call of
a vectorised environment: one batched softmax and one inverse-CDF draw per step for all
runs, the per-episode update of each run by the very function :func:`softmax_pg.learners.reinforce`
uses. Each run keeps the single-run learner's order of random draws (the module
:mod:`softmax_pg.learners`, "Random draws"), so run ``i`` equals
``reinforce(gym.make(env_id), ..., rng=rngs[i])`` number for number; the tests check it.

Supported vectorised environments: CartPole's numpy implementation,
``gymnasium.make_vec("CartPole-v1", num_envs=n, vectorization_mode="vector_entry_point")``.
Its resets all draw from one shared generator; here each run's resets draw from a
generator seeded as the single environment's ``reset(seed=...)`` seeds it, so each run
starts where its single-run twin starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._learning import Spaces, check_finite_theta, initial_theta, policy_parametrisation, value_function
from ._validation import check_count, check_positive, check_rng
from .learners._legacy import _discount, _reinforce_update_arrays
from .policy import _inverse_cdf
from .preferences import Preferences
from .softmax import _max_last, _sum_last

__all__ = ["BatchedResult", "reinforce_batched"]


@dataclass(frozen=True)
class BatchedResult:
    """What :func:`reinforce_batched` returns, one row per run.

    Attributes
    ----------
    thetas : numpy.ndarray, shape (n_runs, n_params)
        The trained parameters of every run.
    returns, lengths : numpy.ndarray, shape (n_runs, n_episodes)
        The return :math:`G_0` and the number of steps of every episode.
    value_weights : numpy.ndarray, shape (n_runs, n_value_features), or None
        The baselines' weights; None without a baseline.
    preferences : Preferences
        The parametrisation (:func:`softmax_pg.policy_probs` takes it with ``thetas[i]``).
    """

    thetas: np.ndarray
    returns: np.ndarray
    lengths: np.ndarray
    value_weights: np.ndarray | None
    preferences: Preferences


class _CartPoleResets:
    """Per-run resets and steps for gymnasium's CartPoleVectorEnv.

    Run i's start states come from a generator seeded as ``CartPoleEnv.reset(seed=seed_i)``
    seeds it, uniform in the reset bounds, written into the vector environment's state.
    :meth:`step` steps the given runs only, with the vector environment's own arithmetic
    (the same expressions, element by element) but without its per-call action check and
    automatic resets, which the learner does itself: a third of the cost of ``envs.step``.
    An environment with wrappers, or with the Sutton-Barto reward, is stepped by ``envs.step``.
    """

    def __init__(self, envs, seeds: Sequence[int]) -> None:
        from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv
        from gymnasium.utils import seeding

        self.envs = envs
        self.env = envs.unwrapped
        self.env.reset(seed=0)  # builds the arrays; every run's state is replaced below
        self.gens = [seeding.np_random(int(s))[0] for s in seeds]
        self.lean = (envs is self.env and type(self.env).step is CartPoleVectorEnv.step
                     and not getattr(self.env, "_sutton_barto_reward", False))
        self.actions = np.zeros(self.env.num_envs, dtype=np.int64)

    def reset(self, i: int) -> np.ndarray:
        e = self.env
        e.state[:, i] = self.gens[i].uniform(low=e.low, high=e.high, size=(4,))
        e.steps[i] = 0
        e.prev_done[i] = False  # no automatic reset on the next step: this is it
        return e.state[:, i].astype(np.float32)

    def step(self, actions: np.ndarray, runs: np.ndarray):
        """Step runs ``runs`` with ``actions`` (one per run in ``runs``): observations
        (float32), rewards, terminated, truncated, each indexed like ``runs``."""
        if not self.lean:
            self.actions[runs] = actions
            obs, rewards, terminated, truncated, _ = self.envs.step(self.actions)
            return obs[runs], rewards[runs], terminated[runs], truncated[runs]
        e = self.env
        whole = runs.size == e.num_envs
        state = e.state if whole else e.state[:, runs]
        x, x_dot, theta, theta_dot = state
        # CartPoleVectorEnv.step's arithmetic, expression for expression
        force = np.sign(actions - 0.5) * e.force_mag
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        temp = (force + e.polemass_length * np.square(theta_dot) * sintheta) / e.total_mass
        thetaacc = (e.gravity * sintheta - costheta * temp) / (
            e.length * (4.0 / 3.0 - e.masspole * np.square(costheta) / e.total_mass)
        )
        xacc = temp - e.polemass_length * thetaacc * costheta / e.total_mass
        if e.kinematics_integrator == "euler":
            x = x + e.tau * x_dot
            x_dot = x_dot + e.tau * xacc
            theta = theta + e.tau * theta_dot
            theta_dot = theta_dot + e.tau * thetaacc
        else:  # semi-implicit euler
            x_dot = x_dot + e.tau * xacc
            x = x + e.tau * x_dot
            theta_dot = theta_dot + e.tau * thetaacc
            theta = theta + e.tau * theta_dot
        new = np.empty((4, runs.size))  # np.stack's values, without its per-call overhead
        new[0], new[1], new[2], new[3] = x, x_dot, theta, theta_dot
        terminated = (
            (x < -e.x_threshold) | (x > e.x_threshold)
            | (theta < -e.theta_threshold_radians) | (theta > e.theta_threshold_radians)
        )
        if whole:
            e.state = new
            e.steps += 1
            steps = e.steps
        else:
            e.state[:, runs] = new
            steps = e.steps[runs] + 1
            e.steps[runs] = steps
        truncated = steps >= e.max_episode_steps
        return new.T.astype(np.float32), np.ones(runs.size), terminated, truncated


def _resetter(envs, seeds):
    try:
        from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv
    except ImportError:  # pragma: no cover
        CartPoleVectorEnv = ()
    if isinstance(getattr(envs, "unwrapped", None), CartPoleVectorEnv):
        return _CartPoleResets(envs, seeds)
    raise TypeError(
        "envs must be CartPole's numpy vector environment, gymnasium.make_vec('CartPole-v1', num_envs=n, "
        f"vectorization_mode='vector_entry_point') (the one whose resets can be given per run); got {envs!r}"
    )


def reinforce_batched(
    envs,
    *,
    step_size: float,
    n_episodes: int,
    rngs: Sequence[int | np.random.Generator],
    preferences: Preferences | None = None,
    gamma: float = 1.0,
    baseline_step_size: float | None = None,
    theta0: ArrayLike | None = None,
    max_steps: int = 1000,
) -> BatchedResult:
    r"""Independent runs of :func:`softmax_pg.learners.reinforce`, one per generator, stepped together.

    Each run follows the algorithm boxes *REINFORCE* / *REINFORCE with baseline* (chapter
    'REINFORCE') exactly as :func:`softmax_pg.learners.reinforce` does, with its own :math:`\theta`,
    baseline and generator, and ends after ``n_episodes`` episodes; the vectorised
    environment keeps stepping the runs still going. Run ``i`` equals
    ``reinforce(gym.make("CartPole-v1"), ..., rng=rngs[i])``.

    Parameters
    ----------
    envs : gymnasium.vector.VectorEnv
        ``gymnasium.make_vec("CartPole-v1", num_envs=len(rngs), vectorization_mode="vector_entry_point")``.
    step_size : float
        :math:`\alpha > 0`.
    n_episodes : int
        Episodes per run, at least 1.
    rngs : sequence of int or numpy.random.Generator
        One per run (``num_envs`` of them): a seed or a generator, as ``rng`` of
        :func:`softmax_pg.learners.reinforce`.
    preferences : Preferences, optional
        The parametrisation; by default the weight matrix on the observation plus a bias.
    gamma : float, default 1.0
    baseline_step_size : float, optional
        :math:`\alpha_w > 0` of a baseline linear in the observation plus a bias.
    theta0 : array_like, shape (n_params,), optional
        The same initial parameters for every run; ``preferences.init(rng)`` by default.
    max_steps : int, default 1000
        Cut an episode off after this many steps.

    Returns
    -------
    BatchedResult

    Raises
    ------
    TypeError
        If ``envs`` is not a supported vector environment or its spaces are not supported.
    ValueError
        If ``len(rngs)`` differs from ``envs.num_envs``, or as :func:`softmax_pg.learners.reinforce`.
    """
    from .learners._legacy import _Setup  # the single-run learner's checks, reused

    n = int(getattr(envs, "num_envs", 0))
    if isinstance(rngs, (int, np.integer, np.random.Generator)) or len(rngs) != n or n == 0:
        raise ValueError(
            f"rngs must be a sequence of one seed or generator per run, len(rngs) = envs.num_envs = {n}; got {rngs!r}"
        )
    spaces = Spaces(getattr(envs, "single_observation_space", None), getattr(envs, "single_action_space", None),
                    "envs.single")
    gens = [check_rng(r) for r in rngs]
    setup = _Setup.__new__(_Setup)  # the fields _reinforce_update reads, checked as reinforce checks them
    setup.spaces = spaces
    setup.alpha = check_positive(step_size, "step_size")
    setup.episodes = check_count(n_episodes, "n_episodes")
    setup.gamma = _discount(gamma)
    setup.steps = check_count(max_steps, "max_steps")
    setup.prefs = prefs = policy_parametrisation(spaces, None, preferences)
    if baseline_step_size is None:
        setup.alpha_w, setup.critic = None, None
    else:
        setup.alpha_w = check_positive(baseline_step_size, "baseline_step_size")
        setup.critic = value_function(spaces, None)

    seeds = [int(g.integers(2**32)) for g in gens]  # each run's first draw: its env's seed
    thetas = np.stack([initial_theta(theta0, prefs, g) for g in gens])
    ws = np.stack([setup.critic.zeros() for _ in gens]) if setup.critic is not None else None
    resets = _resetter(envs, seeds)

    returns = np.empty((n, setup.episodes))
    lengths = np.empty((n, setup.episodes), dtype=np.int64)
    done_episodes = np.zeros(n, dtype=np.int64)
    obs = np.stack([resets.reset(i) for i in range(n)])
    # each run's current episode, in preallocated arrays: step t of run i in row [i, t]
    steps = setup.steps
    raw = np.empty((n, steps, int(np.prod(obs.shape[1:], dtype=np.int64))))
    prepared_store = None  # shaped at the first step, from the parametrisation's prepared form
    acts = np.zeros((n, steps), dtype=np.int64)
    rews = np.zeros((n, steps))
    t = np.zeros(n, dtype=np.int64)  # steps so far in each run's episode
    runs = np.arange(n)
    while runs.size:
        x = obs[runs].astype(np.float64).reshape(runs.size, -1)
        if not np.isfinite(x).all():
            bad = runs[~np.isfinite(x).all(axis=1)][0]
            raise ValueError(f"the observation of run {bad} from envs.step() must be finite; got {obs[bad]!r}")
        prepared = prefs._trusted_prepare(x)
        h = prefs._h_runs(thetas[runs], prepared)
        z = h - _max_last(h)  # _softmax along the last axis, as the single run's act()
        np.exp(z, out=z)
        z /= _sum_last(z)[:, None]
        u = np.array([gens[i].random() for i in runs])
        # _inverse_cdf; for two actions its running sum is 0 + pi_0 = pi_0 exactly
        a = (z[:, 0] <= u).astype(np.int64) if z.shape[1] == 2 else _inverse_cdf(z, u)
        obs_runs, rewards, terminated, truncated = resets.step(a, runs)
        obs[runs] = obs_runs
        ti = t[runs]
        raw[runs, ti] = x
        if prepared_store is None:
            prepared_store = np.empty((n, steps) + prepared.shape[1:], dtype=prepared.dtype)
        prepared_store[runs, ti] = prepared
        acts[runs, ti] = a
        rews[runs, ti] = rewards
        ti += 1
        t[runs] = ti
        ended = runs[terminated | truncated | (ti == steps)]
        if not ended.size:
            continue
        for i in ended.tolist():
            T = int(t[i])
            e = done_episodes[i]
            w = ws[i] if ws is not None else None
            returns[i, e] = _reinforce_update_arrays(setup, thetas[i], w, raw[i, :T], prepared_store[i, :T],
                                                     acts[i, :T], rews[i, :T])
            lengths[i, e] = T
            check_finite_theta(thetas[i], int(e))
            done_episodes[i] += 1
            t[i] = 0
            if done_episodes[i] < setup.episodes:
                obs[i] = resets.reset(i)
        runs = np.flatnonzero(done_episodes < setup.episodes)
    return BatchedResult(thetas, returns, lengths, ws, prefs)
