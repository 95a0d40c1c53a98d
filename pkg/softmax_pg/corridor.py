r"""The short corridor in closed form, and many REINFORCE runs on it at once.

**Closed form.** Let :math:`p = \pi(\text{right})`, the same in every state because the
agent cannot tell the states apart. The Bellman equations of the three non-terminal
states (Sutton & Barto 2018, Example 13.1; ``softmax_pg.envs.corridor.NEXT_STATE``)

.. math::

    \begin{aligned}
    v_0 &= -1 + p\,v_1 + (1-p)\,v_0,\\
    v_1 &= -1 + p\,v_0 + (1-p)\,v_2,\\
    v_2 &= -1 + (1-p)\,v_1
    \end{aligned}

give the value of the start state

.. math::

    v(p) = v_0 = \frac{2p - 4}{p(1-p)},

maximal at :math:`p^* = 2 - \sqrt 2 \approx 0.586` with
:math:`v^* = -(6 + 4\sqrt 2) \approx -11.66` (:func:`short_corridor_value`,
:func:`short_corridor_state_values` by a linear solve, :func:`short_corridor_optimum`).

**Batched runs.** :func:`short_corridor_runs` reproduces Sutton & Barto's Figures 13.1
and 13.2: many independent REINFORCE runs, with or without a learned baseline, stepped
together with plain numpy arrays. Run ``r`` draws from its own generator,
``run_generators(seed, n_runs)[r]``, in the order of :mod:`softmax_pg.learners`, so it
repeats, draw for draw, what :func:`softmax_pg.learners.reinforce` does on
:class:`~softmax_pg.envs.ShortCorridor` with :func:`~softmax_pg.envs.corridor_features`
and the same generator: the same actions and returns, and parameters equal to
rounding.

Why it is fast: with features identical in every state the action probabilities do
not depend on the state, so a run's next ``chunk`` actions follow from its next
``chunk`` uniform numbers alone. Tables computed once give, for each start state and
each pattern of ``chunk`` actions, where the corridor ends up, after how many steps,
and the sums the update needs. One pass of the loop advances every run by up to
``chunk`` steps; each run moves on to its next episode as soon as its current one ends.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_count, check_positive
from .envs.corridor import GOAL, LEFT, NEXT_STATE, REWARD, RIGHT, corridor_features, corridor_theta
from .policy import _score_from_probs
from .softmax import _softmax

__all__ = [
    "CorridorRuns",
    "run_generators",
    "short_corridor_optimum",
    "short_corridor_runs",
    "short_corridor_state_values",
    "short_corridor_value",
]

# ------------------------------------------------------------------------ closed form


def _prob_right(prob_right: ArrayLike) -> np.ndarray:
    p = as_real_array(prob_right, "prob_right")
    if np.any((p <= 0.0) | (p >= 1.0)):
        raise ValueError(
            f"prob_right must lie strictly between 0 and 1 (at 0 or 1 the goal is never reached); "
            f"got values in [{p.min()}, {p.max()}]"
        )
    return p


def short_corridor_value(prob_right: ArrayLike) -> np.ndarray:
    r"""Start value :math:`v(p) = \frac{2p - 4}{p(1-p)}` of the policy going right with probability :math:`p`.

    The undiscounted expected return from state 0, minus the expected episode length
    (Sutton & Barto 2018, Example 13.1).

    Parameters
    ----------
    prob_right : array_like, shape (...)
        :math:`p = \pi(\text{right})`, each strictly between 0 and 1.

    Returns
    -------
    numpy.ndarray, shape (...)
    """
    p = _prob_right(prob_right)
    return (2.0 * p - 4.0) / (p * (1.0 - p))


def short_corridor_state_values(prob_right: ArrayLike) -> np.ndarray:
    r"""Values :math:`(v_0, v_1, v_2)` of the three states, by solving the Bellman equations.

    Builds :math:`P_\pi` from the environment's transition table and solves
    :math:`(I - P_\pi) v = r` with :math:`r = -1` in every state: a check of
    :func:`short_corridor_value` that does not use its formula.

    Parameters
    ----------
    prob_right : array_like, shape (...)
        :math:`p = \pi(\text{right})`, each strictly between 0 and 1.

    Returns
    -------
    numpy.ndarray, shape (..., 3)
    """
    p = _prob_right(prob_right)
    n = GOAL  # the non-terminal states 0, 1, 2
    transition = np.zeros(p.shape + (n, n))
    for s in range(n):
        for a, prob in ((LEFT, 1.0 - p), (RIGHT, p)):
            s_next = NEXT_STATE[s, a]
            if s_next != GOAL:
                transition[..., s, s_next] += prob
    rewards = np.full(p.shape + (n, 1), REWARD)
    return np.linalg.solve(np.eye(n) - transition, rewards)[..., 0]


def short_corridor_optimum() -> tuple[float, float]:
    r"""The best probability of going right and its value, :math:`(2 - \sqrt 2,\; -(6 + 4\sqrt 2))`.

    From :math:`\frac{d}{dp} v(p) = 0 \iff p^2 - 4p + 2 = 0`, the root in (0, 1).

    Returns
    -------
    p_star, v_star : float
        About 0.5858 and -11.657.
    """
    return 2.0 - np.sqrt(2.0), -(6.0 + 4.0 * np.sqrt(2.0))


# ---------------------------------------------------------------------- batched runs


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


@functools.lru_cache(maxsize=4)
def _chunk_tables(m: int) -> np.ndarray:
    """Outcome of ``m`` actions from each start state, for each action pattern and step limit.

    Row ``(s * 2**m + pattern) * m + limit - 1``, where bit ``i`` of ``pattern`` is
    action ``i`` (1 = right) and at most ``limit`` steps are taken. Columns: the steps
    taken (fewer if the goal comes first), the state reached, the number of right
    actions among them and the sum of their offsets ``i``.
    """
    s = np.broadcast_to(np.arange(GOAL)[:, None, None], (GOAL, 2**m, m)).copy()
    pattern = np.arange(2**m)[None, :, None]
    limit = np.arange(1, m + 1)[None, None, :]
    steps = np.zeros_like(s)
    n_right = np.zeros_like(s)
    t_right = np.zeros_like(s)
    for i in range(m):
        bit = (pattern >> i) & 1
        live = (s != GOAL) & (i < limit)
        s = np.where(live, NEXT_STATE[s, bit], s)
        steps += live
        n_right += live * bit
        t_right += live * bit * i
    table = np.stack([steps.ravel(), s.ravel(), n_right.ravel(), t_right.ravel()], axis=1)
    table.flags.writeable = False  # cached: shared by every call
    return table


def _right_weights(m: int, q: float) -> np.ndarray:
    """``sum(q**i for right actions i among the steps taken)``, indexed as :func:`_chunk_tables`."""
    bits = (np.arange(2**m)[:, None] >> np.arange(m)) & 1  # (2**m, m)
    taken = np.arange(m)[None, :] < np.arange(1, m + 1)[:, None]  # (limit, i)
    per_limit = (bits * q ** np.arange(m)) @ taken.T  # (2**m, limit): before the goal cut
    return per_limit  # cut at the goal by the caller through `steps`


def _probs(theta: np.ndarray, phi: np.ndarray) -> np.ndarray:
    r""":math:`\pi_r = \mathrm{softmax}(\Phi\theta_r)` for every row :math:`\theta_r` of ``theta``, shape (n_runs, n_actions).

    What :func:`softmax_pg.action_probs` returns for one :math:`\theta_r`, by the same
    private helper (``action_probs`` takes one parameter vector; here every run has its own).
    """
    return _softmax(theta @ phi.T, 1.0)


def _scores(probs: np.ndarray, phi: np.ndarray) -> np.ndarray:
    r"""The score :math:`\Phi^\top(e_b - \pi_r)` of every action :math:`b` for every run :math:`r`.

    The formula of :func:`softmax_pg.score` for all actions at once, by the same private
    helper: the vectors :math:`e_b - \pi_r` are the rows of :math:`I - \mathbf 1\pi_r^\top`.
    ``tests/test_corridor.py`` checks it against ``score`` itself.

    Parameters
    ----------
    probs : numpy.ndarray, shape (n_runs, n_actions)
    phi : numpy.ndarray, shape (n_actions, n_features)

    Returns
    -------
    numpy.ndarray, shape (n_runs, n_actions, n_features)
    """
    every_action = np.arange(phi.shape[0])
    return _score_from_probs(probs[:, None, :], every_action, 1.0) @ phi  # rows (e_b - pi_r)^T Phi


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

    Every run is :func:`softmax_pg.learners.reinforce` on
    :class:`~softmax_pg.envs.ShortCorridor` with :func:`~softmax_pg.envs.corridor_features`,
    :math:`\gamma = 1` (the corridor is undiscounted in the book) and, with
    ``baseline_step_size``, the baseline :math:`\hat v(s, w) = w` shared by the three
    indistinguishable states (``value_features`` all ones). The update after an episode
    of length :math:`T` is :math:`\theta \leftarrow \theta + \alpha\sum_t \delta_t
    \nabla_\theta\log\pi_\theta(A_t)`, with :math:`\delta_t = G_t = -(T - t)` or, with the
    baseline moving step by step, :math:`\delta_t = G_t - w_t`; the scores come from
    :func:`softmax_pg.score`. Because :math:`G_t` and :math:`w_t` have closed forms
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
    alphas = as_real_array(step_size, "step_size")
    if np.any(alphas <= 0.0):
        raise ValueError(f"step_size must be > 0 everywhere; got minimum {alphas.min()!r}")
    runs = check_count(n_runs, "n_runs")
    episodes = check_count(n_episodes, "n_episodes")
    steps_cap = check_count(max_steps, "max_steps")
    m = check_count(chunk, "chunk")
    if m > 16:
        raise ValueError(f"chunk must be between 1 and 16 (tables have 3 * 2**chunk * chunk rows); got {m}")
    baseline = baseline_step_size is not None
    alpha_w = check_positive(baseline_step_size, "baseline_step_size") if baseline else 0.0
    th0 = corridor_theta(0.05) if theta0 is None else as_real_array(theta0, "theta0")
    if th0.shape != (2,):
        raise ValueError(f"theta0 must have shape (2,); got shape {th0.shape}")
    phi = corridor_features()[0]  # (n_actions, 2), the same in every state

    # One lane per (step size, run); lane i runs run i % n_runs.
    n_lanes = alphas.size * runs
    lane_alpha = np.repeat(alphas.ravel(), runs)
    gens = [g for _ in range(alphas.size) for g in run_generators(seed, runs)]
    for g in gens:
        g.integers(2**32)  # the environment's seed, drawn first by the learners too
    width = 4096
    buf = np.stack([g.random(width) for g in gens])
    ptr = np.zeros(n_lanes, dtype=np.int64)

    table = _chunk_tables(m)  # columns: steps, state, n_right, t_right
    q = 1.0 - alpha_w
    right_w = _right_weights(m, q) if baseline else None
    q_pow = q ** np.arange(m + 1)
    pow2 = 1 << np.arange(m)
    offsets = np.arange(m)
    flat_buf = buf.reshape(-1)  # a view: refills below write through it

    out_returns = np.empty((n_lanes, episodes))
    out_prob = np.empty((n_lanes, episodes))
    out_theta = np.empty((n_lanes, 2))
    out_w = np.empty(n_lanes)

    # Per-lane state of the live lanes, compacted as lanes finish.
    lane = np.arange(n_lanes)
    theta = np.tile(th0, (n_lanes, 1))
    w = np.zeros(n_lanes)
    probs = _probs(theta, phi)
    episode = np.zeros(n_lanes, dtype=np.int64)
    state = np.zeros(n_lanes, dtype=np.int64)
    t = np.zeros(n_lanes, dtype=np.int64)
    n_right = np.zeros(n_lanes, dtype=np.int64)  # right actions so far in the episode
    t_right = np.zeros(n_lanes, dtype=np.int64)  # sum of their times t
    q_right = np.zeros(n_lanes)  # sum of q**t over them (baseline only)
    q_t = np.ones(n_lanes)

    while lane.size:
        low = np.flatnonzero(ptr > width - m)
        for i in low:  # top up the uniforms of lanes near the end of their buffer
            rest = buf[lane[i], ptr[i] :].copy()
            buf[lane[i], : rest.size] = rest
            buf[lane[i], rest.size :] = gens[lane[i]].random(width - rest.size)
            ptr[i] = 0
        u = flat_buf[(lane * width + ptr)[:, None] + offsets]
        # Action right iff cdf(left) <= u: what _inverse_cdf does with one uniform per step.
        pattern = (u >= probs[:, LEFT, None]) @ pow2
        row = (state * 2**m + pattern) * m + np.minimum(m, steps_cap - t) - 1
        taken, state, nr, tr = table[row].T
        n_right += nr
        t_right += tr + t * nr
        if baseline:
            q_right += q_t * right_w[pattern, taken - 1]
            q_t *= q_pow[taken]
        t += taken
        ptr += taken
        ended = (state == GOAL) | (t >= steps_cap)
        if not ended.any():
            continue

        e = np.flatnonzero(ended)
        big_t = t[e].astype(np.float64)
        g0 = REWARD * big_t  # every reward is -1: G_t = REWARD * (T - t)
        n_r = n_right[e].astype(np.float64)
        n_l = big_t - n_r
        if baseline:
            # w_t = REWARD*(T-t) + REWARD/alpha_w + q^t (w_0 - G_0 - REWARD/alpha_w), so
            # delta_t = G_t - w_t = q^t (G_0 - w_0) - (REWARD/alpha_w)(1 - q^t).
            q_r = q_right[e]
            q_big_t = q**big_t
            q_l = (1.0 - q_big_t) / alpha_w - q_r
            lead, c = g0 - w[e], REWARD / alpha_w
            coef_l = lead * q_l - c * (n_l - q_l)
            coef_r = lead * q_r - c * (n_r - q_r)
            w[e] = c + q_big_t * (w[e] - g0 - c)
        else:
            # sum of G_t = REWARD * (T - t) over each action's steps
            t_r = t_right[e].astype(np.float64)
            coef_l = REWARD * (big_t * n_l - (big_t * (big_t - 1.0) / 2.0 - t_r))
            coef_r = REWARD * (big_t * n_r - t_r)
        sc = _scores(probs[e], phi)  # the episode's policy: theta has not moved yet
        theta[e] += lane_alpha[lane[e], None] * (coef_l[:, None] * sc[:, LEFT] + coef_r[:, None] * sc[:, RIGHT])
        out_returns[lane[e], episode[e]] = g0
        out_prob[lane[e], episode[e]] = probs[e, RIGHT]
        probs[e] = _probs(theta[e], phi)
        episode[e] += 1
        state[e] = 0
        t[e] = 0
        n_right[e] = 0
        t_right[e] = 0
        if baseline:
            q_right[e] = 0.0
            q_t[e] = 1.0

        done = episode == episodes
        if done.any():
            out_theta[lane[done]] = theta[done]
            out_w[lane[done]] = w[done]
            keep = ~done
            lane, theta, w, probs, episode, state, t, ptr = (
                a[keep] for a in (lane, theta, w, probs, episode, state, t, ptr)
            )
            n_right, t_right, q_right, q_t = (a[keep] for a in (n_right, t_right, q_right, q_t))

    shape = alphas.shape + (runs,)
    return CorridorRuns(
        returns=out_returns.reshape(shape + (episodes,)),
        prob_right=out_prob.reshape(shape + (episodes,)),
        theta=out_theta.reshape(shape + (2,)),
        value_weights=out_w.reshape(shape) if baseline else None,
    )
