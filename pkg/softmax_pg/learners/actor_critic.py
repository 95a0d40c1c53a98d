r"""Actor-critic: the one-step textbook algorithm (online, Sutton & Barto 2018, §13.5) and
its batch form with n-step or λ-returns (an advantage actor-critic), both through the public
step :func:`softmax_pg.step.policy_gradient`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .. import _kernel
from ..parametrisations import TabularPreferences
from ..step import policy_gradient
from ._args import LearnerOptions
from ._run import Setup
from .advantage import run_batch
from .results import LearningResult
from .rollout import checked_reward

__all__ = ["actor_critic"]


def _check_n_step(n_step, lam):
    from .._validation import check_count

    n = check_count(n_step, "n_step")
    if lam is None:
        return n, None
    if (
        isinstance(lam, bool)
        or not isinstance(lam, (int, float, np.floating, np.integer))
        or not 0.0 <= lam <= 1.0
    ):
        raise ValueError(
            f"lam must be a number in [0, 1] (the λ of the λ-return) or None; got {lam!r}"
        )
    if n != 1:
        raise ValueError(f"give n_step or lam, not both; got n_step = {n} and lam = {lam!r}")
    return n, float(lam)


def _actor_step(setup: Setup, theta, xb, a: int, weight: float, delta: float, moved: dict):
    r"""theta moved by the public step on one row, the weight :math:`\gamma^t\delta`;
    ``moved`` sums the moves (alpha aside)."""
    coef = weight * delta
    if setup.optimizer is None and setup.beta == 0.0:
        # the textbook step: alpha gamma^t delta folded into the weight, theta += the gradient
        step = policy_gradient(
            setup.param,
            theta,
            xb,
            np.array([a]),
            np.array([setup.alpha * weight * delta]),
            temperature=setup.tau,
            keep_scores=True,
            validate=False,
        )
        theta += step.gradient
        moved[None] = moved.get(None, 0.0) + coef * step.scores[0]
        return theta
    step = policy_gradient(
        setup.param,
        theta,
        xb,
        np.array([a]),
        np.array([coef]),
        temperature=setup.tau,
        entropy_coef=setup.beta,
        keep_scores=setup.keep_scores,
        summed=True,
        validate=False,
    )
    moved[None] = moved.get(None, 0.0) + step.gradient
    return setup.ascend(theta, step.gradient, step.scores)


def _critic_step(setup: Setup, w, x, obs, r: float, terminated: bool):
    """The TD error of one step from ``x``, after moving w by alpha_w delta grad v(x); and
    the next observation checked (None after a terminal step)."""
    critic = setup.critic
    xv = critic.x(x)
    if terminated:
        target, x_next = r, None
    else:
        x_next = setup.spaces.observe(obs, "env.step()")
        target = r + setup.gamma * critic.value(w, critic.x(x_next))
    delta = target - critic.value(w, xv)
    critic.add(w, xv, setup.alpha_w * delta)
    return delta, x_next


def _online_episode(setup: Setup, theta, w, obs, rng, i: int, moved: dict):
    """One episode of the one-step box, updating theta and w after every step; returns the rewards,
    the preferences and observations seen, G_0 and theta (new when an optimiser steps it)."""
    sp, param, tau = setup.spaces, setup.param, setup.tau
    x = sp.observe(obs, "env.reset()")
    discount, total, rewards, hs, xs = 1.0, 0.0, [], [], []
    for t in range(setup.steps):
        xb = sp.batch([x])
        h = param.preferences(theta, xb)
        probs = _kernel.softmax(h[0], tau)  # one row: the kernel's fast path
        a = _kernel.sample_row(probs, rng.random())
        obs, r, terminated, truncated, _ = setup.env.step(a)
        r = checked_reward(r, t, i, a)
        delta, x_next = _critic_step(setup, w, x, obs, r, terminated)
        weight = discount if setup.discount_weighting else 1.0
        theta = _actor_step(setup, theta, xb, a, weight, delta, moved)
        hs.append(h[0])
        if setup.moments is not None:
            xs.append(xb[0])
        rewards.append(r)
        total += discount * r
        discount *= setup.gamma
        if terminated or truncated:
            break
        x = x_next
    return np.array(rewards), hs, total, theta, xs


def _tabular_episode(setup: Setup, theta, w, obs, rng, i: int, moved: dict):
    """``_online_episode`` for the tabular parametrisation with plain steps: Dh(s)^T g is g in
    row s, so only that row of the table moves (O(n_actions) a step, whatever the states)."""
    tau, env, gamma = setup.tau, setup.env, setup.gamma
    table, alpha, weighted = setup.param.table(theta), setup.alpha, setup.discount_weighting
    s = setup.spaces.observe(obs, "env.reset()")
    discount, total, rewards, hs = 1.0, 0.0, [], []
    for t in range(setup.steps):
        h = table[s].copy()
        probs = _kernel.softmax(h, tau)
        a = _kernel.sample_row(probs, rng.random())
        obs, r, terminated, truncated, _ = env.step(a)
        r = checked_reward(r, t, i, a)
        delta, s_next = _critic_step(setup, w, s, obs, r, terminated)
        score = _kernel.score_from_probs(probs, a, tau, overwrite=True)
        weight = discount if weighted else 1.0
        table[s] += (alpha * weight * delta) * score
        moved[s] = moved.get(s, 0.0) + (weight * delta) * score
        hs.append(h)
        rewards.append(r)
        total += discount * r
        discount *= gamma
        if terminated or truncated:
            break
        s = s_next
    return np.array(rewards), hs, total, theta, []


def _run_online(setup: Setup, theta, w, obs):
    mon = setup.monitor
    sparse = (
        type(setup.param) is TabularPreferences and setup.optimizer is None and setup.beta == 0.0
    )
    for i in range(setup.episodes):
        start, rng = setup.reset(i, obs)
        setup.check_param(theta, start)
        moved: dict = {}
        episode = _tabular_episode if sparse else _online_episode
        rewards, hs, total, theta, xs = episode(setup, theta, w, start, rng, i, moved)
        mon.episode(i, rewards, total)
        if sparse:  # check only what moved: O(visited states), not O(n_states)
            rows = list(moved)
            setup.check_finite(
                setup.param.table(theta)[rows],
                w[rows] if w.shape[0] == setup.spaces.n_states else w,
                i,
            )
        else:
            setup.check_finite(theta, w, i)
        if xs:
            setup.observed(setup.spaces.batch(xs))
        entropy = float(
            np.mean(_kernel.entropy_from_log_probs(_kernel.log_softmax(np.array(hs), setup.tau)))
        )
        norm = float(np.sqrt(sum(float(np.dot(v, v)) for v in moved.values()))) if moved else 0.0
        if not mon.update(i, i, entropy, norm, theta):  # the callback returned False
            break
    return theta


def actor_critic(
    env,
    *,
    step_size: float | None = None,
    value_step_size: float,
    n_episodes: int,
    rng: int | np.random.Generator | None = None,
    param=None,
    features: ArrayLike | None = None,
    gamma: float | None = None,
    value_features: ArrayLike | None = None,
    value_param=None,
    theta0: ArrayLike | None = None,
    temperature: float | None = None,
    max_steps: int | None = None,
    n_step: int = 1,
    lam: float | None = None,
    episodes_per_update: int | None = None,
    normalize_advantages: bool | None = None,
    discount_weighting: bool | None = None,
    optimizer=None,
    entropy_coef: float | None = None,
    normalize_observations: bool | None = None,
    options: LearnerOptions | None = None,
    callback=None,
    progress: bool | None = None,
    resume=None,
) -> LearningResult:
    r"""Actor-critic: one-step and online by default (Sutton & Barto 2018, §13.5), or in batch.

    By default, after every step :math:`S, A, R, S'` (:prf:ref:`alg-actor-critic`),

    .. math::

        \begin{aligned}
        \delta &= R + \gamma\hat v(S', w) - \hat v(S, w),\\
        w &\leftarrow w + \alpha_w\delta\,\nabla\hat v(S, w),\\
        \theta &\leftarrow \theta + \alpha\gamma^t\delta\,\nabla_\theta\log\pi_\theta(A\mid S),
        \end{aligned}

    with :math:`\hat v(\text{terminal}) = 0` and, when an episode is cut off (``max_steps``
    or a time limit), the value of :math:`S'` used. The score is the parametrisation's vjp
    of :math:`(e_A - \pi)/\tau`; with the tabular parametrisation only row :math:`S` of
    :math:`\theta` moves, so a step costs O(n_actions) whatever the number of states.

    With ``n_step > 1``, ``lam``, ``episodes_per_update > 1`` or ``normalize_advantages``
    the updates are made in batch after every ``episodes_per_update`` episodes played with
    :math:`\theta` and :math:`w` fixed: advantages :math:`A_t = G^{(n)}_t - \hat v(S_t)` (the
    n-step return, §7.1) or :math:`\sum_k(\gamma\lambda)^k\delta_{t+k}` (the λ-return's
    advantage, GAE; Schulman et al. 2016), the critic moved by
    :math:`\alpha_w\sum_t A_t\nabla\hat v(S_t)` (averaged over the episodes), the actor as
    :func:`~softmax_pg.learners.reinforce` moves it with :math:`A_t` in place of :math:`G_t - b`.
    ``optimizer``, ``entropy_coef``, ``discount_weighting``, ``normalize_observations`` and
    ``temperature`` apply in both forms.

    Parameters
    ----------
    env, step_size, n_episodes, rng, param, features, gamma, theta0, temperature, max_steps
        As :func:`~softmax_pg.learners.reinforce`.
    value_step_size : float
        :math:`\alpha_w > 0`, the critic's step size.
    value_features : array_like, shape (n_states, k), optional
        :math:`x(s)` of a linear critic (``Discrete`` observations); one-hot by default,
        :math:`[s; 1]` for ``Box``.
    value_param : Parametrisation with n_actions = 1, optional
        A richer critic, e.g. ``MLPPreferences(n, 1, hidden=(64,))``.
    n_step : int, default 1
    lam : float in [0, 1], optional
    episodes_per_update, normalize_advantages, discount_weighting : optional
        As :func:`~softmax_pg.learners.reinforce`.
    optimizer, entropy_coef, normalize_observations, options, callback, progress, resume : optional
        As :func:`~softmax_pg.learners.reinforce` (``gamma``, ``temperature``, ``max_steps``,
        ``episodes_per_update``, ``normalize_advantages``, ``discount_weighting``,
        ``entropy_coef``, ``normalize_observations``: :class:`LearnerOptions` fields).

    Returns
    -------
    LearningResult

    Raises
    ------
    TypeError, ValueError, FloatingPointError
        As :func:`~softmax_pg.learners.reinforce`; a diverged critic names ``value_step_size``.

    Notes
    -----
    The batch critic's step sums over an episode's steps, so its effective size grows with
    the episode's length :math:`T` (by about :math:`\alpha_w T(1-\gamma)/(1-\gamma\lambda)`
    on the constant feature); past 2 the critic oscillates and grows, and the learner stops
    with an error naming ``value_step_size`` once the critic's values exceed a million times
    every return the update's episodes could have. On CartPole-v1,
    ``lam=0.99``, ``value_step_size=0.002`` and a critic quadratic in the scaled observation
    learn in 10 of 10 seeds (``benchmarks/actor_critic_cartpole.py`` gives the settings and
    the numbers).
    """
    n, lam = _check_n_step(n_step, lam)
    options = LearnerOptions.from_arguments(locals())
    setup = Setup(
        env,
        options,
        step_size=step_size,
        n_episodes=n_episodes,
        rng=rng,
        param=param,
        features=features,
        theta0=theta0,
        optimizer=optimizer,
        callback=callback,
        progress=progress,
        resume=resume,
        value_step_size=value_step_size,
        value_features=value_features,
        value_param=value_param,
        value_name="value_step_size",
    )
    obs, theta = setup.start()
    w = setup.value_weights()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if n == 1 and lam is None and setup.per_update == 1 and not setup.normalize:
            theta = _run_online(setup, theta, w, obs)
        else:
            theta = run_batch(setup, theta, w, obs, n, lam)
    policy = setup.policy(theta)
    return setup.monitor.result(policy, w, policy.param, setup.state(policy, w))
