r"""Many REINFORCE runs on the short corridor at once (Sutton & Barto 2018, Figures 13.1, 13.2).

Run ``r`` draws from its own generator, ``run_generators(seed, n_runs)[r]``, in the order
of the single-run learner, so it repeats, draw for draw, REINFORCE on
:class:`~softmax_pg.envs.ShortCorridor` with :func:`~softmax_pg.envs.corridor_features`
and the same generator: the same actions and returns, parameters equal to rounding.

Why it is fast: with features identical in every state the action probabilities do not
depend on the state, so a run's next ``chunk`` actions follow from its next ``chunk``
uniform numbers alone. Tables computed once give, for each start state and each pattern
of ``chunk`` actions, where the corridor ends up, after how many steps, and the sums the
update needs. One pass advances every run by up to ``chunk`` steps; each run moves on to
its next episode as soon as its current one ends. The policy is
``LinearPreferences(corridor_features())`` with the kernel's softmax and the public step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .. import _kernel
from .._validation import as_real_array, check_count, check_positive
from ..envs.corridor import GOAL, LEFT, REWARD, RIGHT, corridor_features, corridor_theta
from ..parametrisations import LinearPreferences
from ..step import policy_gradient
from .corridor_chunks import Chunks, Lanes, Uniforms

__all__ = ["CorridorRuns", "run_generators", "short_corridor_runs"]


def run_generators(seed: int, n_runs: int) -> list[np.random.Generator]:
    """The generator of every run of :func:`short_corridor_runs` with this ``seed``.

    Run ``r`` uses ``numpy.random.default_rng(children[r])`` with
    ``children = numpy.random.SeedSequence(seed).spawn(n_runs)``; every step size of one
    call shares them (common random numbers).

    Parameters
    ----------
    seed : int
        Non-negative.
    n_runs : int
        At least 1.

    Returns
    -------
    list of numpy.random.Generator, length n_runs
    """
    n = check_count(n_runs, "n_runs")
    s = check_count(seed, "seed", minimum=0)
    return [np.random.default_rng(child) for child in np.random.SeedSequence(s).spawn(n)]


@dataclass(frozen=True)
class CorridorRuns:
    """What :func:`short_corridor_runs` returns; ``shape`` is the shape of ``step_size``.

    Attributes
    ----------
    returns : numpy.ndarray, shape shape + (n_runs, n_episodes)
        Return of every episode, minus its length.
    prob_right : numpy.ndarray, shape shape + (n_runs, n_episodes)
        :math:`\\pi(\\text{right})` of the policy that played each episode.
    theta : numpy.ndarray, shape shape + (n_runs, 2)
        Final parameters.
    value_weights : numpy.ndarray, shape shape + (n_runs,), or None
        Final baseline :math:`w` (:math:`\\hat v(s, w) = w` in every state); None without one.
    """

    returns: np.ndarray
    prob_right: np.ndarray
    theta: np.ndarray
    value_weights: np.ndarray | None


@dataclass(frozen=True)
class _Setup:
    alphas: np.ndarray
    runs: int
    episodes: int
    steps_cap: int
    chunk: int
    alpha_w: float | None
    theta0: np.ndarray


def _check(step_size, n_runs, n_episodes, baseline_step_size, theta0, max_steps, chunk) -> _Setup:
    alphas = as_real_array(step_size, "step_size")
    if np.any(alphas <= 0.0):
        raise ValueError(f"step_size must be > 0 everywhere; got minimum {alphas.min()!r}")
    m = check_count(chunk, "chunk")
    if m > 16:
        raise ValueError(
            f"chunk must be between 1 and 16 (tables have 3 * 2**chunk * chunk rows); got {m}"
        )
    alpha_w = (
        None
        if baseline_step_size is None
        else check_positive(baseline_step_size, "baseline_step_size")
    )
    th0 = corridor_theta(0.05) if theta0 is None else as_real_array(theta0, "theta0")
    if th0.shape != (2,):
        raise ValueError(f"theta0 must have shape (2,); got shape {th0.shape}")
    return _Setup(
        alphas,
        check_count(n_runs, "n_runs"),
        check_count(n_episodes, "n_episodes"),
        check_count(max_steps, "max_steps"),
        m,
        alpha_w,
        th0,
    )


class _Policy:
    """pi_r = softmax(Phi theta_r) of every lane, and the step theta += alpha g_r: the corridor's
    LinearPreferences, one state (all states look alike), the lanes as the batch."""

    def __init__(self) -> None:
        self.param = LinearPreferences(corridor_features())

    def probs(self, theta: np.ndarray) -> np.ndarray:
        state = np.zeros((theta.shape[0], 1), dtype=np.int64)
        return _kernel.softmax(self.param.preferences_many(theta, state)[:, 0], 1.0)

    def ascend(self, theta: np.ndarray, alpha: np.ndarray, coef_l, coef_r) -> np.ndarray:
        """theta + alpha (coef_l score(left) + coef_r score(right)), per lane: the public step,
        one theta per lane, the two actions a batch of two in one state (all look alike)."""
        n = theta.shape[0]
        step = policy_gradient(
            self.param,
            theta,
            np.zeros((n, 2), dtype=np.int64),
            np.broadcast_to(np.array([LEFT, RIGHT]), (n, 2)),
            np.stack([coef_l, coef_r], axis=1),
            validate=False,  # the package's own parametrisation; the coefficients are finite
        )
        return theta + alpha[:, None] * step.gradient


def _coefficients(lanes: Lanes, e: np.ndarray, alpha_w: float | None):
    """Per-action sums of delta_t over the ended episodes (and the baseline's new w)."""
    big_t = lanes.t[e].astype(np.float64)
    g0 = REWARD * big_t  # every reward is -1: G_t = REWARD * (T - t)
    n_r = lanes.n_right[e].astype(np.float64)
    n_l = big_t - n_r
    if alpha_w is None:  # sum of G_t = REWARD * (T - t) over each action's steps
        t_r = lanes.t_right[e].astype(np.float64)
        coef_l = REWARD * (big_t * n_l - (big_t * (big_t - 1.0) / 2.0 - t_r))
        return g0, coef_l, REWARD * (big_t * n_r - t_r)
    # w_t = REWARD*(T-t) + REWARD/alpha_w + q^t (w_0 - G_0 - REWARD/alpha_w), so
    # delta_t = G_t - w_t = q^t (G_0 - w_0) - (REWARD/alpha_w)(1 - q^t).
    q = 1.0 - alpha_w
    q_r = lanes.q_right[e]
    q_big_t = q**big_t
    q_l = (1.0 - q_big_t) / alpha_w - q_r
    lead, c = g0 - lanes.w[e], REWARD / alpha_w
    coef_l = lead * q_l - c * (n_l - q_l)
    coef_r = lead * q_r - c * (n_r - q_r)
    lanes.w[e] = c + q_big_t * (lanes.w[e] - g0 - c)
    return g0, coef_l, coef_r


def short_corridor_runs(
    step_size: ArrayLike,
    *,
    n_runs: int,
    n_episodes: int,
    seed: int,
    baseline_step_size: float | None = None,
    theta0: ArrayLike | None = None,
    max_steps: int = 1000,
    chunk: int = 10,
) -> CorridorRuns:
    r"""Independent REINFORCE runs on the short corridor, all stepped at once.

    Every run is ``softmax_pg.learners.reinforce`` on
    :class:`~softmax_pg.envs.ShortCorridor` with :func:`~softmax_pg.envs.corridor_features`,
    :math:`\gamma = 1` (the corridor is undiscounted in the book) and, with
    ``baseline_step_size``, the baseline :math:`\hat v(s, w) = w` shared by the three
    indistinguishable states (``value_features`` all ones). The update after an episode
    of length :math:`T` is :math:`\theta \leftarrow \theta + \alpha\sum_t \delta_t
    \nabla_\theta\log\pi_\theta(A_t)`, with :math:`\delta_t = G_t = -(T - t)` or, with the
    baseline moving step by step, :math:`\delta_t = G_t - w_t`; the scores are the kernel's
    :math:`(e_b-\pi)/\tau` pulled back by the vjp of ``LinearPreferences(corridor_features())``.
    Because :math:`G_t` and :math:`w_t` have closed forms
    along an episode of constant rewards, only per-action sums are carried step to step.

    Parameters
    ----------
    step_size : float or array_like, shape (...)
        :math:`\alpha_\theta > 0`; an array runs every step size on the same ``n_runs``
        generators (Figure 13.1: ``[2**-12, 2**-13, 2**-14]``).
    n_runs : int
        Independent runs per step size.
    n_episodes : int
        Episodes per run.
    seed : int
        Seed of :func:`run_generators`.
    baseline_step_size : float, optional
        :math:`\alpha_w > 0` of the learned baseline (Figure 13.2: ``2**-6``); None: no baseline.
    theta0 : array_like, shape (2,), optional
        Initial parameters; by default :func:`~softmax_pg.envs.corridor_theta` (0.05), so that
        :math:`\pi(\text{right}) = 0.05` as in the book's figures.
    max_steps : int, default 1000
        Episodes are cut off after this many steps, as by ``reinforce(max_steps=...)``.
    chunk : int, default 10
        Steps per pass of the loop (between 1 and 16); the result does not depend on it.

    Returns
    -------
    CorridorRuns
        Returns, :math:`\pi(\text{right})` per episode, final :math:`\theta` and :math:`w`.

    References
    ----------
    Sutton & Barto (2018), Example 13.1, Figures 13.1 and 13.2.
    """
    setup = _check(step_size, n_runs, n_episodes, baseline_step_size, theta0, max_steps, chunk)
    n_lanes = setup.alphas.size * setup.runs  # lane i runs run i % n_runs
    lane_alpha = np.repeat(setup.alphas.ravel(), setup.runs)
    uniforms = Uniforms(
        [g for _ in range(setup.alphas.size) for g in run_generators(seed, setup.runs)], setup.chunk
    )
    policy, chunks = _Policy(), Chunks(setup.chunk, setup.steps_cap, setup.alpha_w)
    lanes = Lanes.start(n_lanes, setup.theta0, policy.probs)
    out = CorridorRuns(
        np.empty((n_lanes, setup.episodes)),
        np.empty((n_lanes, setup.episodes)),
        np.empty((n_lanes, 2)),
        np.empty(n_lanes),
    )
    while lanes.lane.size:
        chunks.advance(lanes, uniforms.next(lanes))
        ended = np.flatnonzero((lanes.state == GOAL) | (lanes.t >= setup.steps_cap))
        if ended.size:
            _end_episodes(lanes, ended, policy, lane_alpha, setup.alpha_w, out)
            _retire(lanes, setup.episodes, out)
    return _reshape(out, setup)


def _end_episodes(
    lanes: Lanes,
    e: np.ndarray,
    policy: _Policy,
    lane_alpha: np.ndarray,
    alpha_w: float | None,
    out: CorridorRuns,
) -> None:
    """REINFORCE's update for the lanes ``e`` whose episode ended, then a new episode."""
    g0, coef_l, coef_r = _coefficients(lanes, e, alpha_w)
    # the episode's policy: theta has not moved yet
    lanes.theta[e] = policy.ascend(lanes.theta[e], lane_alpha[lanes.lane[e]], coef_l, coef_r)
    out.returns[lanes.lane[e], lanes.episode[e]] = g0
    out.prob_right[lanes.lane[e], lanes.episode[e]] = lanes.probs[e, RIGHT]
    lanes.probs[e] = policy.probs(lanes.theta[e])
    lanes.new_episode(e)


def _retire(lanes: Lanes, episodes: int, out: CorridorRuns) -> None:
    """Store the final theta and w of the lanes that played every episode, and drop them."""
    done = lanes.episode == episodes
    if done.any():
        out.theta[lanes.lane[done]] = lanes.theta[done]
        out.value_weights[lanes.lane[done]] = lanes.w[done]
        lanes.keep(~done)


def _reshape(out: CorridorRuns, setup: _Setup) -> CorridorRuns:
    shape = setup.alphas.shape + (setup.runs,)
    return CorridorRuns(
        returns=out.returns.reshape(shape + (setup.episodes,)),
        prob_right=out.prob_right.reshape(shape + (setup.episodes,)),
        theta=out.theta.reshape(shape + (2,)),
        value_weights=out.value_weights.reshape(shape) if setup.alpha_w is not None else None,
    )
